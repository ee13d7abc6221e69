// long_sequences.cpp - X-MODEL over long sequences: thousands of random ops with the coverage
// sweep mixed in, on one target, step by step against the reference model.
//
// The state machine (state_machine.cpp) draws short sequences that RapidCheck can shrink; bugs
// that need many live reservations, a long history or a rare combination (a protection with a
// modifier at an explicit address, a write into the adjacent reservation) hide from it. Each case
// here runs, on one fresh target, 2,000 ops of the state machine's own generators
// (random_sequence) with every block of the coverage sweep (coverage_sweep.hpp) mixed in, so the
// default run reaches every cell of the coverage table at every seed. A divergence is shortened
// on fresh targets (shorten.hpp) and printed as op-sequence text for `vmconform replay`.
#include <rapidcheck.h>

#include "vmconform/coverage_sweep.hpp"
#include "vmconform/op_generators.hpp"
#include "vmconform/property.hpp"
#include "vmconform/shorten.hpp"

namespace vmc {
namespace {

constexpr std::size_t kRandomOps = 2000;
constexpr double kShortenSeconds = 5;

std::string failure_text(const opseq::Sequence& ops, std::size_t step, const Divergence& d, const opseq::Sequence& shortened,
                         std::uint64_t sequence_seed) {
  std::string out = "[" + d.rule + "] " + d.message + "\nin a sequence of " + std::to_string(ops.size()) +
                    " ops (sequence seed " + std::to_string(sequence_seed) + "), at " +
                    (step == 0 ? std::string("the final comparison") : "step " + std::to_string(step)) + ";";
  if (shortened.size() <= opseq::kMaxOps) {
    out += " shortened to " + std::to_string(shortened.size()) +
           " ops (save as a file and run `vmconform replay FILE` with the same backend and profile):\n" +
           opseq::to_text(shortened);
  } else {
    out += " still " + std::to_string(shortened.size()) + " ops after shortening, more than a file holds (" +
           std::to_string(opseq::kMaxOps) + "); its first ops:\n" +
           opseq::to_text(opseq::Sequence(shortened.begin(), shortened.begin() + opseq::kMaxOps));
  }
  return out;
}

}  // namespace

VMC_LONG_MODEL_PROPERTY("X-MODEL", XModelLongSequencesWithTheCoverageSweep,
                        "2,000 random ops with the coverage sweep mixed in match the reference model", 4) {
  const std::uint64_t seed = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<std::uint64_t>())).as("sequence seed");
  const opseq::Sequence ops =
      coverage::interleave(seed, random_sequence(seed, kRandomOps, env.page), env.page, env.granularity);
  coverage::Tracker tracker(*env.coverage);
  Differential differential(env.target, env.profile);
  differential.track_coverage(&tracker);
  std::optional<std::pair<std::size_t, Divergence>> found;
  for (std::size_t i = 0; i < ops.size() && !found; ++i)
    if (auto d = differential.step(ops[i])) found = std::pair{i + 1, *d};
  if (!found)
    if (auto d = differential.final_check()) found = std::pair{std::size_t{0}, *d};
  RC_CLASSIFY(differential.handles().size() > 64, "more than 64 reservations");
  if (!found) return;
  const auto [step, divergence] = *found;
  opseq::Sequence shortened(ops.begin(), step == 0 ? ops.end() : ops.begin() + static_cast<std::ptrdiff_t>(step));
  if (env.fresh_target)
    shortened = shorten(std::move(shortened), divergence.rule, fresh_run(env.fresh_target, env.profile), kShortenSeconds);
  RC_FAIL(failure_text(ops, step, divergence, shortened, seed));
}

}  // namespace vmc
