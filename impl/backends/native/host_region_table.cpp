// host_region_table.cpp - the host's region table itself: construction and teardown, the
// protection vocabulary, page-run bookkeeping, lookups, VirtualQuery and fault injection.
//
// The operations that change memory live next to this file: host_region_allocate.cpp
// (AllocateVirtualMemory), host_region_free.cpp (VirtualFree) and host_region_access.cpp
// (ReadVirtual / WriteVirtual). All of them follow src/reference_model.cpp rule by rule.
#include "host_region_table.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <iterator>
#include <stdexcept>

namespace vmc {

namespace {
std::uint32_t base_protection(std::uint32_t protect) { return protect & 0xFF; }
}  // namespace

int posix_protection(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return PROT_NONE;  // the guard bit lives in the table only
  switch (base_protection(protect)) {
    case PAGE_READONLY: return PROT_READ;
    case PAGE_READWRITE: return PROT_READ | PROT_WRITE;
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ: return PROT_READ | PROT_EXEC;
    case PAGE_EXECUTE_READWRITE: return PROT_READ | PROT_WRITE | PROT_EXEC;
    default: return PROT_NONE;
  }
}

bool win32_readable_protection(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return false;
  switch (base_protection(protect)) {
    case PAGE_READONLY:
    case PAGE_READWRITE:
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_READWRITE: return true;
    default: return false;
  }
}

bool win32_writable_protection(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return false;
  switch (base_protection(protect)) {
    case PAGE_READWRITE:
    case PAGE_EXECUTE_READWRITE:
    case PAGE_EXECUTE:
    case PAGE_EXECUTE_READ: return true;
    default: return false;
  }
}

RegionTableTarget::RegionTableTarget(std::unique_ptr<VmPrimitives> primitives,
                                     RegionTableConfig config)
    : owned_primitives_(std::move(primitives)), primitives_(owned_primitives_.get()),
      config_(config) {
  check_configuration();
}

RegionTableTarget::RegionTableTarget(VmPrimitives& primitives, RegionTableConfig config)
    : primitives_(&primitives), config_(config) {
  check_configuration();
}

void RegionTableTarget::check_configuration() const {
  if (primitives_ == nullptr) throw std::invalid_argument("RegionTableTarget: no primitives");
  const std::uint32_t os_page = primitives_->os_page_size();
  if (os_page == 0 || config_.page_size == 0 || config_.page_size % os_page != 0 ||
      config_.allocation_granularity == 0 ||
      config_.allocation_granularity % config_.page_size != 0 ||
      config_.lowest_address > config_.highest_address)
    throw std::invalid_argument("RegionTableTarget: page size / granularity do not fit the OS");
}

RegionTableTarget::~RegionTableTarget() {
  std::lock_guard lock(mutex_);
  for (const auto& [base, a] : allocations_) primitives_->unmap(base, a.mapped_size);
  allocations_.clear();
}

std::vector<HostAllocation> RegionTableTarget::allocations() const {
  std::lock_guard lock(mutex_);
  std::vector<HostAllocation> out;
  out.reserve(allocations_.size());
  for (const auto& [base, a] : allocations_) out.push_back(a);
  return out;
}

bool RegionTableTarget::inject_host_fault(hresult code) {
  std::lock_guard lock(mutex_);
  pending_fault_ = code;
  return true;
}

hresult RegionTableTarget::hresult_from_errno(int error) const {
  // Running out of address space, mappings (vm.max_map_count) or commit charge.
  if (error == ENOMEM || error == EAGAIN) return HR_NOT_ENOUGH_MEMORY;
  return HR_INVALID_ADDRESS;  // EEXIST, or a range the OS (or a sanitizer) will not map
}

// ---------------------------------------------------------------------------------------
// Lookups and page runs
// ---------------------------------------------------------------------------------------
const HostAllocation* RegionTableTarget::allocation_containing_locked(std::uint64_t address) const {
  auto it = allocations_.upper_bound(address);
  if (it == allocations_.begin()) return nullptr;
  --it;
  const HostAllocation& a = it->second;
  return address - a.base < a.size ? &a : nullptr;
}

HostAllocation* RegionTableTarget::find_allocation(std::uint64_t address) {
  return const_cast<HostAllocation*>(allocation_containing_locked(address));
}

bool RegionTableTarget::conflicts_with_table(std::uint64_t base, std::uint64_t end) const {
  // A reservation owns whole granules, [a.base, round_up(a.base + a.size, G)), whether or not
  // the tail could be mapped. Bases are aligned, so only the neighbours around `base` matter.
  const std::uint64_t g = config_.allocation_granularity;
  auto at_or_after = allocations_.lower_bound(base);
  if (at_or_after != allocations_.end() && at_or_after->first < end) return true;
  if (at_or_after != allocations_.begin()) {
    const HostAllocation& before = std::prev(at_or_after)->second;
    if (round_down(before.base + before.size + g - 1, g) > base) return true;
  }
  return false;
}

HostPageRun RegionTableTarget::run_at(const HostAllocation& a, std::uint64_t page) const {
  auto it = a.runs.upper_bound(page);
  return std::prev(it)->second;  // there is always a run at page 0
}

RegionTableTarget::Segment RegionTableTarget::segment_at(const HostAllocation& a,
                                                         std::uint64_t address,
                                                         std::uint64_t limit) const {
  const std::uint64_t page = page_index(a, address);
  auto after = a.runs.upper_bound(page);
  const HostPageRun run = std::prev(after)->second;
  const std::uint64_t run_end =
      after == a.runs.end() ? a.base + a.size : a.base + after->first * config_.page_size;
  return Segment{address, run_end < limit ? run_end : limit, run};
}

void RegionTableTarget::set_runs(HostAllocation& a, std::uint64_t first_page,
                                 std::uint64_t count, HostPageRun run) {
  const std::uint64_t end = first_page + count;
  if (end < a.size / config_.page_size) a.runs.emplace(end, run_at(a, end));  // split at end
  a.runs.erase(a.runs.lower_bound(first_page), a.runs.lower_bound(end));
  auto it = a.runs.emplace(first_page, run).first;
  auto next = std::next(it);
  if (next != a.runs.end() && next->second == run) a.runs.erase(next);
  if (it != a.runs.begin() && std::prev(it)->second == run) a.runs.erase(it);
}

void RegionTableTarget::restore_protection(const HostAllocation& a, std::uint64_t first,
                                           std::uint64_t count) {
  const std::uint64_t begin = a.base + first * config_.page_size;
  const std::uint64_t end = begin + count * config_.page_size;
  for (std::uint64_t at = begin; at < end;) {
    const Segment s = segment_at(a, at, end);
    primitives_->protect(s.begin, s.end - s.begin,
                         s.run.committed ? posix_protection(s.run.protect) : PROT_NONE);
    at = s.end;
  }
}

// ---------------------------------------------------------------------------------------
// VirtualQuery
// ---------------------------------------------------------------------------------------
hresult RegionTableTarget::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (info == nullptr) return E_POINTER;
  if (address > config_.highest_address) return E_INVALIDARG;
  std::lock_guard lock(mutex_);
  const std::uint64_t page = round_down(address, config_.page_size);
  *info = RegionInfo{};
  info->base_address = page;
  const HostAllocation* a = allocation_containing_locked(page);
  if (a == nullptr) {
    // Not the host's: reported free up to the next host allocation, as the model does.
    auto next = allocations_.upper_bound(page);
    const std::uint64_t end =
        next == allocations_.end() ? config_.highest_address + 1 : next->first;
    info->region_size = end - page;
    info->state = MEM_FREE;
    info->protect = PAGE_NOACCESS;
    return S_OK;
  }
  const Segment s = segment_at(*a, page, a->base + a->size);
  info->allocation_base = a->base;
  info->allocation_protect = a->allocation_protect;
  info->region_size = s.end - page;
  info->state = s.run.committed ? MEM_COMMIT : MEM_RESERVE;
  info->protect = s.run.committed ? s.run.protect : 0;
  info->type = MEM_PRIVATE;
  return S_OK;
}

}  // namespace vmc
