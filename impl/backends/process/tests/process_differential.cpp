// process_differential.cpp - the operations of the process differential test, one function each.
//
// Addresses come from four pools: inside or just around the model's live allocations, a 64 MiB
// window far from everything the tracee has mapped, the tracee's own mappings (foreign memory),
// and 0 (the OS chooses). Sizes, types and protections include invalid values so that the
// validation order is compared too.
#include "process_differential.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include "remote_maps.hpp"

namespace vmc::process::test {

namespace {
constexpr std::uint64_t kWindow = 0x200000000ull;
constexpr std::uint64_t kWindowSize = 0x4000000ull;
constexpr std::uint64_t kGranule = 0x10000;
constexpr std::uint32_t kProtections[] = {
    PAGE_NOACCESS,     PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ,
    PAGE_EXECUTE_READWRITE, PAGE_READWRITE, PAGE_READWRITE | PAGE_GUARD,
    PAGE_READONLY | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE,
    PAGE_EXECUTE_READ | PAGE_WRITECOMBINE, 0, PAGE_WRITECOPY, PAGE_NOACCESS | PAGE_GUARD, 0x1234};
constexpr std::uint32_t kTypes[] = {
    MEM_RESERVE, MEM_COMMIT, MEM_COMMIT | MEM_RESERVE, MEM_COMMIT | MEM_RESERVE, MEM_COMMIT,
    MEM_RESET,   MEM_RESERVE | MEM_TOP_DOWN, MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN, 0,
    MEM_DECOMMIT, MEM_RESET | MEM_COMMIT};

template <typename T, std::size_t N>
T pick(std::mt19937_64& rng, const T (&values)[N]) {
  return values[rng() % N];
}

std::string region_text(const RegionInfo& r) {
  return "{base=" + hex(r.base_address) + " alloc_base=" + hex(r.allocation_base) +
         " size=" + hex(r.region_size) + " alloc_protect=" + protect_name(r.allocation_protect) +
         " state=" + hex(r.state) + " protect=" + protect_name(r.protect) + " type=" + hex(r.type) +
         "}";
}

bool same_region(const RegionInfo& a, const RegionInfo& b) {
  return a.base_address == b.base_address && a.allocation_base == b.allocation_base &&
         a.region_size == b.region_size && a.allocation_protect == b.allocation_protect &&
         a.state == b.state && a.protect == b.protect && a.type == b.type;
}
}  // namespace

ProcessDifferential::ProcessDifferential(ProcessTarget& target, std::uint64_t seed)
    : target_(target), model_(ModelConfig{}), seed_(seed), rng_(seed) {}

std::string ProcessDifferential::where() const {
  return " [seed " + std::to_string(seed_) + ", operation #" + std::to_string(stats_.operations) +
         "]";
}

std::string ProcessDifferential::run(int count) {
  for (int i = 0; i < count; ++i) {
    ++stats_.operations;
    const unsigned dice = static_cast<unsigned>(rng_() % 100);
    std::string mismatch;
    if (dice < 35) mismatch = allocate();
    else if (dice < 50) mismatch = free();
    else if (dice < 70) mismatch = write();
    else if (dice < 85) mismatch = read();
    else mismatch = query();
    if (mismatch.empty() && stats_.operations % 250 == 0) mismatch = compare_state();
    if (!mismatch.empty()) return mismatch + where();
  }
  const std::string last = compare_state();
  return last.empty() ? last : last + where();
}

// --- address and size pools ---------------------------------------------------------------
std::uint64_t ProcessDifferential::window_address() {
  const std::uint64_t a = kWindow + rng_() % kWindowSize;
  return rng_() % 2 ? a - a % kGranule : a;
}

std::uint64_t ProcessDifferential::known_address() {
  const auto& allocations = model_.allocations();
  if (allocations.empty()) return window_address();
  auto it = allocations.begin();
  std::advance(it, static_cast<long>(rng_() % allocations.size()));
  const Allocation& a = it->second;
  switch (rng_() % 4) {
    case 0: return a.base;
    case 1: return a.base + (rng_() % (a.size / 0x1000)) * 0x1000;
    case 2: return a.base + rng_() % a.size;
    default: return a.base + a.size - 0x2000 + rng_() % 0x4000;  // around the end
  }
}

std::uint64_t ProcessDifferential::foreign_address() {
  std::vector<MapEntry> foreign;
  for (const MapEntry& e : read_maps(target_.pid())) {
    std::uint64_t b = 0, en = 0;
    if (!overlaps_foreign(e.start, e.end, &b, &en)) continue;  // ours
    if (e.start < 0x500000 && e.end > 0x400000) continue;     // the model's simulated image
    foreign.push_back(e);
  }
  if (foreign.empty()) return window_address();
  const MapEntry& e = foreign[rng_() % foreign.size()];
  return e.start + (rng_() % ((e.end - e.start) / 0x1000)) * 0x1000;
}

std::uint64_t ProcessDifferential::committed_address() {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;  // [begin, end) of committed runs
  for (const auto& [base, a] : model_.allocations()) {
    for (auto it = a.runs.begin(); it != a.runs.end(); ++it) {
      if (it->second.state != PageState::committed) continue;
      const auto next = std::next(it);
      const std::uint64_t end_page = next == a.runs.end() ? a.size / 0x1000 : next->first;
      runs.emplace_back(base + it->first * 0x1000, base + end_page * 0x1000);
    }
  }
  if (runs.empty()) return known_address();
  const auto [begin, end] = runs[rng_() % runs.size()];
  return begin + rng_() % (end - begin);
}

std::uint64_t ProcessDifferential::any_address() {
  const unsigned dice = static_cast<unsigned>(rng_() % 100);
  if (dice < 55) return known_address();
  if (dice < 92) return window_address();
  return foreign_address();
}

std::uint32_t ProcessDifferential::random_size() {
  switch (rng_() % 8) {
    case 0: return 1;
    case 1: return 0x1000;
    case 2: return 0x10000;
    case 3: return static_cast<std::uint32_t>(1 + rng_() % 0x3000);
    case 4: return static_cast<std::uint32_t>(1 + rng_() % 0x40000);
    case 5: return static_cast<std::uint32_t>(0x1000 * (1 + rng_() % 64));
    case 6: return rng_() % 16 == 0 ? 0 : 0x2000;
    default: return static_cast<std::uint32_t>(1 + rng_() % 0x200000);
  }
}

bool ProcessDifferential::overlaps_foreign(std::uint64_t begin, std::uint64_t end,
                                           std::uint64_t* foreign_begin,
                                           std::uint64_t* foreign_end) {
  // Foreign: mapped in the tracee and not part of any allocation the host holds.
  const auto held = target_.allocations();
  for (const MapEntry& e : read_maps(target_.pid())) {
    if (e.end <= begin || e.start >= end) continue;
    bool ours = false;
    for (const HostAllocation& a : held)
      if (a.base <= e.start && e.end <= a.base + a.mapped_size) ours = true;
    if (ours) continue;
    *foreign_begin = e.start;
    *foreign_end = e.end;
    return true;
  }
  return false;
}

// --- the operations -------------------------------------------------------------------------
std::string ProcessDifferential::allocate() {
  const unsigned dice = static_cast<unsigned>(rng_() % 100);
  const std::uint64_t address = dice < 25 ? 0 : any_address();
  const std::uint32_t size = random_size();
  const std::uint32_t type = pick(rng_, kTypes);
  const std::uint32_t protect = pick(rng_, kProtections);
  const std::string call = "AllocateVirtualMemory(address=" + hex(address) + ", size=" +
                           hex(size) + ", type=" + alloc_type_name(type) +
                           ", protect=" + protect_name(protect) + ")";
  std::uint64_t p_out = 0xDEAD, m_out = 0xBEEF;
  const hresult p_hr = target_.allocate_virtual_memory(address, size, type, protect, &p_out);
  hresult m_hr;
  if (address == 0 && succeeded(p_hr) && (type & (MEM_COMMIT | MEM_RESERVE))) {
    m_hr = model_.allocate_at_system_choice(p_out, size, type, protect, &m_out);
    ++stats_.system_choices;
  } else {
    m_hr = model_.allocate_virtual_memory(address, size, type, protect, &m_out);
    std::uint64_t fb = 0, fe = 0;
    if (p_hr == HR_INVALID_ADDRESS && m_hr == S_OK && (type & MEM_RESERVE) &&
        overlaps_foreign(m_out, m_out + ((size + (address % kGranule) + 0xFFFull) & ~0xFFFull),
                         &fb, &fe)) {
      // The OS had memory there: the model learns it and must now refuse the same way.
      model_.virtual_free(m_out, 0, MEM_RELEASE);
      model_.occupy(fb, fe - fb);
      ++stats_.occupied;
      m_hr = model_.allocate_virtual_memory(address, size, type, protect, &m_out);
    }
  }
  if (p_hr != m_hr || p_out != m_out)
    return call + ": process -> " + hresult_name(p_hr) + " out=" + hex(p_out) + "; model -> " +
           hresult_name(m_hr) + " out=" + hex(m_out);
  if (succeeded(p_hr)) ++stats_.successful_allocations;
  return "";
}

std::string ProcessDifferential::free() {
  const unsigned dice = static_cast<unsigned>(rng_() % 100);
  std::uint64_t address = dice < 10 ? foreign_address() : any_address();
  if (dice >= 10 && dice < 55 && !model_.allocations().empty()) {
    auto it = model_.allocations().begin();
    std::advance(it, static_cast<long>(rng_() % model_.allocations().size()));
    address = it->first;
  }
  const std::uint64_t size = rng_() % 2 ? 0 : random_size();
  const unsigned t = static_cast<unsigned>(rng_() % 20);
  const std::uint32_t type = t < 9 ? MEM_DECOMMIT : t < 18 ? MEM_RELEASE : t == 18 ? 0 : MEM_FREE;
  if (rng_() % 200 == 0) {  // a transient host failure, injected into both
    target_.inject_host_fault(HOST_E_TIMEOUT);
    model_.inject_host_fault(HOST_E_TIMEOUT);
  }
  const hresult p_hr = target_.virtual_free(address, size, type);
  const hresult m_hr = model_.virtual_free(address, size, type);
  if (p_hr != m_hr)
    return "VirtualFree(address=" + hex(address) + ", size=" + hex(size) + ", type=" +
           alloc_type_name(type) + "): process -> " + hresult_name(p_hr) + "; model -> " +
           hresult_name(m_hr);
  return "";
}

std::string ProcessDifferential::write() {
  const std::uint64_t address = rng_() % 2 ? committed_address() : any_address();
  const std::uint32_t size = rng_() % 20 == 0 ? 0 : static_cast<std::uint32_t>(1 + rng_() % 0x2400);
  std::vector<std::uint8_t> bytes(size);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng_());
  const hresult p_hr = target_.write_virtual(address, bytes.data(), size);
  const hresult m_hr = model_.write_virtual(address, bytes.data(), size);
  if (p_hr != m_hr)
    return "WriteVirtual(address=" + hex(address) + ", size=" + hex(size) + "): process -> " +
           hresult_name(p_hr) + "; model -> " + hresult_name(m_hr);
  if (succeeded(p_hr) && size > 0) ++stats_.successful_writes;
  return "";
}

std::string ProcessDifferential::read() {
  const std::uint64_t address = rng_() % 2 ? committed_address() : any_address();
  const std::uint32_t size = rng_() % 20 == 0 ? 0 : static_cast<std::uint32_t>(1 + rng_() % 0x2400);
  std::vector<std::uint8_t> p_bytes(size, 0xCC), m_bytes(size, 0xCC);
  std::uint32_t p_n = 77, m_n = 88;
  const hresult p_hr = target_.read_virtual(address, p_bytes.data(), size, &p_n);
  const hresult m_hr = model_.read_virtual(address, m_bytes.data(), size, &m_n);
  const std::string call = "ReadVirtual(address=" + hex(address) + ", size=" + hex(size) + ")";
  if (p_hr != m_hr || p_n != m_n)
    return call + ": process -> " + hresult_name(p_hr) + " read=" + hex(p_n) + "; model -> " +
           hresult_name(m_hr) + " read=" + hex(m_n);
  for (std::uint32_t i = 0; i < p_n; ++i)
    if (p_bytes[i] != m_bytes[i])
      return call + ": byte at " + hex(address + i) + ": process " + hex(p_bytes[i]) +
             ", model " + hex(m_bytes[i]);
  if (succeeded(p_hr) && p_n > 0) ++stats_.successful_reads;
  return "";
}

std::string ProcessDifferential::query() {
  const std::uint64_t address = rng_() % 50 == 0 ? 0x800000000000ull : any_address();
  RegionInfo p{}, m{};
  const hresult p_hr = target_.query_virtual(address, &p);
  const hresult m_hr = model_.query_virtual(address, &m);
  if (p_hr != m_hr || (succeeded(p_hr) && !same_region(p, m)))
    return "Query(address=" + hex(address) + "): process -> " + hresult_name(p_hr) + " " +
           region_text(p) + "; model -> " + hresult_name(m_hr) + " " + region_text(m);
  return "";
}

std::string ProcessDifferential::compare_state() {
  ++stats_.state_checks;
  if (target_.allocations().size() != model_.allocations().size())
    return "state: process holds " + std::to_string(target_.allocations().size()) +
           " allocations, model " + std::to_string(model_.allocations().size());
  for (const auto& [base, a] : model_.allocations()) {
    for (std::uint64_t at = base; at < base + a.size;) {
      RegionInfo p{}, m{};
      target_.query_virtual(at, &p);
      model_.query_virtual(at, &m);
      if (!same_region(p, m))
        return "state at " + hex(at) + ": process " + region_text(p) + "; model " + region_text(m);
      if (m.state == MEM_COMMIT) {  // compare up to 16 KiB of each readable run
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(m.region_size, 0x4000));
        std::vector<std::uint8_t> pb(n), mb(n);
        std::uint32_t pn = 0, mn = 0;
        const hresult ph = target_.read_virtual(at, pb.data(), n, &pn);
        const hresult mh = model_.read_virtual(at, mb.data(), n, &mn);
        if (ph != mh || pn != mn || pb != mb)
          return "state bytes at " + hex(at) + ": process " + hresult_name(ph) + " read " +
                 hex(pn) + ", model " + hresult_name(mh) + " read " + hex(mn) +
                 (pb != mb ? " (bytes differ)" : "");
      }
      at += m.region_size;
    }
  }
  return "";
}

}  // namespace vmc::process::test
