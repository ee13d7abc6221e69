// region_table_differential.hpp - the differential test of a region-table backend (`native`,
// `process`): the suite's random op sequences through the suite's checker, plus the whole-state
// checks only such a backend allows.
//
// A sequence comes from vmc::random_sequence (the X-MODEL state machine's generators) and runs
// through vmc::Differential in the win32 profile, every op compared with the reference model.
// Every 400 ops and at the end, compare_region_table() holds the backend's host table against the
// model's allocations and every region query_virtual reports against the model's; a backend adds
// its own check on top (`native`: what the OS says about each page, native_differential_test.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "host_region_table.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc::test {

/// "" while `target`'s host table and regions agree with `model`, else the first difference.
std::string compare_region_table(RegionTableTarget& target, const ReferenceModel& model);

/// A backend's own whole-state check: "" or what differs from the model.
using BackendCheck = std::function<std::string(const ReferenceModel& model)>;

struct DifferentialRun {
  std::string failure;               // "" or the divergence, with the seed and the step
  std::string rule;                  // the rule the divergence breaks, if there is one
  std::map<std::string, int> tally;  // "alloc S_OK", "write failed", ...: how often each op kind ended how
  std::size_t reservations = 0;
};

/// random_sequence(seed, ops) on `target` (a fresh one) and on the model, as described above.
DifferentialRun run_random_sequence(RegionTableTarget& target, std::uint64_t seed, std::size_t ops,
                                    const BackendCheck& backend_check = {});

}  // namespace vmc::test
