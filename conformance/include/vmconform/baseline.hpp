// baseline.hpp - declared deviations: expected failures per backend (Wine's todo_wine).
//
// A baseline file (schema "vmconform-baseline/1", spec/baseline-schema.md) lists the rules a
// backend is known to break, each with a reason and, ideally, a counterexample. Applying it to
// a run turns a listed failure into `xfail` and a listed rule that passes into `xpass`, which
// fails the run so that the baseline shrinks as the implementation improves.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/runner.hpp"

namespace vmc {

struct BaselineEntry {
  std::string rule;
  std::string reason;
  std::string counterexample;
};

struct Baseline {
  std::string backend;                 // the target it was written for ("" = any)
  std::optional<std::string> profile;  // when set, the baseline applies only to this profile
  std::vector<BaselineEntry> expected_failures;
};

/// Parses a baseline; throws std::runtime_error naming the file and the problem (malformed
/// JSON, wrong schema, unknown rule ID, missing reason, duplicate rule).
Baseline parse_baseline(const std::string& text, const std::string& origin);
/// Baselines are small: a file over this cap is not one (and `--baseline /dev/zero` is no hang).
inline constexpr std::size_t kMaxBaselineBytes = 16u << 20;
/// Reads `path` (a regular file of at most kMaxBaselineBytes) and parses it.
Baseline load_baseline(const std::string& path);
/// Applies it; throws std::runtime_error if the baseline is for another profile.
void apply_baseline(RunResult& run, const Baseline& baseline);
/// A baseline listing every failing rule (fail or xfail) of a report as expected, each with a
/// "TODO: ..." reason to fill in, or the reason `keep` (an existing baseline) already gives it.
Baseline baseline_from_report(const RunResult& report, const Baseline* keep = nullptr);
/// The vmconform-baseline/1 JSON of a baseline (parse_baseline reads it back).
nlohmann::json baseline_json(const Baseline& baseline);
/// False for the "TODO: ..." placeholder baseline_from_report writes: a person wrote the reason.
bool hand_written(const BaselineEntry& entry);
/// Whether a baseline written for `baseline.backend` is meant for `subject`: the same backend
/// name or, for a plugin, the same file name (the path may be typed differently); for an agent,
/// the baseline names its command, words reduced to file names, possibly without a launcher
/// first word (`wine`, `python3`) and followed by words of description ("vmc_agent.exe raw self
/// under Wine 8.0" matches `/usr/bin/wine build/agents/windows/vmc_agent.exe raw self`). A
/// baseline without a backend matches everything.
bool baseline_matches(const Baseline& baseline, const Subject& subject);

}  // namespace vmc
