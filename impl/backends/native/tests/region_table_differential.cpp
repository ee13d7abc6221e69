// region_table_differential.cpp - the host table against the model, and the random sequences
// through vmc::Differential with that check (region_table_differential.hpp).
#include "region_table_differential.hpp"

#include "vmconform/differential.hpp"
#include "vmconform/op_generators.hpp"
#include "vmconform/sequence_run.hpp"

namespace vmc::test {
namespace {

constexpr std::size_t kCheckEvery = 400;

std::string region_text(const RegionInfo& r) {
  return "{base=" + hex(r.base_address) + " alloc_base=" + hex(r.allocation_base) + " size=" + hex(r.region_size) +
         " alloc_protect=" + protect_name(r.allocation_protect) + " state=" + hex(r.state) +
         " protect=" + protect_name(r.protect) + " type=" + hex(r.type) + "}";
}

bool same_region(const RegionInfo& a, const RegionInfo& b) {
  return a.base_address == b.base_address && a.allocation_base == b.allocation_base &&
         a.region_size == b.region_size && a.allocation_protect == b.allocation_protect && a.state == b.state &&
         a.protect == b.protect && a.type == b.type;
}

std::string compare_allocation(const HostAllocation& h, const Allocation& m, std::uint64_t granularity) {
  const std::string where = "allocation " + hex(m.base) + ": ";
  if (h.base != m.base || h.size != m.size || h.allocation_protect != m.allocation_protect)
    return where + "the host table has base=" + hex(h.base) + " size=" + hex(h.size) +
           " protect=" + hex(h.allocation_protect) + ", the model size=" + hex(m.size) +
           " protect=" + hex(m.allocation_protect);
  const std::uint64_t owned = (m.size + granularity - 1) / granularity * granularity;
  if (h.mapped_size != owned && h.mapped_size != m.size)
    return where + "mapped_size " + hex(h.mapped_size) + " is neither the size nor whole granules";
  if (h.runs.size() != m.runs.size())
    return where + std::to_string(h.runs.size()) + " page runs in the host table, " + std::to_string(m.runs.size()) +
           " in the model";
  auto mr = m.runs.begin();
  for (const auto& [first, run] : h.runs) {
    const bool committed = mr->second.state == PageState::committed;
    if (first != mr->first || run.committed != committed || run.protect != mr->second.protect)
      return where + "the run at page " + hex(first) + " differs from the model's run at page " + hex(mr->first);
    ++mr;
  }
  return "";
}

/// Every region of the allocation as query_virtual reports it, on both sides.
std::string compare_regions(RegionTableTarget& target, ReferenceModel& model, const Allocation& a) {
  for (std::uint64_t at = a.base; at < a.base + a.size;) {
    RegionInfo t{}, m{};
    const hresult ht = target.query_virtual(at, &t), hm = model.query_virtual(at, &m);
    if (ht != hm || !same_region(t, m))
      return "query_virtual(" + hex(at) + "): backend " + hresult_name(ht) + " " + region_text(t) + ", model " +
             hresult_name(hm) + " " + region_text(m);
    if (m.region_size == 0) break;
    at += m.region_size;
  }
  return "";
}

std::string outcome_of(const opseq::Op& op, const std::string& log_line) {
  static const char* const kNames[] = {"alloc", "free", "write", "read", "free_foreign", "inject_fault"};
  const bool ok = log_line.find("-> " + hresult_name(S_OK)) != std::string::npos;
  return std::string(kNames[static_cast<int>(op.kind)]) + (ok ? " S_OK" : " failed");
}

}  // namespace

std::string compare_region_table(RegionTableTarget& target, const ReferenceModel& model) {
  if (auto broken = model.check_invariants()) return "model invariant broken: " + *broken;
  const std::vector<HostAllocation> host = target.allocations();
  const auto& allocations = model.allocations();
  if (host.size() != allocations.size())
    return "the host table has " + std::to_string(host.size()) + " allocations, the model " +
           std::to_string(allocations.size());
  ReferenceModel queried = model;  // query_virtual is not const
  auto m = allocations.begin();
  for (const HostAllocation& h : host) {
    std::string problem = compare_allocation(h, m->second, target.allocation_granularity());
    if (problem.empty()) problem = compare_regions(target, queried, m->second);
    if (!problem.empty()) return problem;
    ++m;
  }
  return "";
}

DifferentialRun run_random_sequence(RegionTableTarget& target, std::uint64_t seed, std::size_t ops,
                                    const BackendCheck& backend_check) {
  const opseq::Sequence s = random_sequence(seed, ops, target.page_size());
  Differential differential(target, Profile::win32);
  const StateCheck check = [&] {
    std::string problem = compare_region_table(target, differential.model());
    if (problem.empty() && backend_check) problem = backend_check(differential.model());
    return problem;
  };
  const SequenceRun run = run_sequence(differential, s, check, kCheckEvery);
  DifferentialRun out;
  const std::vector<std::string> log = differential.log();
  for (std::size_t i = 0; i < log.size() && i < s.size(); ++i) ++out.tally[outcome_of(s[i], log[i])];
  out.reservations = differential.handles().size();
  if (run.divergence) out.rule = run.divergence->rule;
  if (run.divergence)
    out.failure = "seed " + std::to_string(seed) + ", " +
                  (run.step ? "step " + std::to_string(run.step) + " `" + opseq::to_text(s[run.step - 1]) + "`"
                            : std::string("the final check")) +
                  ": [" + run.divergence->rule + "] " + run.divergence->message;
  return out;
}

}  // namespace vmc::test
