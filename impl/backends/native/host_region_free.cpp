// host_region_free.cpp - IHostMemoryManager::VirtualFree for RegionTableTarget.
//
// Checks in the order of ReferenceModel::virtual_free (host failures, free type, release size,
// foreign memory, base, range). Release unmaps everything the reservation holds, granule tail
// included. Decommit makes the pages PROT_NONE first and then discards their contents, so a
// later commit reads zero; if either primitive fails the table's protections are re-applied and
// nothing is recorded.
#include <sys/mman.h>

#include "host_region_table.hpp"

namespace vmc {

hresult RegionTableTarget::virtual_free(std::uint64_t address, std::uint64_t size,
                                        std::uint32_t free_type) {
  std::lock_guard lock(mutex_);
  // VF-EFAIL-STICKY: after E_FAIL the host is unusable.
  if (clr_unavailable_) return HOST_E_CLRNOTAVAILABLE;
  if (pending_fault_) {
    const hresult fault = *pending_fault_;
    pending_fault_.reset();
    if (fault == E_FAIL) clr_unavailable_ = true;
    return fault;  // X-NO-EFFECT-ON-FAIL
  }
  // VF-FREE-TYPE, VF-RELEASE-SIZE.
  if (free_type != MEM_DECOMMIT && free_type != MEM_RELEASE) return E_INVALIDARG;
  if (free_type == MEM_RELEASE && size != 0) return E_INVALIDARG;
  // VF-FOREIGN: only addresses inside a live host reservation (not its granule tail).
  HostAllocation* a = find_allocation(address);
  if (a == nullptr) return HOST_E_INVALIDOPERATION;
  const std::uint64_t page = config_.page_size;
  const bool in_first_page = round_down(address, page) == a->base;

  if (free_type == MEM_RELEASE) {
    if (!in_first_page) return HR_INVALID_ADDRESS;  // VF-RELEASE-BASE
    return release(*a);                             // VF-RELEASE-WHOLE
  }
  if (size == 0) {
    if (!in_first_page) return HR_INVALID_ADDRESS;  // VF-DECOMMIT-WHOLE
    return decommit(*a, 0, a->size / page);
  }
  // VF-DECOMMIT-RANGE, VF-SPAN: every page holding a byte of the range, inside this reservation.
  const std::uint64_t first = round_down(address, page);
  if (address + size < address) return E_INVALIDARG;
  const std::uint64_t end = round_down(address + size + page - 1, page);
  if (end < first || end > a->base + a->size) return E_INVALIDARG;
  return decommit(*a, page_index(*a, first), (end - first) / page);
}

hresult RegionTableTarget::release(HostAllocation& a) {
  const std::uint64_t base = a.base;  // `a` dies with the erase
  if (primitives_->unmap(base, a.mapped_size) != 0) return HR_NOT_ENOUGH_MEMORY;
  allocations_.erase(base);
  return S_OK;
}

hresult RegionTableTarget::decommit(HostAllocation& a, std::uint64_t first, std::uint64_t count) {
  const std::uint64_t begin = a.base + first * config_.page_size;
  const std::uint64_t length = count * config_.page_size;
  if (primitives_->protect(begin, length, PROT_NONE) != 0 ||
      primitives_->discard(begin, length) != 0) {
    restore_protection(a, first, count);
    return HR_NOT_ENOUGH_MEMORY;
  }
  set_runs(a, first, count, HostPageRun{false, 0});
  return S_OK;
}

}  // namespace vmc
