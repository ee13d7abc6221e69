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
  std::string backend;                 // informational
  std::optional<std::string> profile;  // when set, the baseline applies only to this profile
  std::vector<BaselineEntry> expected_failures;
};

/// Parses a baseline; throws std::runtime_error naming the file and the problem (malformed
/// JSON, wrong schema, unknown rule ID, missing reason, duplicate rule).
Baseline parse_baseline(const std::string& text, const std::string& origin);
Baseline load_baseline(const std::string& path);
/// Applies it; throws std::runtime_error if the baseline is for another profile.
void apply_baseline(RunResult& run, const Baseline& baseline);
/// A baseline listing every failing rule of a report (report.json) as expected.
nlohmann::json baseline_from_report(const nlohmann::json& report);

}  // namespace vmc
