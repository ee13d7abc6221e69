// shorten.hpp - shortening a divergent op sequence to the fewest ops that still diverge.
//
// Used by the long-sequence property of X-MODEL (its sequences hold thousands of ops, generated
// from a seed, so RapidCheck cannot shrink them) and by the long differential benchmark. The
// shortened sequence is what a failure prints, in the op-sequence text form, for `vmconform
// replay`. Region references are relative to earlier results, so a shortened sequence stays
// meaningful (it may refer to other regions than before).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "vmconform/differential.hpp"

namespace vmc {

/// Runs a sequence on a fresh target: the 1-based step of its first divergence (0 = the final
/// comparison) and the divergence, or nothing.
using FreshRun = std::function<std::optional<std::pair<std::size_t, Divergence>>(const opseq::Sequence&)>;

/// A FreshRun that runs each sequence through a Differential (run_sequence, sequence_run.hpp) on
/// a target made by `make` for it.
FreshRun fresh_run(std::function<std::unique_ptr<Target>()> make, Profile profile);

/// The shortest sequence found within `budget_seconds` that still diverges with `rule`: removes
/// chunks of ops, halving the chunk size when no chunk can go, and after every success cuts the
/// ops after the new divergence point.
opseq::Sequence shorten(opseq::Sequence s, const std::string& rule, const FreshRun& run, double budget_seconds);

}  // namespace vmc
