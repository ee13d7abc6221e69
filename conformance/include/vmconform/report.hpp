// report.hpp - the report files of a run: report.json, report.md, junit.xml and index.html
// (html_report.hpp).
//
// report.json follows the schema "vmconform-report/1" (spec/report-schema.md): target, profile,
// seed, rules [{id, status, message, reproducer, properties: outcome.hpp's encoding}], summary
// (count per status), and "shard" / "plugin" when the run had them. The Markdown and JUnit files,
// the terminal table and the GitHub annotations are generated from the same RunResult, and only
// from it (run_result.hpp), never edited by hand.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "vmconform/runner.hpp"

namespace vmc {

nlohmann::json report_json(const RunResult& r);
std::string report_markdown(const RunResult& r);
std::string report_junit(const RunResult& r);
/// Writes the four files into `dir` (created if needed), each through a temporary file and a
/// rename. Throws std::runtime_error on I/O errors.
void write_reports(const RunResult& r, const std::string& dir);
/// The human summary table printed at the end of `vmconform run`; `paint` colours a status word
/// (the terminal's colours; none when empty).
std::string summary_table(const RunResult& r,
                          const std::function<std::string(Status, const std::string&)>& paint = {});
/// GitHub workflow annotations (`::error title=...::message`) for failures and xpasses.
std::string github_annotations(const RunResult& r);

}  // namespace vmc
