// long_differential.hpp - shared pieces of vmconform_bench_long_differential (a nightly-style run,
// not a test).
//
// The program runs sequences of thousands of random ops (vmc::random_sequence, the X-MODEL state
// machine's generator) through vmc::Differential on each backend x profile, times them, and for
// the first divergence of each pair shortens the sequence (long_differential_shrink.cpp) until it
// fits the op-sequence text form and writes it out for `vmconform replay`. The results go to
// stdout and to a generated Markdown report (long_differential_report.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/differential.hpp"

namespace vmc::bench {

struct LongOptions {
  std::size_t ops = 5000;        // per sequence
  std::size_t sequences = 20;    // per backend x profile (fewer if the time budget runs out)
  std::uint64_t seed = 1;        // sequence i has seed seed + i, on every backend and profile
  double time_budget = 30;       // seconds per backend x profile; 0 = none
  double shrink_budget = 60;     // seconds to shorten one divergent sequence
  std::vector<std::string> backends{"native", "process", "sim"};
  std::vector<std::string> profiles{"documented", "win32"};
  std::string report;            // Markdown file to write, or ""
  std::string repro_dir;         // where reproducers go
  std::string baselines_dir;     // conformance/baselines, to tell declared deviations apart
  std::string build;             // build description for the report
};

struct FirstDivergence {
  std::uint64_t seed = 0;    // of the sequence
  std::size_t step = 0;      // 1-based op that diverged; 0 = the final comparison
  Divergence divergence;
  std::size_t shortened_ops = 0;  // ops in the written reproducer
  bool reproduced = false;        // the written sequence diverges again with the same rule
  std::string file;               // reproducer file ("" if none could be written)
  std::string replay;             // the command line that replays it
  std::string note;               // anything the reader should know (too long to replay, ...)
};

struct PairResult {
  std::string backend, profile;
  bool expected_to_diverge = false;  // not in the default suite (raw-*, mutants)
  std::size_t sequences = 0, ops = 0, divergences = 0;
  std::size_t reservations = 0, live_at_end = 0;  // summed over sequences: how deep they went
  double seconds = 0;                // in Differential::step/final_check only
  std::vector<std::string> rules;    // rules of every divergence, in order
  std::vector<std::string> baseline_rules;  // rules the backend's baseline declares, if it has one
  std::string target_failure;        // Target::failure() of the first target that failed
  std::optional<FirstDivergence> first;
};

/// Runs `s` on a fresh target of a fresh factory made as `vmconform replay` makes it; the first
/// divergence and its 1-based step (0 = final check), or nothing.
std::optional<std::pair<std::size_t, Divergence>> run_fresh(const BackendInfo& backend, Profile profile,
                                                            const opseq::Sequence& s);
/// The shortest sequence found within `budget_seconds` that still diverges with `rule` (removing
/// chunks of ops, then cutting everything after the divergence).
opseq::Sequence shorten(const BackendInfo& backend, Profile profile, opseq::Sequence s, const std::string& rule,
                        double budget_seconds);

/// The Markdown report (date, machine, parameters, one row per backend x profile, divergences).
std::string markdown_report(const LongOptions& o, const std::vector<PairResult>& results, const std::string& load_before,
                            const std::string& load_after, double generation_seconds);
std::string load_average();

}  // namespace vmc::bench
