// arena_primitives.cpp - mappings served from one arena (arena_primitives.hpp).
#include "arena_primitives.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>

namespace vmc {

ArenaPrimitives::ArenaPrimitives(std::unique_ptr<VmPrimitives> inner) : inner_(std::move(inner)) {
  int error = 0;
  begin_ = inner_->map_none(0, kArenaSize, false, &error);
  if (begin_ == 0)
    throw std::runtime_error("cannot reserve an arena of " + std::to_string(kArenaSize >> 30) +
                             " GiB of address space: " + std::strerror(error));
  end_ = begin_ + kArenaSize;
}

ArenaPrimitives::~ArenaPrimitives() { inner_->unmap(begin_, kArenaSize); }

bool ArenaPrimitives::in_use(std::uint64_t address, std::uint64_t size) const {
  auto it = used_.upper_bound(address);
  if (it != used_.begin() && std::prev(it)->second > address) return true;
  return it != used_.end() && it->first < address + size;
}

bool ArenaPrimitives::all_used(std::uint64_t address, std::uint64_t size) const {
  std::uint64_t at = address;
  const std::uint64_t end = address + size;
  auto it = used_.upper_bound(at);
  if (it == used_.begin()) return false;
  for (--it; it != used_.end() && at < end; ++it) {
    if (it->first > at || it->second <= at) return false;
    at = it->second;
  }
  return at >= end;
}

std::uint64_t ArenaPrimitives::find_free(std::uint64_t size) const {
  const std::uint64_t page = inner_->os_page_size();
  std::uint64_t top = end_ - kMargin;  // free space ends here (exclusive)
  const std::uint64_t floor = begin_ + kMargin;
  for (auto it = used_.rbegin();; ++it) {
    const std::uint64_t bottom = it == used_.rend() ? floor : std::max(it->second, floor);
    if (top >= bottom + size) return (top - size) / page * page;
    if (it == used_.rend()) return 0;
    top = std::min(top, it->first);
    if (top <= floor) return 0;
  }
}

std::uint64_t ArenaPrimitives::map_none(std::uint64_t address, std::uint64_t size, bool fixed, int* error) {
  return map_with(address, size, fixed, PROT_NONE, error);
}

std::uint64_t ArenaPrimitives::map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot, int* error) {
  const auto refuse = [error](int e) {
    if (error != nullptr) *error = e;
    return std::uint64_t{0};
  };
  if (size == 0) return refuse(EINVAL);
  if (fixed) {
    if (address < begin_ || address + size > end_ || address + size < address || in_use(address, size))
      return refuse(EEXIST);  // outside the arena counts as someone else's
  } else {
    address = find_free(size);
    if (address == 0) return refuse(ENOMEM);
  }
  // The pages are mapped already (PROT_NONE, zero): mapping them is giving them their protection.
  if (prot != PROT_NONE)
    if (const int e = inner_->protect(address, size, prot); e != 0) return refuse(e);
  used_[address] = address + size;
  return address;
}

int ArenaPrimitives::protect(std::uint64_t address, std::uint64_t size, int prot) {
  if (!all_used(address, size)) return ENOMEM;  // as mprotect on pages that are not mapped
  return inner_->protect(address, size, prot);
}

int ArenaPrimitives::unmap(std::uint64_t address, std::uint64_t size) {
  if (size == 0) return EINVAL;
  const std::uint64_t end = address + size;
  // Back to PROT_NONE and zero (pages never mapped are already both).
  if (const int e = inner_->protect(address, size, PROT_NONE); e != 0) return e;
  inner_->discard(address, size);
  // Drop [address, end) from the bookkeeping, splitting the ranges it cuts.
  auto it = used_.upper_bound(address);
  if (it != used_.begin()) --it;
  while (it != used_.end() && it->first < end) {
    const std::uint64_t b = it->first, e = it->second;
    if (e <= address) {
      ++it;
      continue;
    }
    it = used_.erase(it);
    if (b < address) used_[b] = address;
    if (e > end) used_[end] = e;
  }
  return 0;
}

}  // namespace vmc
