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
  blocks_.clear();
  first_bases_.clear();
  for (auto node = map_.begin(); node != map_.end(); ++node) {
    if (blocks_.empty() || blocks_.back().bases.size() == kMaxBlock / 2) {
      blocks_.emplace_back();
      first_bases_.push_back(node->first);
    }
    blocks_.back().bases.push_back(node->first);
    blocks_.back().nodes.push_back(node);
  }
}

std::size_t AllocationTable::block_for(std::uint64_t address) const {
  const auto after = std::upper_bound(first_bases_.begin(), first_bases_.end(), address);
  if (after == first_bases_.begin()) return kNone;  // every base is above `address`
  return static_cast<std::size_t>(after - first_bases_.begin()) - 1;
}

const Allocation* AllocationTable::last_at_or_before(std::uint64_t address) const {
  const std::size_t b = block_for(address);
  if (b == kNone) return nullptr;
  const Block& block = blocks_[b];
  // The block's first base is <= address, so the slot found is at least 0.
  const auto slot = std::upper_bound(block.bases.begin(), block.bases.end(), address) - block.bases.begin() - 1;
  return &block.nodes[static_cast<std::size_t>(slot)]->second;
}

const Allocation* AllocationTable::first_after(std::uint64_t address) const {
  if (blocks_.empty()) return nullptr;
  const std::size_t b = block_for(address);
  if (b == kNone) return &blocks_.front().nodes.front()->second;  // every base is above
  const Block& block = blocks_[b];
  const auto slot = static_cast<std::size_t>(
      std::upper_bound(block.bases.begin(), block.bases.end(), address) - block.bases.begin());
  if (slot < block.bases.size()) return &block.nodes[slot]->second;
  return b + 1 < blocks_.size() ? &blocks_[b + 1].nodes.front()->second : nullptr;
}

Allocation& AllocationTable::insert(Allocation a) {
  const std::uint64_t base = a.base;
  if (blocks_.empty()) {
    const Map::iterator node = map_.emplace(base, std::move(a)).first;
    blocks_.push_back({{base}, {node}});
    first_bases_.push_back(base);
    return node->second;
  }
  // Into the block that would hold it (the first block if `base` is below every base).
  std::size_t b = block_for(base);
  if (b == kNone) b = 0;
  Block& block = blocks_[b];
  const auto slot = std::upper_bound(block.bases.begin(), block.bases.end(), base) - block.bases.begin();
  // The next allocation's node (or the map's end) tells the map where the new node goes.
  const Map::iterator next = static_cast<std::size_t>(slot) < block.nodes.size() ? block.nodes[static_cast<std::size_t>(slot)]
                             : b + 1 < blocks_.size()                          ? blocks_[b + 1].nodes.front()
                                                                               : map_.end();
  const Map::iterator node = map_.emplace_hint(next, base, std::move(a));
  block.bases.insert(block.bases.begin() + slot, base);
  block.nodes.insert(block.nodes.begin() + slot, node);
  first_bases_[b] = block.bases.front();
  if (block.bases.size() > kMaxBlock) {  // split: the upper half becomes block b + 1
    const auto half = static_cast<std::ptrdiff_t>(block.bases.size() / 2);
    Block upper{{block.bases.begin() + half, block.bases.end()}, {block.nodes.begin() + half, block.nodes.end()}};
    block.bases.erase(block.bases.begin() + half, block.bases.end());
    block.nodes.erase(block.nodes.begin() + half, block.nodes.end());
    first_bases_.insert(first_bases_.begin() + static_cast<std::ptrdiff_t>(b) + 1, upper.bases.front());
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
  }
  return node->second;
}

void AllocationTable::erase(std::uint64_t base) {
  const std::size_t b = block_for(base);
  if (b == kNone) return;
  Block& block = blocks_[b];
  const auto slot = std::lower_bound(block.bases.begin(), block.bases.end(), base) - block.bases.begin();
  if (static_cast<std::size_t>(slot) == block.bases.size() || block.bases[static_cast<std::size_t>(slot)] != base) return;
  map_.erase(block.nodes[static_cast<std::size_t>(slot)]);
  block.bases.erase(block.bases.begin() + slot);
  block.nodes.erase(block.nodes.begin() + slot);
  if (block.bases.empty()) {  // blocks are never empty
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    first_bases_.erase(first_bases_.begin() + static_cast<std::ptrdiff_t>(b));
  } else {
    first_bases_[b] = block.bases.front();
  }
}

std::optional<std::string> AllocationTable::check_index() const {
  if (first_bases_.size() != blocks_.size()) return "index: block count and first bases differ";
  auto node = map_.cbegin();
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    if (block.bases.empty() || block.bases.size() > kMaxBlock || block.nodes.size() != block.bases.size())
      return "index: block " + std::to_string(b) + " has a wrong size";
    if (first_bases_[b] != block.bases.front()) return "index: first base of block " + std::to_string(b) + " is stale";
    for (std::size_t i = 0; i < block.bases.size(); ++i, ++node) {
      if (node == map_.cend() || block.nodes[i] != node || node->first != block.bases[i])
        return "index: entry " + hex(block.bases[i]) + " does not match the allocations in order";
    }
  }
  if (node != map_.cend()) return "index: allocation " + hex(node->first) + " is missing from the index";
  return std::nullopt;
}

}  // namespace vmc
