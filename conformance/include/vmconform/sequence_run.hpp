// sequence_run.hpp - one op sequence through a Differential, op by op, with a backend's own
// whole-state check on the side.
//
// The long runs (bench/long_differential) and the backends' differential tests all run a
// sequence the same way: every op through Differential::step, then the final comparison. A
// backend may add a whole-state check that only it can make (its host table against the model's
// allocations, the OS's view of its pages): run_sequence() calls it every `every` ops and at the
// end, and its complaint ends the run like a divergence, under rule X-MODEL.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "vmconform/differential.hpp"

namespace vmc {

/// "" while the backend's state agrees with the model's, else what differs.
using StateCheck = std::function<std::string()>;

struct SequenceRun {
  std::size_t ops_run = 0;  // ops stepped through (the diverging one included)
  std::size_t step = 0;     // 1-based op that diverged, 0 = the final comparison (or no divergence)
  std::optional<Divergence> divergence;
};

SequenceRun run_sequence(Differential& differential, const opseq::Sequence& ops, const StateCheck& check = {},
                         std::size_t every = 0);

}  // namespace vmc
