// allocation_table.cpp - the reference model's allocations by base: their records, and the index
// that keeps them in base order and finds the allocation holding an address (see AllocationTable
// in reference_model.hpp).
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <utility>

#include "vmconform/reference_model.hpp"

namespace vmc {

AllocationTable::AllocationTable(const AllocationTable& other) : page_size_(other.page_size_) {
  // The records in base order; the index in half-full blocks, so that the next insertions do
  // not split at once. The copy shares every stored page with `other`, so it remembers the same.
  constexpr std::size_t per_block = kMaxBlock / 2;
  blocks_.reserve((other.size() + per_block - 1) / per_block);
  first_bases_.reserve(blocks_.capacity());
  std::size_t left = other.size();
  for (const_iterator it = other.begin(); it != other.end(); ++it) {
    const Entry& from = other.entry(it);
    if (blocks_.empty() || blocks_.back().size() == per_block) {
      blocks_.emplace_back().reserve(std::min(left, per_block));
      first_bases_.push_back(from.base);
    }
    blocks_.back().push_back({from.base, from.end, std::make_unique<value_type>(*from.record), from.page, from.page_block});
    --left;
  }
  size_ = other.size();
}

AllocationTable& AllocationTable::operator=(const AllocationTable& other) {
  if (this != &other) *this = AllocationTable(other);
  return *this;
}

AllocationTable& AllocationTable::operator=(AllocationTable&& other) noexcept {
  if (this != &other) take(other);  // this table's own records go with its old index
  return *this;
}

void AllocationTable::take(AllocationTable& other) noexcept {
  blocks_ = std::move(other.blocks_);
  first_bases_ = std::move(other.first_bases_);
  size_ = std::exchange(other.size_, 0);
  page_size_ = other.page_size_;
  other.blocks_.clear();  // a moved-from vector is valid but unspecified: make it empty
  other.first_bases_.clear();
}

std::size_t AllocationTable::block_for(std::uint64_t address) const {
  const auto after = std::upper_bound(first_bases_.begin(), first_bases_.end(), address);
  if (after == first_bases_.begin()) return kNone;  // every base is above `address`
  return static_cast<std::size_t>(after - first_bases_.begin()) - 1;
}

AllocationTable::const_iterator AllocationTable::position_at_or_before(std::uint64_t address) const {
  const std::size_t b = block_for(address);
  if (b == kNone) return end();
  const Block& block = blocks_[b];
  // A linear scan, not a binary search: its loads do not depend on each other, so the block's
  // cache lines arrive together instead of one after the other (a binary search was measured
  // slower). The block's first base is <= address, so the entry before the first one above it
  // is in the block.
  const auto above = std::find_if(block.begin() + 1, block.end(), [&](const Entry& e) { return e.base > address; });
  return {this, b, static_cast<std::size_t>(above - block.begin()) - 1};
}

AllocationTable::const_iterator AllocationTable::find(std::uint64_t base) const {
  const const_iterator at = position_at_or_before(base);
  return at != end() && entry(at).base == base ? at : end();
}

const Allocation& AllocationTable::at(std::uint64_t base) const {
  const const_iterator it = find(base);
  if (it == end()) throw std::out_of_range("AllocationTable::at: no allocation at " + hex(base));
  return it->second;
}

AllocationTable::const_iterator AllocationTable::upper_bound(std::uint64_t address) const {
  const const_iterator at = position_at_or_before(address);
  return at == end() ? begin() : std::next(at);
}

const Allocation* AllocationTable::last_at_or_before(std::uint64_t address) const {
  const const_iterator at = position_at_or_before(address);
  return at == end() ? nullptr : &entry(at).record->second;
}

const Allocation* AllocationTable::containing(std::uint64_t address) const {
  const const_iterator at = position_at_or_before(address);
  if (at == end() || address >= entry(at).end) return nullptr;
  const Entry& e = entry(at);
  // The caller is about to look at this address: if it lies in the remembered page, ask for the
  // page's bytes (up to 64 of them from `address`) now, while the record is fetched.
  if (e.page_block != nullptr && address - e.page < page_size_) {
    const auto first = static_cast<std::uint32_t>(address - e.page);
    PageBytes::prefetch(e.page_block, first, std::min(first + 63, page_size_ - 1));
  }
  return &e.record->second;
}

std::uint64_t AllocationTable::end_of_last_at_or_before(std::uint64_t address) const {
  const const_iterator at = position_at_or_before(address);
  return at == end() ? 0 : entry(at).end;
}

const Allocation* AllocationTable::first_after(std::uint64_t address) const {
  const const_iterator next = upper_bound(address);
  return next == end() ? nullptr : &next->second;
}

Allocation& AllocationTable::insert(Allocation a) {
  const std::uint64_t base = a.base, bound = a.base + a.size;
  auto owned = std::make_unique<value_type>(base, std::move(a));
  Allocation& added = owned->second;
  ++size_;
  if (blocks_.empty()) {
    blocks_.emplace_back().push_back({base, bound, std::move(owned)});
    first_bases_.push_back(base);
    return added;
  }
  // Into the block that would hold it (the first block if `base` is below every base).
  std::size_t b = block_for(base);
  if (b == kNone) b = 0;
  Block& block = blocks_[b];
  const auto at = std::find_if(block.begin(), block.end(), [&](const Entry& e) { return e.base > base; });
  block.insert(at, {base, bound, std::move(owned)});
  first_bases_[b] = block.front().base;
  if (block.size() > kMaxBlock) {  // split: the upper half becomes block b + 1
    const auto half = block.begin() + static_cast<std::ptrdiff_t>(block.size() / 2);
    Block upper(std::make_move_iterator(half), std::make_move_iterator(block.end()));
    block.erase(half, block.end());
    first_bases_.insert(first_bases_.begin() + static_cast<std::ptrdiff_t>(b) + 1, upper.front().base);
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
  }
  return added;
}

void AllocationTable::erase(std::uint64_t base) {
  const const_iterator at = find(base);
  if (at == end()) return;
  --size_;
  Block& block = blocks_[at.block_];
  block.erase(block.begin() + static_cast<std::ptrdiff_t>(at.index_));
  if (block.empty()) {  // blocks are never empty
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(at.block_));
    first_bases_.erase(first_bases_.begin() + static_cast<std::ptrdiff_t>(at.block_));
  } else {
    first_bases_[at.block_] = block.front().base;
  }
}

void AllocationTable::remember_page(std::uint64_t base, std::uint64_t page, const void* block) {
  const const_iterator at = find(base);
  if (at == end()) return;
  Entry& e = blocks_[at.block_][at.index_];
  e.page = block == nullptr ? 0 : page;
  e.page_block = block;
}

std::optional<std::string> AllocationTable::check_index() const {
  if (first_bases_.size() != blocks_.size()) return "index: block count and first bases differ";
  std::size_t listed = 0;
  const value_type* previous = nullptr;
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    if (block.empty() || block.size() > kMaxBlock) return "index: block " + std::to_string(b) + " has a wrong size";
    if (first_bases_[b] != block.front().base) return "index: first base of block " + std::to_string(b) + " is stale";
    for (const Entry& e : block) {
      if (e.record->first != e.base || e.record->second.base != e.base)
        return "index: entry " + hex(e.base) + " points at the record of " + hex(e.record->first);
      if (e.end != e.base + e.record->second.size) return "index: entry " + hex(e.base) + " has a stale end";
      if (previous != nullptr && previous->first >= e.base) return "index: entry " + hex(e.base) + " out of order";
      if (e.page_block != nullptr) {  // the remembered page is one the allocation stores, there
        const Allocation& a = e.record->second;
        const auto stored = e.page < e.base || e.page >= e.end || (e.page - e.base) % page_size_ != 0
                                ? a.pages.end()
                                : a.pages.find((e.page - e.base) / page_size_);
        if (stored == a.pages.end() || stored->second.block() != e.page_block)
          return "index: entry " + hex(e.base) + " remembers page " + hex(e.page) + ", which it does not store there";
      }
      previous = e.record.get();
      ++listed;
    }
  }
  if (listed != size_) return "index: lists " + std::to_string(listed) + " allocations, the table holds " + std::to_string(size_);
  return std::nullopt;
}

}  // namespace vmc
