// allocation_table.cpp - the reference model's allocations by base, and the index that finds the
// allocation holding an address (see AllocationTable in reference_model.hpp).
#include <algorithm>

#include "vmconform/reference_model.hpp"

namespace vmc {

AllocationTable& AllocationTable::operator=(const AllocationTable& other) {
  if (this != &other) {
    map_ = other.map_;
    rebuild_index();
  }
  return *this;
}

void AllocationTable::rebuild_index() {
  // Half-full blocks, so that the next insertions do not split at once.
  constexpr std::size_t per_block = kMaxBlock / 2;
  blocks_.clear();
  first_bases_.clear();
  blocks_.reserve((map_.size() + per_block - 1) / per_block);
  first_bases_.reserve(blocks_.capacity());
  std::size_t left = map_.size();
  for (auto node = map_.begin(); node != map_.end(); ++node, --left) {
    if (blocks_.empty() || blocks_.back().size() == per_block) {
      blocks_.emplace_back().reserve(std::min(left, per_block));
      first_bases_.push_back(node->first);
    }
    blocks_.back().push_back({node->first, node->first + node->second.size, node});
  }
}

std::size_t AllocationTable::block_for(std::uint64_t address) const {
  const auto after = std::upper_bound(first_bases_.begin(), first_bases_.end(), address);
  if (after == first_bases_.begin()) return kNone;  // every base is above `address`
  return static_cast<std::size_t>(after - first_bases_.begin()) - 1;
}

const AllocationTable::Entry* AllocationTable::entry_at_or_before(std::uint64_t address) const {
  const std::size_t b = block_for(address);
  if (b == kNone) return nullptr;
  const Block& block = blocks_[b];
  // A linear scan, not a binary search: its loads do not depend on each other, so the block's
  // cache lines arrive together instead of one after the other (a binary search was measured
  // slower). The block's first base is <= address, so the entry before the first one above it
  // is in the block.
  const auto above = std::find_if(block.begin() + 1, block.end(), [&](const Entry& e) { return e.base > address; });
  return &*std::prev(above);
}

const Allocation* AllocationTable::last_at_or_before(std::uint64_t address) const {
  const Entry* e = entry_at_or_before(address);
  return e == nullptr ? nullptr : &e->node->second;
}

const Allocation* AllocationTable::containing(std::uint64_t address) const {
  const Entry* e = entry_at_or_before(address);
  return e == nullptr || address >= e->end ? nullptr : &e->node->second;
}

std::uint64_t AllocationTable::end_of_last_at_or_before(std::uint64_t address) const {
  const Entry* e = entry_at_or_before(address);
  return e == nullptr ? 0 : e->end;
}

const Allocation* AllocationTable::first_after(std::uint64_t address) const {
  if (blocks_.empty()) return nullptr;
  const std::size_t b = block_for(address);
  if (b == kNone) return &blocks_.front().front().node->second;  // every base is above
  const Block& block = blocks_[b];
  const auto above = std::find_if(block.begin(), block.end(), [&](const Entry& e) { return e.base > address; });
  if (above != block.end()) return &above->node->second;
  return b + 1 < blocks_.size() ? &blocks_[b + 1].front().node->second : nullptr;
}

Allocation& AllocationTable::insert(Allocation a) {
  const std::uint64_t base = a.base;
  if (blocks_.empty()) {
    const Map::iterator node = map_.emplace(base, std::move(a)).first;
    blocks_.push_back({{base, base + node->second.size, node}});
    first_bases_.push_back(base);
    return node->second;
  }
  // Into the block that would hold it (the first block if `base` is below every base).
  std::size_t b = block_for(base);
  if (b == kNone) b = 0;
  Block& block = blocks_[b];
  const auto at = std::find_if(block.begin(), block.end(), [&](const Entry& e) { return e.base > base; });
  // The next allocation's node (or the map's end) tells the map where the new node goes.
  const Map::iterator next = at != block.end()           ? at->node
                             : b + 1 < blocks_.size() ? blocks_[b + 1].front().node
                                                      : map_.end();
  const Map::iterator node = map_.emplace_hint(next, base, std::move(a));
  block.insert(at, {base, base + node->second.size, node});
  first_bases_[b] = block.front().base;
  if (block.size() > kMaxBlock) {  // split: the upper half becomes block b + 1
    const auto half = block.begin() + static_cast<std::ptrdiff_t>(block.size() / 2);
    Block upper(half, block.end());
    block.erase(half, block.end());
    first_bases_.insert(first_bases_.begin() + static_cast<std::ptrdiff_t>(b) + 1, upper.front().base);
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
  }
  return node->second;
}

void AllocationTable::erase(std::uint64_t base) {
  const std::size_t b = block_for(base);
  if (b == kNone) return;
  Block& block = blocks_[b];
  const auto at = std::find_if(block.begin(), block.end(), [&](const Entry& e) { return e.base >= base; });
  if (at == block.end() || at->base != base) return;
  map_.erase(at->node);
  block.erase(at);
  if (block.empty()) {  // blocks are never empty
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    first_bases_.erase(first_bases_.begin() + static_cast<std::ptrdiff_t>(b));
  } else {
    first_bases_[b] = block.front().base;
  }
}

std::optional<std::string> AllocationTable::check_index() const {
  if (first_bases_.size() != blocks_.size()) return "index: block count and first bases differ";
  auto node = map_.cbegin();
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    if (block.empty() || block.size() > kMaxBlock) return "index: block " + std::to_string(b) + " has a wrong size";
    if (first_bases_[b] != block.front().base) return "index: first base of block " + std::to_string(b) + " is stale";
    for (const Entry& e : block) {
      if (node == map_.cend() || e.node != node || node->first != e.base ||
          e.end != e.base + node->second.size)
        return "index: entry " + hex(e.base) + " does not match the allocations in order";
      ++node;
    }
  }
  if (node != map_.cend()) return "index: allocation " + hex(node->first) + " is missing from the index";
  return std::nullopt;
}

}  // namespace vmc
