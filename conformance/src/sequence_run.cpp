// sequence_run.cpp - run_sequence (vmconform/sequence_run.hpp).
#include "vmconform/sequence_run.hpp"

namespace vmc {
namespace {

std::optional<Divergence> checked(const StateCheck& check, const std::string& when) {
  if (!check) return std::nullopt;
  std::string problem = check();
  if (problem.empty()) return std::nullopt;
  return Divergence{"X-MODEL", "the backend's whole state differs from the model's " + when + ": " + problem};
}

}  // namespace

SequenceRun run_sequence(Differential& differential, const opseq::Sequence& ops, const StateCheck& check,
                         std::size_t every) {
  SequenceRun run;
  for (const opseq::Op& op : ops) {
    ++run.ops_run;
    run.divergence = differential.step(op);
    if (!run.divergence && every > 0 && run.ops_run % every == 0)
      run.divergence = checked(check, "after op " + std::to_string(run.ops_run));
    if (run.divergence) {
      run.step = run.ops_run;
      return run;
    }
  }
  run.divergence = differential.final_check();
  if (!run.divergence) run.divergence = checked(check, "at the end of the sequence");
  return run;
}

}  // namespace vmc
