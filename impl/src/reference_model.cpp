// reference_model.cpp - the oracle's operations, one function per documented operation.
//
// Read each function top to bottom next to spec/rules.json: every check names the rule it
// implements (IMPL: <rule>). Choices the documents leave open follow the `win32` profile
// (spec/profiles.md). Clarity first; the one concession to speed is in the data structures
// (AllocationTable's index and the stored page it remembers, page bytes kept in their
// allocation): finding the allocation and the bytes of a page costs a few cache misses among
// 100,000 allocations (reports/benchmarks). own_page and drop_bytes tell the index which page
// to remember; nothing else here depends on it.
#include "vmconform/reference_model.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace vmc {

namespace {
constexpr std::uint32_t kBaseProtections[] = {PAGE_NOACCESS,     PAGE_READONLY,
                                              PAGE_READWRITE,    PAGE_EXECUTE,
                                              PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE};
constexpr std::uint32_t kModifiers = PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE;
constexpr std::uint32_t kKnownAllocTypes = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN;
// A simulated executable image, present before the host allocates anything (VF-FOREIGN).
constexpr std::uint64_t kImageBase = 0x400000;
constexpr std::uint64_t kImageSize = 0x100000;

std::uint32_t base_protection(std::uint32_t protect) { return protect & 0xFF; }

bool is_readable_protection(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return false;  // decision D-GUARD: guard pages are inaccessible
  switch (base_protection(protect)) {
    case PAGE_READONLY:
    case PAGE_READWRITE:
    case PAGE_EXECUTE:  // decision D-EXEC-READ: a debugger reads code
    case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_READWRITE: return true;
    default: return false;
  }
}

bool is_writable_protection_win32(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return false;
  switch (base_protection(protect)) {
    case PAGE_READWRITE:
    case PAGE_EXECUTE_READWRITE:
    case PAGE_EXECUTE:  // decision D-EXEC-WRITE: WriteProcessMemory re-protects code pages
    case PAGE_EXECUTE_READ: return true;
    default: return false;  // PAGE_NOACCESS; PAGE_READONLY per decision D-READONLY-WRITE
  }
}

bool readable_view(const ReferenceModel::PageView& v) {
  return v.allocated && v.state == PageState::committed && is_readable_protection(v.protect);
}

bool writable_view(const ReferenceModel::PageView& v) {
  return v.allocated && v.state == PageState::committed && is_writable_protection_win32(v.protect);
}
}  // namespace

bool valid_page_protection(std::uint32_t protect) {
  const std::uint32_t base = base_protection(protect);
  const std::uint32_t mods = protect & ~0xFFu;
  if (std::find(std::begin(kBaseProtections), std::end(kBaseProtections), base) ==
      std::end(kBaseProtections))
    return false;  // zero, several bits, or a WRITECOPY protection
  if (mods & ~kModifiers) return false;
  const bool guard = mods & PAGE_GUARD, nocache = mods & PAGE_NOCACHE,
             wcombine = mods & PAGE_WRITECOMBINE;
  if (base == PAGE_NOACCESS && mods != 0) return false;
  if (guard && (nocache || wcombine)) return false;
  if (nocache && wcombine) return false;
  return true;
}

ReferenceModel::ReferenceModel(ModelConfig config)
    : config_(config), rng_{config.seed}, allocations_(config.page_size) {
  if (config_.foreign_image) occupied_[kImageBase] = kImageSize;
}

// ---------------------------------------------------------------------------------------
// AllocateVirtualMemory
// ---------------------------------------------------------------------------------------
std::vector<Violation> ReferenceModel::allocation_violations(std::uint64_t address, std::uint32_t size,
                                                             std::uint32_t type, std::uint32_t protect) const {
  std::vector<Violation> out;
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  // IMPL: AVM-INVALID - the type is COMMIT, RESERVE, both, or RESET alone.
  const bool type_ok = (type & ~kKnownAllocTypes) == 0 &&
                       (kind == MEM_COMMIT || kind == MEM_RESERVE || kind == (MEM_COMMIT | MEM_RESERVE) ||
                        type == MEM_RESET);  // RESET stands alone, even without MEM_TOP_DOWN
  if (!type_ok) out.push_back({"AVM-INVALID", E_INVALIDARG, "type"});
  // IMPL: AVM-INVALID - size 0 and bad protections are invalid.
  if (size == 0) out.push_back({"AVM-INVALID", E_INVALIDARG, "size"});
  if (!valid_page_protection(protect)) out.push_back({"AVM-INVALID", E_INVALIDARG, "protection"});
  // IMPL: AVM-INVALID - an explicit address must lie in the user range.
  const bool address_ok = address == 0 || (address >= config_.lowest_address && address + size >= address &&
                                            address + size - 1 <= config_.highest_address);
  if (!address_ok) out.push_back({"AVM-INVALID", E_INVALIDARG, "address"});
  // IMPL: AVM-RESET - MEM_RESET names existing pages: address 0 is invalid (decision D-AVM-CODES).
  if (type_ok && kind == MEM_RESET && address == 0) out.push_back({"AVM-RESET", E_INVALIDARG, "reset-at-zero"});
  // The state of the address space matters only for a well-formed request at an explicit address.
  if (!type_ok || size == 0 || address == 0 || !address_ok) return out;
  const std::uint64_t first = round_down(address, config_.page_size);
  const std::uint64_t end = round_down(address + std::uint64_t{size} + config_.page_size - 1ull, config_.page_size);
  const auto inside_one_reservation = [&] {
    const Allocation* a = allocation_containing(first);
    return a != nullptr && end <= a->base + a->size;
  };
  if (kind == MEM_RESET) {
    // IMPL: AVM-RESET - MEM_RESET needs its pages inside one host reservation.
    if (!inside_one_reservation()) out.push_back({"AVM-RESET", HR_INVALID_ADDRESS, "reset-outside"});
  } else if (kind & MEM_RESERVE) {
    // IMPL: AVM-INVALID - a reservation may not overlap another one (or its granule). It starts
    // at the address rounded down to the granularity (AVM-BASE).
    if (range_conflicts(round_down(address, config_.allocation_granularity), end))
      out.push_back({"AVM-INVALID", HR_INVALID_ADDRESS, "conflict"});
  } else if (!inside_one_reservation()) {
    // IMPL: AVM-COMMIT-RESERVED - MEM_COMMIT alone needs the whole range reserved already.
    out.push_back({"AVM-COMMIT-RESERVED", HR_INVALID_ADDRESS, "commit-outside"});
  }
  return out;
}

hresult ReferenceModel::allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                                std::uint32_t type, std::uint32_t protect,
                                                std::uint64_t* allocated_address) {
  if (allocated_address == nullptr) return E_POINTER;
  *allocated_address = 0;  // decision D-AVM-OUT-ON-FAIL (win32): 0 after a failure
  // Every rule the call breaks, in order; the first one's code (decision D-ERROR-PRECEDENCE).
  if (const auto broken = allocation_violations(address, size, type, protect); !broken.empty())
    return broken.front().code;
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  if (kind == MEM_RESET) return reset(address, size, allocated_address);

  if (address == 0) {
    // IMPL: AVM-BASE, AVM-ROUND - the system chooses a granularity-aligned base and the size
    // is rounded up to whole pages. MEM_COMMIT alone at address 0 also reserves.
    const std::uint64_t rounded = round_down(std::uint64_t{size} + config_.page_size - 1ull, config_.page_size);
    const auto base = choose_base(rounded);
    if (!base) return HR_NOT_ENOUGH_MEMORY;
    return reserve(*base, rounded, (kind & MEM_COMMIT) != 0, protect, allocated_address);
  }
  if (kind & MEM_RESERVE) {
    // IMPL: AVM-BASE - an explicit reservation starts at the address rounded down to the
    // granularity and covers every page holding a byte of [address, address+size).
    const std::uint64_t base = round_down(address, config_.allocation_granularity);
    const std::uint64_t end =
        round_down(address + std::uint64_t{size} + config_.page_size - 1ull, config_.page_size);
    return reserve(base, end - base, (kind & MEM_COMMIT) != 0, protect, allocated_address);
  }
  // IMPL: AVM-COMMIT-RESERVED - MEM_COMMIT alone commits pages of one reservation.
  return commit_existing(address, size, protect, allocated_address);
}

hresult ReferenceModel::allocate_at_system_choice(std::uint64_t chosen_base, std::uint32_t size,
                                                  std::uint32_t type, std::uint32_t protect,
                                                  std::uint64_t* allocated_address) {
  if (allocated_address == nullptr) return E_POINTER;
  *allocated_address = 0;
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  if ((type & ~kKnownAllocTypes) != 0 || !(kind & (MEM_COMMIT | MEM_RESERVE)) ||
      (kind & MEM_RESET) || size == 0 || !valid_page_protection(protect))
    return E_INVALIDARG;
  const std::uint64_t rounded = round_down(std::uint64_t{size} + config_.page_size - 1ull, config_.page_size);
  if (chosen_base % config_.allocation_granularity != 0 || chosen_base < config_.lowest_address ||
      chosen_base + rounded - 1 > config_.highest_address ||
      range_conflicts(chosen_base, chosen_base + rounded))
    return E_UNEXPECTED;  // not a choice the system may make (the checker reports AVM-BASE)
  return reserve(chosen_base, rounded, (kind & MEM_COMMIT) != 0, protect, allocated_address);
}

bool ReferenceModel::range_conflicts(std::uint64_t base, std::uint64_t end) const {
  // A reservation owns whole granules: [a.base, round_up(a.base + a.size, G)). Allocations
  // never overlap, so only the last one starting before `end` can: it starts inside the range,
  // or it starts below and its granules reach past `base`.
  const std::uint64_t g = config_.allocation_granularity;
  const std::uint64_t last_end = allocations_.end_of_last_at_or_before(end - 1);  // 0: none
  if (round_down(last_end + g - 1, g) > base) return true;
  for (const auto& [b, s] : occupied_)  // a handful of foreign ranges
    if (base < b + s && b < end) return true;
  return false;
}

std::optional<std::uint64_t> ReferenceModel::choose_base(std::uint64_t size) {
  // Deterministic from the seed: random granules first, then the first fit from the bottom.
  const std::uint64_t g = config_.allocation_granularity;
  const std::uint64_t first = (config_.lowest_address + g - 1) / g;
  const std::uint64_t last = (config_.highest_address + 1 - size) / g;  // last usable granule
  if (size > config_.highest_address + 1 - config_.lowest_address || last < first) return {};
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::uint64_t base = (first + rng_() % (last - first + 1)) * g;
    if (!range_conflicts(base, base + size)) return base;
  }
  std::uint64_t candidate = first * g;
  while (candidate / g <= last) {
    if (!range_conflicts(candidate, candidate + size)) return candidate;
    candidate += g;
  }
  return {};
}

hresult ReferenceModel::reserve(std::uint64_t base, std::uint64_t size, bool commit,
                                std::uint32_t protect, std::uint64_t* allocated_address) {
  // Callers have checked that [base, base+size) overlaps nothing (allocation_violations,
  // choose_base, allocate_at_system_choice).
  Allocation a;
  a.base = base;
  a.size = size;
  a.allocation_protect = protect;
  // IMPL: AVM-RESERVE-ONLY / AVM-ZERO - pages start reserved, or committed and zero (no
  // bytes are stored for them, so they read as zero).
  a.runs[0] = commit ? Allocation::Run{PageState::committed, protect}
                     : Allocation::Run{PageState::reserved, 0};
  allocations_.insert(std::move(a));
  *allocated_address = base;
  return S_OK;
}

hresult ReferenceModel::commit_existing(std::uint64_t address, std::uint32_t size,
                                        std::uint32_t protect, std::uint64_t* allocated_address) {
  const std::uint64_t first = round_down(address, config_.page_size);
  const std::uint64_t end = round_down(address + std::uint64_t{size} + config_.page_size - 1ull, config_.page_size);
  Allocation* a = find_allocation(first);  // holds every page (allocation_violations)
  const std::uint64_t p0 = page_index(*a, first), count = (end - first) / config_.page_size;
  // IMPL: AVM-ZERO - pages that were only reserved become committed and zero. Walked run by run
  // (a run is a stretch of pages in one state), so committing 4 GiB is not a million steps.
  for (std::uint64_t p = p0; p < p0 + count;) {
    const auto next = a->runs.upper_bound(p);  // the run after the one holding page p
    const std::uint64_t run_end =
        std::min(p0 + count, next == a->runs.end() ? a->size / config_.page_size : next->first);
    if (run_at(*a, p).state == PageState::reserved) drop_bytes(a->base + p * config_.page_size, run_end - p);
    p = run_end;
  }
  // IMPL: AVM-RECOMMIT-KEEPS - committed pages keep their bytes; the new protection applies.
  set_pages(*a, p0, count, {PageState::committed, protect});
  *allocated_address = first;
  return S_OK;
}

hresult ReferenceModel::reset(std::uint64_t address, std::uint32_t size,
                              std::uint64_t* allocated_address) {
  // IMPL: AVM-RESET - MEM_RESET changes no page state (its pages lie in one host reservation:
  // allocation_violations). The model keeps the bytes; the checker also accepts zeroed pages.
  (void)size;
  *allocated_address = round_down(address, config_.page_size);
  return S_OK;
}

// ---------------------------------------------------------------------------------------
// VirtualFree
// ---------------------------------------------------------------------------------------
std::vector<Violation> ReferenceModel::free_violations(std::uint64_t address, std::uint64_t size,
                                                       std::uint32_t free_type) const {
  std::vector<Violation> out;
  // IMPL: VF-FREE-TYPE - exactly one of MEM_DECOMMIT and MEM_RELEASE.
  const bool type_ok = free_type == MEM_DECOMMIT || free_type == MEM_RELEASE;
  if (!type_ok) out.push_back({"VF-FREE-TYPE", E_INVALIDARG, "type"});
  // IMPL: VF-RELEASE-SIZE - MEM_RELEASE takes size 0.
  const bool release = free_type == MEM_RELEASE;
  if (release && size != 0) out.push_back({"VF-RELEASE-SIZE", E_INVALIDARG, "release-size"});
  // IMPL: VF-FOREIGN - memory not allocated through this host (never allocated, released,
  // or someone else's) is refused with HOST_E_INVALIDOPERATION.
  const Allocation* a = allocation_containing(address);
  if (a == nullptr) {
    out.push_back({"VF-FOREIGN", HOST_E_INVALIDOPERATION, "foreign"});
    return out;
  }
  if (!type_ok) return out;
  // IMPL: VF-RELEASE-BASE, VF-DECOMMIT-WHOLE - MEM_RELEASE and size-0 MEM_DECOMMIT name the base
  // (Windows also accepts any byte of the first page: decision D-FIRST-PAGE).
  const bool in_first_page = round_down(address, config_.page_size) == a->base;
  if ((release || size == 0) && !in_first_page)
    out.push_back({release ? "VF-RELEASE-BASE" : "VF-DECOMMIT-WHOLE", HR_INVALID_ADDRESS,
                   release ? "release-not-base" : "decommit-not-base"});
  // IMPL: VF-SPAN - a MEM_DECOMMIT range lies inside its reservation.
  if (!release && size != 0) {
    const std::uint64_t first = round_down(address, config_.page_size);
    const std::uint64_t end = round_down(address + size + config_.page_size - 1, config_.page_size);
    if (address + size < address || end < first || end > a->base + a->size) out.push_back({"VF-SPAN", E_INVALIDARG, "span"});
  }
  return out;
}

hresult ReferenceModel::virtual_free(std::uint64_t address, std::uint64_t size,
                                     std::uint32_t free_type) {
  // IMPL: VF-EFAIL-STICKY - after E_FAIL the host is unusable.
  if (clr_unavailable_) return HOST_E_CLRNOTAVAILABLE;
  if (pending_fault_) {
    const hresult fault = *pending_fault_;
    pending_fault_.reset();
    if (fault == E_FAIL) clr_unavailable_ = true;
    return fault;  // IMPL: X-NO-EFFECT-ON-FAIL - an injected host failure changes nothing
  }
  // Every rule the call breaks, in order; the first one's code (decision D-ERROR-PRECEDENCE).
  if (const auto broken = free_violations(address, size, free_type); !broken.empty()) return broken.front().code;
  Allocation* a = find_allocation(address);
  if (free_type == MEM_RELEASE) {
    // IMPL: VF-RELEASE-WHOLE - the whole reservation goes, whatever its pages' states (its
    // stored bytes with it).
    allocations_.erase(a->base);
    return S_OK;
  }
  if (size == 0) {
    // IMPL: VF-DECOMMIT-WHOLE - size 0 at the base decommits the whole reservation.
    drop_bytes(a->base, a->size / config_.page_size);
    set_pages(*a, 0, a->size / config_.page_size, {PageState::reserved, 0});
    return S_OK;
  }
  // IMPL: VF-DECOMMIT-RANGE - every page holding a byte of the range.
  const std::uint64_t first = round_down(address, config_.page_size);
  const std::uint64_t end = round_down(address + size + config_.page_size - 1, config_.page_size);
  const std::uint64_t count = (end - first) / config_.page_size;
  drop_bytes(first, count);
  set_pages(*a, page_index(*a, first), count, {PageState::reserved, 0});
  return S_OK;
}

bool ReferenceModel::inject_host_fault(hresult code) {
  pending_fault_ = code;
  return true;
}

// ---------------------------------------------------------------------------------------
// WriteVirtual / ReadVirtual
// ---------------------------------------------------------------------------------------
hresult ReferenceModel::write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                                      std::uint32_t bytes_requested) {
  // IMPL: WV-ZERO-LENGTH-WRITABLE (win32) - nothing to write is a success (anywhere: D-ZERO-WRITE).
  if (bytes_requested == 0) return S_OK;
  if (buffer == nullptr) return E_POINTER;
  if (address + bytes_requested - 1 < address) return HR_NOACCESS;  // wraps around
  // IMPL: WV-ATOMIC, WV-UNWRITABLE - check every page first; write only if all are writable.
  Allocation* a = nullptr;  // the allocation of the page at hand
  for (std::uint64_t page = round_down(address, config_.page_size);
       page <= address + bytes_requested - 1; page += config_.page_size) {
    a = find_allocation(page, a);
    if (a == nullptr || !writable_view(view_of(*a, page))) return HR_NOACCESS;
    if (page + config_.page_size < page) break;
  }
  // IMPL: WV-ROUNDTRIP - every byte lands, copied one page at a time.
  std::uint32_t done = 0;
  while (done < bytes_requested) {
    const std::uint64_t at = address + done;
    const std::uint64_t page = round_down(at, config_.page_size);
    const std::uint32_t chunk =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes_requested - done, page + config_.page_size - at));
    const std::uint8_t* from = buffer + done;
    a = find_allocation(page, a);  // writable, so inside an allocation
    const std::uint64_t index = page_index(*a, page);
    if (a->pages.count(index) == 0 && std::all_of(from, from + chunk, [](std::uint8_t b) { return b == 0; })) {
      done += chunk;  // zero pages need no storage
      continue;
    }
    std::copy(from, from + chunk, own_page(*a, index) + (at - page));
    done += chunk;
  }
  return S_OK;
}

hresult ReferenceModel::read_virtual(std::uint64_t address, std::uint8_t* buffer,
                                     std::uint32_t bytes_requested, std::uint32_t* bytes_read) {
  if (bytes_read == nullptr) return E_POINTER;
  *bytes_read = 0;
  if (bytes_requested == 0) return S_OK;  // decision D-ZERO-READ (win32)
  if (buffer == nullptr) return E_POINTER;
  // IMPL: RV-FIRST-BYTE - fail only if the first byte is unreadable; otherwise read the
  // longest readable prefix (win32: all of it, page by page, as the runtime's shim does).
  // Page by page: a page is readable as a whole, so one check covers every byte of it.
  std::uint32_t n = 0;
  const Allocation* a = nullptr;  // the allocation of the page at hand
  while (n < bytes_requested) {
    const std::uint64_t at = address + n;
    a = at < address ? nullptr : find_allocation(at, a);  // stop at a wrap-around
    if (a == nullptr || !readable_view(view_of(*a, at))) break;
    const std::uint64_t page = round_down(at, config_.page_size);
    const std::uint32_t chunk =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes_requested - n, page + config_.page_size - at));
    const std::uint8_t* bytes = stored_bytes(*a, page);
    if (bytes == nullptr)
      std::fill(buffer + n, buffer + n + chunk, std::uint8_t{0});
    else
      std::copy(bytes + (at - page), bytes + (at - page) + chunk, buffer + n);
    n += chunk;
  }
  if (n == 0) return HR_PARTIAL_COPY;  // the first byte is unreadable
  *bytes_read = n;
  return S_OK;
}

hresult ReferenceModel::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (info == nullptr) return E_POINTER;
  if (address > config_.highest_address) return E_INVALIDARG;
  const std::uint64_t page = round_down(address, config_.page_size);
  *info = RegionInfo{};
  info->base_address = page;
  const Allocation* a = allocation_containing(page);
  if (a == nullptr) {
    // Free: up to the next allocation (or the end of the user range).
    const Allocation* next = allocations_.first_after(page);
    const std::uint64_t end = next == nullptr ? config_.highest_address + 1 : next->base;
    info->region_size = end - page;
    info->state = MEM_FREE;
    info->protect = PAGE_NOACCESS;
    return S_OK;
  }
  const std::uint64_t p = page_index(*a, page);
  const Allocation::Run run = run_at(*a, p);
  auto after = a->runs.upper_bound(p);
  const std::uint64_t run_end = after == a->runs.end() ? a->size / config_.page_size : after->first;
  info->allocation_base = a->base;
  info->allocation_protect = a->allocation_protect;
  info->region_size = (run_end - p) * config_.page_size;
  info->state = run.state == PageState::committed ? MEM_COMMIT : MEM_RESERVE;
  info->protect = run.state == PageState::committed ? run.protect : 0;
  info->type = MEM_PRIVATE;
  return S_OK;
}

std::vector<ForeignMemory> ReferenceModel::foreign_memory() {
  if (!config_.foreign_image) return {};
  return {{kImageBase, kImageSize, "simulated executable image mapped before the host started"}};
}

// ---------------------------------------------------------------------------------------
// Adoption and introspection
// ---------------------------------------------------------------------------------------
void ReferenceModel::occupy(std::uint64_t address, std::uint64_t size) {
  occupied_[address] = std::max(occupied_[address], size);
}

void ReferenceModel::adopt_protection(std::uint64_t page, std::uint32_t protect) {
  Allocation* a = find_allocation(page);
  if (a == nullptr || run_at(*a, page_index(*a, page)).state != PageState::committed) return;
  set_pages(*a, page_index(*a, page), 1, {PageState::committed, protect});
}

void ReferenceModel::adopt_bytes(std::uint64_t address, const std::vector<std::uint8_t>& bytes) {
  // Page by page, as write_virtual stores them. Bytes outside every allocation have no page to
  // be stored in (the checker adopts bytes only inside allocations).
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::uint64_t at = address + done;
    const std::uint64_t page = round_down(at, config_.page_size);
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size() - done, page + config_.page_size - at));
    const std::uint8_t* from = bytes.data() + done;
    done += chunk;
    Allocation* a = find_allocation(page);
    if (a == nullptr) continue;
    const std::uint64_t index = page_index(*a, page);
    if (a->pages.count(index) == 0 && std::all_of(from, from + chunk, [](std::uint8_t b) { return b == 0; }))
      continue;  // zero pages need no storage
    std::copy(from, from + chunk, own_page(*a, index) + (at - page));
  }
}

std::size_t ReferenceModel::stored_pages() const {
  std::size_t count = 0;
  for (const auto& [base, a] : allocations_) count += a.pages.size();
  return count;
}

const std::uint8_t* ReferenceModel::stored_bytes(const Allocation& a, std::uint64_t page) const {
  const auto it = a.pages.find(page_index(a, page));
  return it == a.pages.end() ? nullptr : it->second.data();
}

std::uint8_t* ReferenceModel::own_page(Allocation& a, std::uint64_t index) {
  PageBytes& slot = a.pages[index];
  if (!slot)
    slot = PageBytes::zeroed(config_.page_size);
  else if (slot.shared())  // shared with a copy of the model: copy before writing
    slot = PageBytes::copy_of(slot);
  else
    return slot.data();
  // Stored anew: the index remembers where, to fetch the bytes with the record next time.
  allocations_.remember_page(a.base, a.base + index * config_.page_size, slot.block());
  return slot.data();
}

const Allocation* ReferenceModel::allocation_containing(std::uint64_t address) const {
  return allocations_.containing(address);
}

Allocation* ReferenceModel::find_allocation(std::uint64_t address) {
  return const_cast<Allocation*>(allocation_containing(address));
}

const Allocation* ReferenceModel::find_allocation(std::uint64_t address, const Allocation* hint) const {
  if (hint != nullptr && hint->base <= address && address - hint->base < hint->size) return hint;
  return allocation_containing(address);
}

Allocation* ReferenceModel::find_allocation(std::uint64_t address, Allocation* hint) {
  return const_cast<Allocation*>(std::as_const(*this).find_allocation(address, hint));
}

ReferenceModel::PageView ReferenceModel::page_at(std::uint64_t address) const {
  const Allocation* a = allocation_containing(address);
  return a == nullptr ? PageView{} : view_of(*a, address);
}

ReferenceModel::PageView ReferenceModel::view_of(const Allocation& a, std::uint64_t address) const {
  const Allocation::Run run = run_at(a, page_index(a, address));
  PageView view;
  view.allocated = true;
  view.allocation_base = a.base;
  view.state = run.state;
  view.protect = run.protect;
  return view;
}

bool ReferenceModel::readable(std::uint64_t address) const { return readable_view(page_at(address)); }

bool ReferenceModel::writable(std::uint64_t address) const { return writable_view(page_at(address)); }

Allocation::Run ReferenceModel::run_at(const Allocation& a, std::uint64_t page) const {
  auto it = a.runs.upper_bound(page);
  --it;  // runs always has an entry at 0
  return it->second;
}

void ReferenceModel::set_pages(Allocation& a, std::uint64_t first, std::uint64_t count,
                               Allocation::Run run) {
  const std::uint64_t total = a.size / config_.page_size, end = first + count;
  // Split so that runs start exactly at `first` and at `end`, then replace what lies between.
  const Allocation::Run at_end = end < total ? run_at(a, end) : run;
  const Allocation::Run at_first = run_at(a, first);
  a.runs[first] = at_first;
  if (end < total) a.runs[end] = at_end;
  a.runs.erase(a.runs.upper_bound(first), a.runs.lower_bound(end));
  a.runs[first] = run;
  // Merge equal neighbours so that adjacent runs always differ.
  for (auto it = a.runs.begin(); it != a.runs.end() && std::next(it) != a.runs.end();) {
    if (std::next(it)->second == it->second)
      it = std::prev(a.runs.erase(std::next(it)));  // an erase moves the runs: find `it` anew
    else
      ++it;
  }
}

void ReferenceModel::drop_bytes(std::uint64_t first_page_address, std::uint64_t count) {
  // The pages always lie in one allocation (the callers' ranges do); its stored bytes go.
  Allocation* a = find_allocation(first_page_address);
  if (a == nullptr) return;
  const std::uint64_t first = page_index(*a, first_page_address);
  a->pages.erase(a->pages.lower_bound(first), a->pages.lower_bound(first + count));
  allocations_.remember_page(a->base, 0, nullptr);  // the page it remembered may be gone
}

std::optional<std::string> ReferenceModel::check_invariants() const {
  const std::uint64_t g = config_.allocation_granularity, p = config_.page_size;
  if (auto broken = allocations_.check_index()) return broken;
  std::uint64_t previous_owned_end = 0;
  for (const auto& [base, a] : allocations_) {
    if (base != a.base) return "allocation keyed at " + hex(base) + " has base " + hex(a.base);
    if (a.base % g != 0) return "allocation base " + hex(a.base) + " not granularity-aligned";
    if (a.size == 0 || a.size % p != 0) return "allocation size " + hex(a.size) + " not pages";
    if (a.base < previous_owned_end) return "allocations overlap at " + hex(a.base);
    previous_owned_end = round_down(a.base + a.size + g - 1, g);
    if (a.runs.empty() || a.runs.begin()->first != 0) return "runs do not start at page 0";
    const Allocation::Run* last = nullptr;
    for (const auto& [first, run] : a.runs) {
      if (first >= a.size / p) return "run beyond the end of " + hex(a.base);
      if (last != nullptr && *last == run) return "equal adjacent runs in " + hex(a.base);
      if (run.state == PageState::reserved && run.protect != 0)
        return "reserved run with a protection in " + hex(a.base);
      last = &run;
    }
    for (const auto& [index, bytes] : a.pages) {
      if (index >= a.size / p) return "bytes stored beyond the end of " + hex(a.base);
      if (!bytes) return "stored page " + hex(a.base + index * p) + " malformed";
      if (run_at(a, index).state != PageState::committed)
        return "bytes stored for a page that is not committed: " + hex(a.base + index * p);
    }
  }
  return std::nullopt;
}

}  // namespace vmc
