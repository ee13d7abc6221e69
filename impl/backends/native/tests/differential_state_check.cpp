// differential_state_check.cpp - DifferentialRunner::compare_everything: the whole state at once.
//
// Beyond the per-operation comparison this catches drift that no single call shows: the host
// table must list exactly the model's allocations with the same page runs; every page must read
// the same through both targets; and the real protection of each page (observed with
// process_vm_readv, which cannot fault) must agree with the table - accessible pages readable,
// reserved, PAGE_NOACCESS and PAGE_GUARD pages and the granule tail not.
#include <iterator>

#include "differential_runner.hpp"

namespace vmc::test {

namespace {
constexpr std::uint64_t kPage = 0x1000;
constexpr std::uint64_t kGranule = 0x10000;
constexpr std::uint64_t kPagesCompared = 16;  // per allocation, plus a random sample

bool os_accessible(const Allocation::Run& run) {
  if (run.state != PageState::committed || (run.protect & PAGE_GUARD)) return false;
  return (run.protect & 0xFF) != PAGE_NOACCESS;
}
}  // namespace

bool DifferentialRunner::compare_everything() {
  if (auto broken = model_.check_invariants()) {
    fail("model invariant broken: " + *broken);
    return false;
  }
  const std::vector<HostAllocation> native = table_->allocations();
  const auto& model = model_.allocations();
  if (native.size() != model.size()) {
    fail("host table has " + std::to_string(native.size()) + " allocations, model " +
         std::to_string(model.size()));
    return false;
  }
  auto m = model.begin();
  for (const HostAllocation& n : native) {
    if (!compare_allocation(n, m->second) || !compare_contents_and_protections(n, m->second))
      return false;
    ++m;
  }
  return true;
}

bool DifferentialRunner::compare_allocation(const HostAllocation& n, const Allocation& m) {
  const std::string where = "allocation " + hex(m.base) + ": ";
  if (n.base != m.base || n.size != m.size || n.allocation_protect != m.allocation_protect) {
    fail(where + "host table has base=" + hex(n.base) + " size=" + hex(n.size) +
         " protect=" + hex(n.allocation_protect) + ", model size=" + hex(m.size) +
         " protect=" + hex(m.allocation_protect));
    return false;
  }
  const std::uint64_t owned = (m.size + kGranule - 1) / kGranule * kGranule;
  if (n.mapped_size != owned && n.mapped_size != m.size) {
    fail(where + "mapped_size " + hex(n.mapped_size) + " is neither size nor whole granules");
    return false;
  }
  if (n.runs.size() != m.runs.size()) {
    fail(where + std::to_string(n.runs.size()) + " runs in the host table, " +
         std::to_string(m.runs.size()) + " in the model");
    return false;
  }
  auto mr = m.runs.begin();
  for (const auto& [first, run] : n.runs) {
    const bool committed = mr->second.state == PageState::committed;
    if (first != mr->first || run.committed != committed || run.protect != mr->second.protect) {
      fail(where + "run at page " + hex(first) + " differs from the model's run at page " +
           hex(mr->first));
      return false;
    }
    ++mr;
  }
  return true;
}

bool DifferentialRunner::compare_contents_and_protections(const HostAllocation& n,
                                                          const Allocation& m) {
  const std::uint64_t pages = m.size / kPage;
  std::vector<std::uint64_t> sample;
  for (std::uint64_t p = 0; p < pages && p < kPagesCompared; ++p) sample.push_back(p);
  for (int i = 0; i < 8 && pages > kPagesCompared; ++i) sample.push_back(in_.below(pages));
  for (const auto& [first, run] : m.runs) sample.push_back(first);  // every run's first page
  for (const std::uint64_t p : sample) {
    const std::uint64_t at = m.base + p * kPage;
    native_buf_.assign(kPage, 0xEE);
    model_buf_.assign(kPage, 0xEE);
    std::uint32_t n_read = 0, m_read = 0;
    const hresult native_hr = native_->read_virtual(at, native_buf_.data(), kPage, &n_read);
    const hresult model_hr = model_.read_virtual(at, model_buf_.data(), kPage, &m_read);
    if (native_hr != model_hr || n_read != m_read || native_buf_ != model_buf_) {
      fail("page " + hex(at) + " reads differently: native " + hresult_name(native_hr) +
           " read=" + hex(n_read) + ", model " + hresult_name(model_hr) + " read=" + hex(m_read));
      return false;
    }
    const Allocation::Run run = std::prev(m.runs.upper_bound(p))->second;
    const std::optional<bool> os = os_readable(at);
    if (os && *os != os_accessible(run)) {
      fail("page " + hex(at) + " is " + (*os ? "" : "not ") +
           "accessible to the OS but the table says state=" +
           (run.state == PageState::committed ? "committed" : "reserved") +
           " protect=" + protect_name(run.protect));
      return false;
    }
  }
  // The granule tail, when the host holds it, is never accessible.
  if (n.mapped_size > m.size) {
    const std::optional<bool> os = os_readable(m.base + m.size);
    if (os && *os) {
      fail("granule tail " + hex(m.base + m.size) + " is readable by the OS");
      return false;
    }
  }
  return true;
}

}  // namespace vmc::test
