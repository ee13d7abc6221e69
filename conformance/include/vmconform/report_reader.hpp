// report_reader.hpp - report.json read back into the RunResult it was written from.
//
// `compare`, `baseline --from` and `report` take report.json files that a person, a script or an
// older vmconform may have written. parse_report() checks one against spec/report-schema.md
// before anything believes it: an object with "schema": "vmconform-report/1", a target and a
// profile, a seed, one entry per rule with a known rule ID of that profile (at most once, at
// least one rule), a status among pass, fail, xfail, xpass and skip, a message, a reproducer and
// the properties' outcomes (outcome.hpp's encoding), and a summary that agrees with the rules.
// Optional parts ("shard", "plugin", "coverage") are checked when present; unknown fields are
// ignored (fields are only ever added). Anything else is a ReportError naming the file and the
// problem, never a crash and never a partly read report.
#pragma once

#include <stdexcept>
#include <string>

#include "vmconform/run_result.hpp"

namespace vmc {

struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// report.json files are small (a whole run with counterexamples is well under 1 MiB).
inline constexpr std::size_t kMaxReportBytes = 64u << 20;

/// Throws ReportError ("report ORIGIN: what is wrong").
RunResult parse_report(const std::string& text, const std::string& origin);
/// Reads `path` (a regular file of at most kMaxReportBytes) and parses it; throws ReportError.
RunResult load_report(const std::string& path);

}  // namespace vmc
