// flat_map.hpp - a small sorted map kept in one array, its first entries inside the object.
//
// Purpose: the reference model's allocations each hold two small maps, the runs of page states
// (one run for almost every allocation) and the pages that store bytes (a few). As std::maps,
// every entry is a heap node of its own, so reading 64 bytes of one region among 100,000 visits
// the allocation, then a run node, then a page node: one likely cache and TLB miss after the
// other. A FlatMap keeps its entries sorted by key in one array, and the first `Inline` of them
// inside the FlatMap itself (so inside the allocation that holds it); only a map that grows
// beyond that moves its entries to the heap, all together.
//
// It reads like a std::map: begin/end in key order, find, count, contains, at, lower_bound,
// upper_bound, size, empty; entries are std::pair<Key, Value> with .first and .second. It
// changes through operator[], emplace, erase (of iterators) and clear. Unlike a std::map, any
// insertion or erasure moves entries: iterators, pointers and references into the map are
// invalidated by every change (the model holds none across one). Keys must not be changed
// through an iterator.
// Header only: it is a template.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vmc {

template <typename Key, typename Value, std::size_t Inline>
class FlatMap {
  static_assert(Inline >= 1, "a FlatMap keeps at least one entry inline");

 public:
  using key_type = Key;
  using mapped_type = Value;
  using value_type = std::pair<Key, Value>;
  using size_type = std::size_t;
  using iterator = value_type*;
  using const_iterator = const value_type*;

  FlatMap() = default;
  FlatMap(const FlatMap&) = default;
  FlatMap& operator=(const FlatMap&) = default;
  /// A moved-from FlatMap is empty (its entries, such as shared pointers, went with the move).
  FlatMap(FlatMap&& other) noexcept
      : inline_(std::move(other.inline_)), heap_(std::move(other.heap_)), size_(other.size_) {
    other.clear();
  }
  FlatMap& operator=(FlatMap&& other) noexcept {
    if (this != &other) {
      inline_ = std::move(other.inline_);
      heap_ = std::move(other.heap_);
      size_ = other.size_;
      other.clear();
    }
    return *this;
  }

  // --- reading, as a std::map ---------------------------------------------------------------
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  size_type size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// The first entry whose key is not below `key`.
  iterator lower_bound(const Key& key) {
    return std::lower_bound(begin(), end(), key, [](const value_type& e, const Key& k) { return e.first < k; });
  }
  const_iterator lower_bound(const Key& key) const { return const_cast<FlatMap*>(this)->lower_bound(key); }
  /// The first entry whose key is above `key`.
  iterator upper_bound(const Key& key) {
    return std::upper_bound(begin(), end(), key, [](const Key& k, const value_type& e) { return k < e.first; });
  }
  const_iterator upper_bound(const Key& key) const { return const_cast<FlatMap*>(this)->upper_bound(key); }
  iterator find(const Key& key) {
    const iterator it = lower_bound(key);
    return it != end() && it->first == key ? it : end();
  }
  const_iterator find(const Key& key) const { return const_cast<FlatMap*>(this)->find(key); }
  bool contains(const Key& key) const { return find(key) != end(); }
  size_type count(const Key& key) const { return contains(key) ? 1 : 0; }
  Value& at(const Key& key) {
    const iterator it = find(key);
    if (it == end()) throw std::out_of_range("FlatMap::at: no such key");
    return it->second;
  }
  const Value& at(const Key& key) const { return const_cast<FlatMap*>(this)->at(key); }

  // --- changing -----------------------------------------------------------------------------
  /// The value at `key`, inserted (value-initialized) if absent.
  Value& operator[](const Key& key) { return emplace(key, Value{}).first->second; }
  /// Inserts (key, value) unless `key` is present; the entry at `key` and whether it is new.
  std::pair<iterator, bool> emplace(const Key& key, Value value) {
    const iterator at = lower_bound(key);
    if (at != end() && at->first == key) return {at, false};
    return {insert_at(static_cast<size_type>(at - begin()), {key, std::move(value)}), true};
  }
  /// Removes the entries [first, last); returns the position after them.
  iterator erase(const_iterator first, const_iterator last) {
    const size_type from = static_cast<size_type>(first - data()), to = static_cast<size_type>(last - data());
    if (from == to) return begin() + from;
    if (size_ > Inline) {
      heap_.erase(heap_.begin() + static_cast<std::ptrdiff_t>(from), heap_.begin() + static_cast<std::ptrdiff_t>(to));
      size_ = heap_.size();
      if (size_ <= Inline) {  // it fits inline again: back into the object
        std::move(heap_.begin(), heap_.end(), inline_.begin());
        heap_ = {};
      }
    } else {
      std::move(inline_.begin() + to, inline_.begin() + size_, inline_.begin() + from);
      const size_type left = size_ - (to - from);
      std::fill(inline_.begin() + left, inline_.begin() + size_, value_type{});  // drop what moved out
      size_ = left;
    }
    return begin() + from;
  }
  iterator erase(const_iterator position) { return erase(position, position + 1); }
  void clear() {
    inline_.fill(value_type{});
    heap_ = {};
    size_ = 0;
  }

 private:
  value_type* data() { return size_ <= Inline ? inline_.data() : heap_.data(); }
  const value_type* data() const { return size_ <= Inline ? inline_.data() : heap_.data(); }

  iterator insert_at(size_type index, value_type entry) {
    if (size_ < Inline) {
      std::move_backward(inline_.begin() + index, inline_.begin() + size_, inline_.begin() + size_ + 1);
      inline_[index] = std::move(entry);
    } else {
      if (size_ == Inline) {  // it no longer fits inline: every entry moves to the heap
        heap_.reserve(2 * Inline);
        std::move(inline_.begin(), inline_.end(), std::back_inserter(heap_));
        inline_.fill(value_type{});
      }
      heap_.insert(heap_.begin() + static_cast<std::ptrdiff_t>(index), std::move(entry));
    }
    ++size_;
    return begin() + index;
  }

  // The entries are inline_[0, size_) while size_ <= Inline, heap_ (all size_ of them)
  // otherwise. Unused inline slots hold value_type{} (so they keep no shared bytes alive).
  std::array<value_type, Inline> inline_{};
  std::vector<value_type> heap_;
  size_type size_ = 0;
};

}  // namespace vmc
