// fuzz_cli_inputs.cpp - libFuzzer target for everything a user types or hands to `vmconform`:
// command lines, report.json files, baselines made from reports, op-sequence files for replay and
// the numbers of options. Each must be accepted or rejected with its documented exception, never
// crash, hang or throw anything else:
//   - a command line: vmc::cli::check_command_line (parse and check, no command runs) accepts it
//     or throws CLI::Error (CLI11's parse errors, --help, --version) or vmc::cli::UsageError;
//   - report.json: vmc::parse_report returns a RunResult or throws vmc::ReportError; a report it
//     accepts makes a baseline that parse_baseline reads back with the same rules;
//   - an op-sequence file: vmc::cli::parse_sequence_file returns at least one op or throws
//     UsageError;
//   - a number: parse_u64 / parse_int / parse_seconds return a value in range or throw UsageError.
// The input's first line says which ("args", "report", "opseq", "number"); the rest is the input
// (for "args", one argument per line). Seeds: fuzz/seeds/cli/.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include "app.hpp"
#include "arguments.hpp"
#include "command.hpp"
#include "sequence_file.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/report_reader.hpp"

namespace {

[[noreturn]] void broken(const std::string& what, const std::string& input) {
  std::string shown;
  for (const unsigned char c : input.substr(0, 300)) shown += c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?';
  std::fprintf(stderr, "==vmconform== fuzz_cli_inputs: %s\n==vmconform== input (%zu bytes): %s\n", what.c_str(),
               input.size(), shown.c_str());
  std::abort();
}

void require_message(const std::exception& e, const char* type, const std::string& input) {
  if (std::string(e.what()).empty()) broken(std::string(type) + " without a message", input);
}

void args(const std::string& body) {
  std::vector<std::string> a;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t nl = body.find('\n', at);
    if (nl == std::string::npos) nl = body.size();
    a.push_back(body.substr(at, nl - at));
    at = nl + 1;
  }
  try {
    vmc::cli::check_command_line(a);
  } catch (const CLI::Error&) {  // CLI11's own errors, --help and --version
  } catch (const vmc::cli::UsageError& e) {
    require_message(e, "UsageError", body);
  } catch (const std::exception& e) {
    broken(std::string("check_command_line threw something else: ") + e.what(), body);
  }
}

void report(const std::string& body) {
  vmc::RunResult r;
  try {
    r = vmc::parse_report(body, "fuzz-input");
  } catch (const vmc::ReportError& e) {
    require_message(e, "ReportError", body);
    return;
  } catch (const std::exception& e) {
    broken(std::string("parse_report threw something other than ReportError: ") + e.what(), body);
  }
  if (r.rules.empty()) broken("parse_report accepted a report without rules", body);
  // A report it accepts makes a baseline that reads back, listing the failing rules.
  const vmc::Baseline b = vmc::baseline_from_report(r);
  vmc::Baseline again;
  try {
    again = vmc::parse_baseline(vmc::baseline_json(b).dump(2), "from-fuzz-input");
  } catch (const std::exception& e) {
    broken(std::string("the baseline of an accepted report does not parse: ") + e.what(), body);
  }
  std::set<std::string> failing;
  for (const vmc::RuleOutcome& o : r.rules)
    if (o.status == vmc::Status::fail || o.status == vmc::Status::xfail) failing.insert(o.id);
  std::set<std::string> listed;
  for (const vmc::BaselineEntry& e : again.expected_failures) listed.insert(e.rule);
  if (listed != failing) broken("the baseline of an accepted report does not list its failing rules", body);
}

void opseq_file(const std::string& body) {
  for (bool text : {false, true}) {
    try {
      const vmc::cli::SequenceFile f = vmc::cli::parse_sequence_file(body, "fuzz-input", text);
      if (f.ops.empty() || f.ops.size() > vmc::opseq::kMaxOps) broken("parse_sequence_file accepted 0 or too many ops", body);
    } catch (const vmc::cli::UsageError& e) {
      require_message(e, "UsageError", body);
    } catch (const std::exception& e) {
      broken(std::string("parse_sequence_file threw something other than UsageError: ") + e.what(), body);
    }
  }
}

void number(const std::string& body) {
  try {
    (void)vmc::cli::parse_u64(body, "--seed");
  } catch (const vmc::cli::UsageError& e) {
    require_message(e, "UsageError", body);
  }
  try {
    const int v = vmc::cli::parse_int(body, "--cases", 1, vmc::cli::kMaxCases);
    if (v < 1 || v > vmc::cli::kMaxCases) broken("parse_int returned a value out of its range", body);
  } catch (const vmc::cli::UsageError& e) {
    require_message(e, "UsageError", body);
  }
  try {
    const double s = vmc::cli::parse_seconds(body, "--timeout", vmc::cli::kMaxTimeoutSeconds);
    if (!std::isfinite(s) || !(s > 0) || s > vmc::cli::kMaxTimeoutSeconds) broken("parse_seconds out of range", body);
  } catch (const vmc::cli::UsageError& e) {
    require_message(e, "UsageError", body);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string::npos) return 0;
  const std::string kind = input.substr(0, nl), body = input.substr(nl + 1);
  try {
    if (kind == "args") args(body);
    else if (kind == "report") report(body);
    else if (kind == "opseq") opseq_file(body);
    else if (kind == "number") number(body);
  } catch (const std::exception& e) {
    broken(std::string("uncaught exception: ") + e.what(), input);
  }
  return 0;
}
