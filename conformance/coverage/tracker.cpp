// tracker.cpp - the lists behind the coverage table (coverage_names.hpp) and the Tracker that
// names the cells each call reaches, judged in the reference model's state before the call.
#include <algorithm>

#include "coverage_names.hpp"
#include "vmconform/coverage.hpp"

namespace vmc::coverage {

// ---------------------------------------------------------------------------------------
// The lists
// ---------------------------------------------------------------------------------------
const std::vector<AllocKind>& alloc_kinds() {
  static const std::vector<AllocKind> k = {
      {"commit-reserve", MEM_COMMIT | MEM_RESERVE},
      {"reserve", MEM_RESERVE},
      {"commit", MEM_COMMIT},
      {"commit-reserve-top-down", MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN},
      {"reserve-top-down", MEM_RESERVE | MEM_TOP_DOWN},
      {"commit-top-down", MEM_COMMIT | MEM_TOP_DOWN},
  };
  return k;
}

const std::vector<std::uint32_t>& base_protections() {
  static const std::vector<std::uint32_t> b = {PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
                                               PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE};
  return b;
}

const std::vector<std::uint32_t>& valid_protections() {
  static const std::vector<std::uint32_t> v = [] {
    std::vector<std::uint32_t> out = base_protections();
    for (std::uint32_t modifier : {PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE})
      for (std::uint32_t base : base_protections())
        if (base != PAGE_NOACCESS) out.push_back(base | modifier);
    return out;
  }();
  return v;
}

std::string short_protection(std::uint32_t protect) {
  std::string out;
  switch (protect & 0xFF) {
    case PAGE_NOACCESS: out = "noaccess"; break;
    case PAGE_READONLY: out = "readonly"; break;
    case PAGE_READWRITE: out = "readwrite"; break;
    case PAGE_EXECUTE: out = "execute"; break;
    case PAGE_EXECUTE_READ: out = "execute-read"; break;
    case PAGE_EXECUTE_READWRITE: out = "execute-readwrite"; break;
    default: out = "other"; break;
  }
  if (protect & PAGE_GUARD) out += "+guard";
  if (protect & PAGE_NOCACHE) out += "+nocache";
  if (protect & PAGE_WRITECOMBINE) out += "+writecombine";
  return out;
}

std::string alloc_cell(const char* kind, std::uint32_t protect, bool explicit_address) {
  return std::string("alloc.") + kind + "." + short_protection(protect) + (explicit_address ? ".explicit" : ".addr0");
}

const std::vector<SizeClass>& alloc_size_classes() {
  static const std::vector<SizeClass> s = {
      {"page-minus-1", "one byte below a page multiple"},
      {"page", "a page multiple (not of the granularity)"},
      {"page-plus-1", "one byte above a page multiple"},
      {"granule-minus-1", "one byte below a multiple of the allocation granularity"},
      {"granule", "a multiple of the allocation granularity"},
      {"granule-plus-1", "one byte above a multiple of the allocation granularity"},
      {"max32", "in the last page below the 32-bit maximum (rounded up to pages, it needs 33 bits: 4 GiB)"},
  };
  return s;
}

const std::vector<SizeClass>& length_classes() {
  static const std::vector<SizeClass> s = {
      {"zero", "zero bytes"},
      {"one", "one byte"},
      {"page-minus-1", "one byte below a page multiple"},
      {"page", "a page multiple"},
      {"page-plus-1", "one byte above a page multiple"},
      {"many-pages", "16 pages or more"},
  };
  return s;
}

const std::vector<RangeShape>& range_shapes() {
  static const std::vector<RangeShape> r = {
      {"inside-page", "lies inside one page of a reservation"},
      {"across-pages", "covers several pages of one reservation, all in one state"},
      {"committed-reserved", "runs from a committed page into a reserved page of the same reservation"},
      {"reserved-committed", "runs from a reserved page into a committed page of the same reservation"},
      {"past-end", "runs past the end of its reservation into free memory"},
      {"adjacent-committed", "runs from a committed page into the committed first page of the adjacent reservation"},
      {"adjacent-other", "runs into the adjacent reservation with a reserved page on one side of the seam"},
      {"gap", "runs from one reservation across free memory into another reservation"},
  };
  return r;
}

const std::vector<FailureCell>& failure_cells() {
  static const std::vector<FailureCell> f = {
      {"fail.alloc.type", "AllocateVirtualMemory with an invalid allocation type"},
      {"fail.alloc.size", "AllocateVirtualMemory with size 0"},
      {"fail.alloc.protection", "AllocateVirtualMemory with an invalid protection"},
      {"fail.alloc.address", "AllocateVirtualMemory at an explicit address outside the user range"},
      {"fail.alloc.reset-at-zero", "MEM_RESET at address 0"},
      {"fail.alloc.reset-outside", "MEM_RESET of pages outside one host reservation"},
      {"fail.alloc.conflict", "a reservation overlapping a live one or its granule"},
      {"fail.alloc.commit-outside", "MEM_COMMIT of pages outside one host reservation"},
      {"fail.alloc.several-rules", "an AllocateVirtualMemory that breaks two rules or more at once"},
      {"fail.alloc.out-of-scope-type", "an allocation type the suite does not cover (MEM_WRITE_WATCH, MEM_LARGE_PAGES...)"},
      {"fail.alloc.no-memory", "an address-0 allocation when no address is free",
       "exhausting the 128 TiB user range takes 32,768 reservations of 4 GiB; no run makes them"},
      {"fail.free.type", "VirtualFree with a free type other than MEM_DECOMMIT or MEM_RELEASE"},
      {"fail.free.release-size", "MEM_RELEASE with a non-zero size"},
      {"fail.free.foreign-never", "VirtualFree of an address the host never allocated"},
      {"fail.free.foreign-released", "VirtualFree of a released reservation"},
      {"fail.free.foreign-granule-tail", "VirtualFree of the unused rest of a reservation's last granule"},
      {"fail.free.foreign-memory", "VirtualFree of the target's foreign memory (heap, stack, image)"},
      {"fail.free.release-not-base", "MEM_RELEASE beyond a reservation's first page"},
      {"fail.free.decommit-not-base", "size-0 MEM_DECOMMIT beyond a reservation's first page"},
      {"fail.free.span", "MEM_DECOMMIT running past its reservation"},
      {"fail.free.several-rules", "a VirtualFree that breaks two rules or more at once"},
      {"fail.free.host-e-fail", "an injected E_FAIL"},
      {"fail.free.host-timeout", "an injected HOST_E_TIMEOUT"},
      {"fail.free.host-not-owner", "an injected HOST_E_NOT_OWNER"},
      {"fail.free.host-abandoned", "an injected HOST_E_ABANDONED"},
      {"fail.free.host-clr-not-available", "an injected HOST_E_CLRNOTAVAILABLE"},
      {"fail.free.after-efail", "a VirtualFree after the host returned E_FAIL"},
      {"fail.write.free", "a WriteVirtual reaching memory no reservation holds"},
      {"fail.write.released", "a WriteVirtual reaching a released reservation"},
      {"fail.write.granule-tail", "a WriteVirtual reaching the unused rest of a reservation's last granule"},
      {"fail.write.reserved", "a WriteVirtual reaching a reserved page"},
      {"fail.write.noaccess", "a WriteVirtual reaching a PAGE_NOACCESS page"},
      {"fail.write.guard", "a WriteVirtual reaching a PAGE_GUARD page"},
      {"fail.write.readonly", "a WriteVirtual reaching a PAGE_READONLY page"},
      {"fail.write.wraps", "a WriteVirtual whose range wraps around the address space"},
      {"fail.read.free", "a ReadVirtual starting in memory no reservation holds"},
      {"fail.read.released", "a ReadVirtual starting in a released reservation"},
      {"fail.read.granule-tail", "a ReadVirtual starting in the unused rest of a reservation's last granule"},
      {"fail.read.reserved", "a ReadVirtual starting on a reserved page"},
      {"fail.read.noaccess", "a ReadVirtual starting on a PAGE_NOACCESS page"},
      {"fail.read.guard", "a ReadVirtual starting on a PAGE_GUARD page"},
  };
  return f;
}

Counts::Counts() {
  for (const FailureCell& f : failure_cells())
    if (*f.never_reached) unreachable.emplace(f.id, f.never_reached);
}

// ---------------------------------------------------------------------------------------
// The tracker
// ---------------------------------------------------------------------------------------
namespace {
constexpr std::uint32_t kOutOfScopeTypes = MEM_WRITE_WATCH | MEM_LARGE_PAGES | MEM_PHYSICAL | MEM_RESET_UNDO;
constexpr std::uint64_t kRememberedPages = 4096;  // decommitted pages remembered for recommit.read-back

std::uint64_t round_down(std::uint64_t v, std::uint64_t to) { return v - v % to; }

/// What lies at an address, as far as the cells care.
enum class Place { committed, reserved, free };
struct Segment {
  Place place;
  const Allocation* allocation;  // for committed/reserved
  std::uint64_t end;             // where this place ends (first address after it)
};
Segment segment_at(const ReferenceModel& m, std::uint64_t at) {
  const std::uint64_t p = m.page_size();
  if (const Allocation* a = m.allocation_containing(at)) {
    const std::uint64_t index = (at - a->base) / p;
    auto next = a->runs.upper_bound(index);
    const Allocation::Run run = std::prev(next)->second;
    const std::uint64_t end = next == a->runs.end() ? a->base + a->size : a->base + next->first * p;
    return {run.state == PageState::committed ? Place::committed : Place::reserved, a, end};
  }
  auto next = m.allocations().upper_bound(at);
  return {Place::free, nullptr, next == m.allocations().end() ? ~0ull : next->first};
}
}  // namespace

void Tracker::hit(const char* id) {
  const auto i = cell_index(id);
  if (i) ++counts_.hits[*i];
}

void Tracker::count_call() {
  if (++calls_ == 1000) hit("history.1000-calls");
}

void Tracker::live_cells(const ReferenceModel& m) {
  const std::size_t live = m.allocations().size();
  hit(live <= 1 ? "live.0-1" : live <= 16 ? "live.2-16" : live <= 64 ? "live.17-64" : "live.65+");
}

void Tracker::range_cells(const ReferenceModel& m, const char* op, std::uint64_t address, std::uint64_t length) {
  const std::uint64_t p = m.page_size();
  if (length == 0 || address + length - 1 < address) return;
  const std::uint64_t first = round_down(address, p), last = address + length - 1;
  const Segment start = segment_at(m, first);
  if (start.place == Place::free) return;  // a range starting outside every reservation: a failure cell
  const std::string prefix = std::string("range.") + op + ".";
  const auto named = [&](const char* shape) { hit((prefix + shape).c_str()); };
  if (round_down(last, p) == first) return named("inside-page");
  bool one_state = true, left_first = false;
  Segment here = start;
  while (here.end <= last) {  // walk the segments the range crosses
    const Segment next = segment_at(m, here.end);
    if (here.allocation == start.allocation && next.allocation == start.allocation) {
      named(here.place == Place::committed ? "committed-reserved" : "reserved-committed");
    } else if (here.allocation != nullptr && next.allocation != nullptr) {  // the seam of two reservations
      named(here.place == Place::committed && next.place == Place::committed ? "adjacent-committed" : "adjacent-other");
    } else if (here.allocation == start.allocation && next.place == Place::free) {
      named("past-end");
    } else if (here.place == Place::free && next.allocation != nullptr && left_first) {
      named("gap");
    }
    one_state = false;
    left_first |= next.allocation != start.allocation;
    if (next.end <= here.end) break;  // the end of the address space
    here = next;
  }
  if (one_state) named("across-pages");
}

void Tracker::allocate(const ReferenceModel& m, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                       std::uint32_t protect) {
  count_call();
  live_cells(m);
  if (type & kOutOfScopeTypes) return hit("fail.alloc.out-of-scope-type");
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  // A commit's range reaches its cells whether or not the commit is valid (one running into the
  // next reservation is not).
  if (kind == MEM_COMMIT && address != 0 && size != 0) range_cells(m, "commit", address, size);
  const auto broken = m.allocation_violations(address, size, type, protect);
  if (!broken.empty()) {
    for (const Violation& v : broken) hit((std::string("fail.alloc.") + v.what).c_str());
    if (broken.size() >= 2) hit("fail.alloc.several-rules");
    return;
  }
  const std::uint64_t p = m.page_size(), g = m.allocation_granularity();
  if (kind == MEM_RESET) return hit("alloc.reset.explicit");
  for (const AllocKind& k : alloc_kinds())
    if (k.type == type) hit(alloc_cell(k.name, protect, address != 0).c_str());
  const auto size_cell = [&](const char* name) { hit((std::string("size.alloc.") + name).c_str()); };
  if (size % p == p - 1) size_cell("page-minus-1");
  if (size % p == 0 && size % g != 0) size_cell("page");
  if (size % p == 1 && size > p) size_cell("page-plus-1");
  if (size % g == g - 1) size_cell("granule-minus-1");
  if (size % g == 0) size_cell("granule");
  if (size % g == 1 && size > g) size_cell("granule-plus-1");
  if (std::uint64_t{size} + p - 1 > 0xFFFFFFFFu) size_cell("max32");  // its page-rounded size needs 33 bits
  const std::uint64_t rounded = (std::uint64_t{size} + p - 1) / p * p;
  if (address == 0) {
    if (last_released_) {
      hit(rounded == last_released_->size  ? "reuse.system.same"
          : rounded < last_released_->size ? "reuse.system.smaller"
                                           : "reuse.system.larger");
      last_released_.reset();
    }
    return;
  }
  const std::uint64_t first = round_down(address, p), end = round_down(address + size + p - 1, p);
  if (kind & MEM_RESERVE) {
    const std::uint64_t base = round_down(address, g);
    for (const Span& r : released_)
      if (base < r.base + r.size && r.base < end) return hit("reuse.explicit");
    return;
  }
  // Several decommitted pages committed again: remember them until each one has been read.
  std::vector<std::uint64_t> again;
  for (std::uint64_t page : decommitted_)
    if (page >= first && page < end && m.page_at(page).state == PageState::reserved) again.push_back(page);
  if (again.size() >= 2) recommitted_ = std::move(again);
}

void Tracker::free(const ReferenceModel& m, std::uint64_t address, std::uint64_t size, std::uint32_t type,
                   bool foreign_sample) {
  count_call();
  live_cells(m);
  if (m.clr_unavailable()) return hit("fail.free.after-efail");
  if (m.host_fault_pending()) return;  // counted when the fault was injected
  if (type == MEM_DECOMMIT && size != 0) range_cells(m, "decommit", address, size);  // valid or not
  const auto broken = m.free_violations(address, size, type);
  if (!broken.empty()) {
    for (const Violation& v : broken) {
      if (std::string(v.what) != "foreign") {
        hit((std::string("fail.free.") + v.what).c_str());
        continue;
      }
      const bool released = std::any_of(released_.begin(), released_.end(),
                                        [&](const Span& r) { return address >= r.base && address - r.base < r.size; });
      const auto previous = m.allocations().upper_bound(address);
      const bool tail = previous != m.allocations().begin() &&
                        address < round_down(std::prev(previous)->second.base + std::prev(previous)->second.size +
                                                 m.allocation_granularity() - 1,
                                             m.allocation_granularity());
      hit(foreign_sample ? "fail.free.foreign-memory"
          : released     ? "fail.free.foreign-released"
          : tail         ? "fail.free.foreign-granule-tail"
                         : "fail.free.foreign-never");
    }
    if (broken.size() >= 2) hit("fail.free.several-rules");
    return;
  }
  const Allocation* a = m.allocation_containing(address);
  const std::uint64_t p = m.page_size();
  if (type == MEM_RELEASE) {
    const bool committed = std::any_of(a->runs.begin(), a->runs.end(), [](const auto& r) { return r.second.state == PageState::committed; });
    const bool reserved = std::any_of(a->runs.begin(), a->runs.end(), [](const auto& r) { return r.second.state == PageState::reserved; });
    if (committed && reserved) hit("release.mixed");
    last_released_ = Span{a->base, a->size};
    released_.push_back(*last_released_);
    if (released_.size() > 64) released_.erase(released_.begin());
    return;
  }
  const std::uint64_t first = size == 0 ? a->base : round_down(address, p);
  const std::uint64_t end = size == 0 ? a->base + a->size : round_down(address + size + p - 1, p);
  const std::uint64_t pages = (end - first) / p;
  hit(pages == a->size / p ? "decommit.whole" : pages == 1 ? "decommit.one-page" : "decommit.several-pages");
  for (std::uint64_t page = first; page < end && decommitted_.size() < kRememberedPages; page += p)
    if (m.page_at(page).state == PageState::committed) decommitted_.insert(page);
}

void Tracker::write(const ReferenceModel& m, std::uint64_t address, std::uint32_t length) {
  count_call();
  live_cells(m);
  const std::uint64_t p = m.page_size();
  const auto size_cell = [&](const char* name) { hit((std::string("size.write.") + name).c_str()); };
  if (length == 0) return size_cell("zero");
  if (length == 1) size_cell("one");
  if (length % p == p - 1) size_cell("page-minus-1");
  if (length % p == 0) size_cell("page");
  if (length % p == 1 && length > p) size_cell("page-plus-1");
  if (length >= 16 * p) size_cell("many-pages");
  if (address + length - 1 < address) return hit("fail.write.wraps");
  access_and_failure(m, "write", address, length);
  range_cells(m, "write", address, length);
}

void Tracker::read(const ReferenceModel& m, std::uint64_t address, std::uint32_t length) {
  count_call();
  live_cells(m);
  const std::uint64_t p = m.page_size();
  const auto size_cell = [&](const char* name) { hit((std::string("size.read.") + name).c_str()); };
  if (length == 0) return size_cell("zero");
  if (length == 1) size_cell("one");
  if (length % p == p - 1) size_cell("page-minus-1");
  if (length % p == 0) size_cell("page");
  if (length % p == 1 && length > p) size_cell("page-plus-1");
  if (length >= 16 * p) size_cell("many-pages");
  access_and_failure(m, "read", address, length);
  range_cells(m, "read", address, length);
  if (!recommitted_.empty()) {  // a recommitted page counts as read once a read covers it readably
    std::erase_if(recommitted_, [&](std::uint64_t page) {
      return page + p > address && page < address + length && m.readable(page) && m.readable(address);
    });
    if (recommitted_.empty()) hit("recommit.read-back");
  }
}

void Tracker::access_and_failure(const ReferenceModel& m, const char* op, std::uint64_t address, std::uint32_t length) {
  const std::uint64_t p = m.page_size();
  const bool is_write = std::string(op) == "write";
  const ReferenceModel::PageView start = m.page_at(address);
  if (start.allocated && start.state == PageState::committed)
    hit((std::string("access.") + op + "." + ((start.protect & PAGE_GUARD) ? std::string("guard") : short_protection(start.protect & 0xFF))).c_str());
  // The first page the access cannot pass (a write must pass every page; a read fails only on its first).
  std::uint64_t blocked = ~0ull;
  for (std::uint64_t page = round_down(address, p); page <= address + length - 1; page += p) {
    const bool ok = is_write ? m.writable(page) : m.readable(page);
    if (!ok) {
      blocked = page;
      break;
    }
    if (!is_write || page + p < page) break;
  }
  if (blocked == ~0ull || (!is_write && blocked != round_down(address, p))) return;
  const ReferenceModel::PageView v = m.page_at(blocked);
  std::string why;
  if (v.allocated) {
    why = v.state == PageState::reserved ? "reserved"
          : (v.protect & PAGE_GUARD)      ? "guard"
          : (v.protect & 0xFF) == PAGE_NOACCESS ? "noaccess"
                                                : "readonly";
  } else {
    const bool released = std::any_of(released_.begin(), released_.end(),
                                      [&](const Span& r) { return blocked >= r.base && blocked - r.base < r.size; });
    const auto previous = m.allocations().upper_bound(blocked);
    const bool tail = previous != m.allocations().begin() &&
                      blocked < round_down(std::prev(previous)->second.base + std::prev(previous)->second.size +
                                               m.allocation_granularity() - 1,
                                           m.allocation_granularity());
    why = released ? "released" : tail ? "granule-tail" : "free";
  }
  hit((std::string("fail.") + op + "." + why).c_str());
}

void Tracker::inject_fault(hresult fault, bool supported) {
  count_call();
  static const std::vector<std::pair<hresult, const char*>> cells = {
      {E_FAIL, "fail.free.host-e-fail"},
      {HOST_E_TIMEOUT, "fail.free.host-timeout"},
      {HOST_E_NOT_OWNER, "fail.free.host-not-owner"},
      {HOST_E_ABANDONED, "fail.free.host-abandoned"},
      {HOST_E_CLRNOTAVAILABLE, "fail.free.host-clr-not-available"}};
  if (!supported) {
    for (const auto& [code, id] : cells)
      counts_.unreachable.emplace(id, "the backend has no fault injection (Target::inject_host_fault)");
    counts_.unreachable.emplace("fail.free.after-efail", "the backend has no fault injection (Target::inject_host_fault)");
    return;
  }
  for (const auto& [code, id] : cells)
    if (code == fault) hit(id);
}

void Tracker::occupied_refusal(std::uint64_t) {
  ++adjacency_refusals_;
  const std::string why = "the backend refused " + std::to_string(adjacency_refusals_) +
                          " explicit reservation(s) of ranges the model saw free (decision D-OCCUPIED): "
                          "its address space is taken there, so no adjacent reservation could be made";
  for (const char* op : {"write", "read", "commit", "decommit"})
    for (const char* shape : {"adjacent-committed", "adjacent-other"})
      counts_.unreachable[std::string("range.") + op + "." + shape] = why;
}

void Tracker::no_foreign_memory() {
  counts_.unreachable.emplace("fail.free.foreign-memory", "the backend reports no foreign memory (Target::foreign_memory())");
}

}  // namespace vmc::coverage
