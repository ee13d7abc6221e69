// run_extras.hpp - what `run` adds to a run beyond one backend: shards and report extras.
//
// A shard I/N runs the rules of the profile whose index in catalogue order satisfies
// index % N == I-1, so N CI jobs together run every rule once. The reports of a sharded or
// plugin run carry that context: report.json gains "shard" and "plugin" (fields are only ever
// added, spec/report-schema.md), report.md a line under its title and junit.xml properties.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/runner.hpp"

namespace vmc::cli {

struct Shard {
  int index = 1;  // 1-based
  int count = 1;
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

/// "I/N" with 1 <= I <= N; throws UsageError otherwise.
Shard parse_shard(const std::string& text);
/// The rule IDs of the shard, in catalogue order, restricted to `only` when it is not empty.
std::vector<std::string> shard_rules(const Shard& shard, Profile profile, const std::vector<std::string>& only);

struct ReportExtras {
  std::optional<Shard> shard;
  nlohmann::json plugin;  // null for a backend run
};

nlohmann::json report_json(const RunResult& r, const ReportExtras& extras);
std::string report_markdown(const RunResult& r, const ReportExtras& extras);
std::string report_junit(const RunResult& r, const ReportExtras& extras);
/// report.json, report.md and junit.xml in `dir`; throws std::runtime_error on I/O errors.
void write_reports(const RunResult& r, const std::string& dir, const ReportExtras& extras);

}  // namespace vmc::cli
