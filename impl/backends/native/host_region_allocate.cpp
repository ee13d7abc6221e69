// host_region_allocate.cpp - AllocateVirtualMemory for RegionTableTarget.
//
// Validation follows ReferenceModel::allocate_virtual_memory check by check. A reservation maps
// its whole granule range PROT_NONE (MAP_NORESERVE): [base, round_up(base + size, G)); the tail
// past the last page stays PROT_NONE and belongs to the table, so nothing else lands there and
// no access through the target reaches it. Committing is an mprotect of pages that are always
// zero while reserved (fresh mappings, or discarded by decommit), so commit never copies. When
// the system chooses, one fixed no-replace mmap at a remembered aligned guess (just below the last
// reservation: the kernel maps top-down) is tried before the over-map-and-trim path; a committed
// reservation made that way maps only its pages, with their final protection, in that one call
// (mapped_size == size: the granule tail is unmapped, still owned by the table).
#include <sys/mman.h>

#include <cerrno>

#include "host_region_table.hpp"
#include "vmconform/reference_model.hpp"  // valid_page_protection

namespace vmc {

namespace {
constexpr std::uint32_t kKnownAllocTypes = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN;

hresult protect_failure(int error) {
  if (error == ENOMEM || error == EAGAIN) return HR_NOT_ENOUGH_MEMORY;
  return hresult_from_win32(ERROR_ACCESS_DENIED);  // e.g. a W^X policy refusing PROT_EXEC
}
}  // namespace

hresult RegionTableTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                                   std::uint32_t type, std::uint32_t protect,
                                                   std::uint64_t* allocated_address) {
  if (allocated_address == nullptr) return E_POINTER;
  *allocated_address = 0;  // win32: 0 after every failure
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  // AVM-INVALID: COMMIT, RESERVE, both, or RESET alone; size; protection; user range.
  if ((type & ~kKnownAllocTypes) != 0) return E_INVALIDARG;
  if (kind != MEM_COMMIT && kind != MEM_RESERVE && kind != (MEM_COMMIT | MEM_RESERVE) &&
      kind != MEM_RESET)
    return E_INVALIDARG;
  if (kind == MEM_RESET && type != MEM_RESET) return E_INVALIDARG;
  if (size == 0) return E_INVALIDARG;
  if (!valid_page_protection(protect)) return E_INVALIDARG;
  if (address != 0 && (address < config_.lowest_address ||
                       address + size - 1 > config_.highest_address || address + size < address))
    return E_INVALIDARG;

  const std::uint64_t page = config_.page_size;
  const bool commit = (kind & MEM_COMMIT) != 0;
  std::lock_guard lock(mutex_);
  if (kind == MEM_RESET) return reset(address, size, allocated_address);
  if (address == 0) {
    // AVM-BASE, AVM-ROUND: the OS picks the base; MEM_COMMIT alone at 0 also reserves.
    return reserve_at_system_choice(round_down(size + page - 1, page), commit, protect,
                                    allocated_address);
  }
  if (kind & MEM_RESERVE) {
    // AVM-BASE: base rounded down to the granularity, every page holding a requested byte.
    const std::uint64_t base = round_down(address, config_.allocation_granularity);
    const std::uint64_t end = round_down(address + size + page - 1, page);
    return reserve_at(base, end - base, commit, protect, allocated_address);
  }
  return commit_existing(address, size, protect, allocated_address);  // AVM-COMMIT-RESERVED
}

hresult RegionTableTarget::reserve_at_system_choice(std::uint64_t size, bool commit,
                                                    std::uint32_t protect,
                                                    std::uint64_t* allocated_address) {
  const std::uint64_t g = config_.allocation_granularity;
  const std::uint64_t owned = round_down(size + g - 1, g);
  int error = 0;
  // Fast path, one system call: a fixed, no-replace mapping at an aligned guess (next_guess_).
  // The kernel refuses it if anything at all is mapped there (sanitizers' shadow memory, another
  // library), and then the general path below runs.
  // A committed reservation maps just its pages, already with their final protection (map_with:
  // one mmap here); its granule tail then stays unmapped but still belongs to the table. Any
  // failure (occupied, or a protection the kernel refuses) falls back to the general path, which
  // reports errors the usual way.
  const std::uint64_t guess = next_guess_;
  next_guess_ = 0;
  if (guess != 0 && guess % g == 0 && guess >= config_.lowest_address &&
      guess + size - 1 <= config_.highest_address && guess + owned > guess &&
      !conflicts_with_table(guess, guess + owned)) {
    if (commit && primitives_->map_with(guess, size, true, posix_protection(protect), &error) != 0) {
      next_guess_ = guess > owned ? guess - owned : 0;
      return record_reservation(guess, size, size, true, protect, allocated_address);
    }
    if (!commit && primitives_->map_none(guess, owned, true, &error) != 0) {
      next_guess_ = guess > owned ? guess - owned : 0;
      return record_reservation(guess, size, owned, false, protect, allocated_address);
    }
  }
  // General path: map enough that some granularity-aligned address has `owned` bytes after it,
  // then trim the head and the rest of the tail. The kernel picks the place.
  const std::uint64_t span = owned + g - primitives_->os_page_size();
  const std::uint64_t mapped = primitives_->map_none(0, span, false, &error);
  if (mapped == 0) return HR_NOT_ENOUGH_MEMORY;
  const std::uint64_t base = round_down(mapped + g - 1, g);
  if (base > mapped) primitives_->unmap(mapped, base - mapped);
  if (mapped + span > base + owned) primitives_->unmap(base + owned, mapped + span - base - owned);
  if (base < config_.lowest_address || base + size - 1 > config_.highest_address ||
      conflicts_with_table(base, base + size)) {
    primitives_->unmap(base, owned);  // not a place the host may hand out
    return HR_NOT_ENOUGH_MEMORY;
  }
  next_guess_ = base > owned ? base - owned : 0;  // the kernel maps top-down: below is likely free
  return finish_reservation(base, size, owned, commit, protect, allocated_address);
}

hresult RegionTableTarget::reserve_at(std::uint64_t base, std::uint64_t size, bool commit,
                                      std::uint32_t protect, std::uint64_t* allocated_address) {
  // AVM-INVALID: no overlap with another reservation or its granule tail...
  if (conflicts_with_table(base, base + size)) return HR_INVALID_ADDRESS;
  // ...nor with anything else mapped in the process (MAP_FIXED_NOREPLACE says EEXIST).
  const std::uint64_t g = config_.allocation_granularity;
  const std::uint64_t owned = round_down(base + size + g - 1, g) - base;
  int error = 0;
  std::uint64_t mapped_size = owned;
  if (primitives_->map_none(base, owned, true, &error) == 0) {
    if (error != EEXIST || owned == size) return hresult_from_errno(error);
    // Something else already sits in the granule tail (it was never ours): hold the pages only.
    mapped_size = size;
    if (primitives_->map_none(base, size, true, &error) == 0) return hresult_from_errno(error);
  }
  return finish_reservation(base, size, mapped_size, commit, protect, allocated_address);
}

hresult RegionTableTarget::finish_reservation(std::uint64_t base, std::uint64_t size,
                                              std::uint64_t mapped_size, bool commit,
                                              std::uint32_t protect,
                                              std::uint64_t* allocated_address) {
  // AVM-RESERVE-ONLY / AVM-ZERO: fresh anonymous pages read as zero once accessible.
  const int prot = posix_protection(protect);
  if (commit && prot != PROT_NONE) {
    if (const int error = primitives_->protect(base, size, prot); error != 0) {
      primitives_->unmap(base, mapped_size);
      return protect_failure(error);
    }
  }
  return record_reservation(base, size, mapped_size, commit, protect, allocated_address);
}

hresult RegionTableTarget::record_reservation(std::uint64_t base, std::uint64_t size,
                                              std::uint64_t mapped_size, bool commit,
                                              std::uint32_t protect,
                                              std::uint64_t* allocated_address) {
  HostAllocation a;
  a.base = base;
  a.size = size;
  a.mapped_size = mapped_size;
  a.allocation_protect = protect;
  a.runs[0] = commit ? HostPageRun{true, protect} : HostPageRun{false, 0};
  allocations_.emplace(base, std::move(a));
  *allocated_address = base;
  return S_OK;
}

hresult RegionTableTarget::commit_existing(std::uint64_t address, std::uint32_t size,
                                           std::uint32_t protect,
                                           std::uint64_t* allocated_address) {
  const std::uint64_t page = config_.page_size;
  const std::uint64_t first = round_down(address, page);
  const std::uint64_t end = round_down(address + size + page - 1, page);
  HostAllocation* a = find_allocation(first);
  // AVM-COMMIT-RESERVED: every page inside one host reservation.
  if (a == nullptr || end > a->base + a->size) return HR_INVALID_ADDRESS;
  const std::uint64_t p0 = page_index(*a, first), count = (end - first) / page;
  // AVM-ZERO: reserved pages are zero already. AVM-RECOMMIT-KEEPS: mprotect keeps the bytes of
  // committed pages and applies the new protection.
  if (const int error = primitives_->protect(first, end - first, posix_protection(protect));
      error != 0) {
    restore_protection(*a, p0, count);
    return protect_failure(error);
  }
  set_runs(*a, p0, count, HostPageRun{true, protect});
  *allocated_address = first;
  return S_OK;
}

hresult RegionTableTarget::reset(std::uint64_t address, std::uint32_t size,
                                 std::uint64_t* allocated_address) {
  // AVM-RESET: inside one host reservation; no page state changes. The contents are kept
  // (Windows may keep or discard them; keeping them is what the model does).
  if (address == 0) return E_INVALIDARG;
  const std::uint64_t page = config_.page_size;
  const std::uint64_t first = round_down(address, page);
  const std::uint64_t end = round_down(address + size + page - 1, page);
  const HostAllocation* a = allocation_containing_locked(first);
  if (a == nullptr || end > a->base + a->size) return HR_INVALID_ADDRESS;
  *allocated_address = first;
  return S_OK;
}

}  // namespace vmc
