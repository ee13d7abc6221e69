// baseline.cpp - loading, validating and applying expected-failure baselines.
#include "vmconform/baseline.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>

#include "vmconform/catalogue.hpp"
#include "vmconform/files.hpp"

namespace vmc {

Baseline parse_baseline(const std::string& text, const std::string& origin) {
  const auto bad = [&](const std::string& why) { return std::runtime_error("baseline " + origin + ": " + why); };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string() || j["schema"] != "vmconform-baseline/1")
    throw bad("expected an object with \"schema\": \"vmconform-baseline/1\"");
  Baseline b;
  if (j.contains("backend") && j["backend"].is_string()) b.backend = j["backend"];
  if (j.contains("profile")) {
    if (!j["profile"].is_string() || !parse_profile(j["profile"])) throw bad("\"profile\" must be documented or win32");
    b.profile = j["profile"].get<std::string>();
  }
  if (!j.contains("expected_failures") || !j["expected_failures"].is_array())
    throw bad("\"expected_failures\" must be an array");
  std::set<std::string> seen;
  for (const auto& e : j["expected_failures"]) {
    if (!e.is_object() || !e.contains("rule") || !e["rule"].is_string())
      throw bad("every expected failure needs a \"rule\" string");
    BaselineEntry entry;
    entry.rule = e["rule"];
    if (!find_rule(entry.rule)) throw bad("unknown rule ID " + entry.rule);
    if (!seen.insert(entry.rule).second) throw bad("rule " + entry.rule + " listed twice");
    if (!e.contains("reason") || !e["reason"].is_string() || e["reason"].get<std::string>().empty())
      throw bad("rule " + entry.rule + " needs a non-empty \"reason\"");
    entry.reason = e["reason"];
    if (e.contains("counterexample") && e["counterexample"].is_string()) entry.counterexample = e["counterexample"];
    b.expected_failures.push_back(std::move(entry));
  }
  return b;
}

Baseline load_baseline(const std::string& path) {
  std::string text;
  try {
    text = read_input_file(path, "baseline", kMaxBaselineBytes);
  } catch (const FileError& e) {
    throw std::runtime_error(e.what());
  }
  return parse_baseline(text, path);
}

void apply_baseline(RunResult& run, const Baseline& baseline) {
  if (baseline.profile && *baseline.profile != profile_name(run.profile))
    throw std::runtime_error("the baseline is for profile " + *baseline.profile + ", the run uses " +
                             profile_name(run.profile));
  for (RuleOutcome& r : run.rules) {
    for (const BaselineEntry& e : baseline.expected_failures) {
      if (e.rule != r.id) continue;
      if (r.status == Status::fail) {
        r.status = Status::xfail;
        r.message = "expected (" + e.reason + "): " + r.message;
      } else if (r.status == Status::pass) {
        r.status = Status::xpass;
        r.message = "listed as an expected failure (" + e.reason + ") but passed: remove it from the baseline";
      }
    }
  }
}

namespace {
constexpr const char* kTodo = "TODO: ";
}

Baseline baseline_from_report(const RunResult& report, const Baseline* keep) {
  Baseline b;
  b.backend = report.subject.name;
  b.profile = profile_name(report.profile);
  for (const RuleOutcome& r : report.rules) {
    if (r.status != Status::fail && r.status != Status::xfail) continue;
    BaselineEntry e;
    e.rule = r.id;
    e.reason = kTodo + std::string("explain why this backend breaks ") + r.id;
    if (keep)
      for (const BaselineEntry& old : keep->expected_failures)
        if (old.rule == r.id && hand_written(old)) e.reason = old.reason;
    for (const PropertyOutcome& p : r.properties)
      if (p.status == Status::fail) e.counterexample += p.message + "\n" + p.counterexample;
    b.expected_failures.push_back(std::move(e));
  }
  return b;
}

nlohmann::json baseline_json(const Baseline& baseline) {
  nlohmann::json j{{"schema", "vmconform-baseline/1"}};
  if (!baseline.backend.empty()) j["backend"] = baseline.backend;
  if (baseline.profile) j["profile"] = *baseline.profile;
  j["expected_failures"] = nlohmann::json::array();
  for (const BaselineEntry& e : baseline.expected_failures) {
    nlohmann::json entry{{"rule", e.rule}, {"reason", e.reason}};
    if (!e.counterexample.empty()) entry["counterexample"] = e.counterexample;
    j["expected_failures"].push_back(std::move(entry));
  }
  return j;
}

bool hand_written(const BaselineEntry& entry) { return entry.reason.rfind(kTodo, 0) != 0; }

namespace {
/// The words of a command line, each reduced to its file name ("build/a/x.exe" -> "x.exe").
std::vector<std::string> command_words(const std::string& command) {
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string w; in >> w;) words.push_back(std::filesystem::path(w).filename().string());
  return words;
}
}  // namespace

bool baseline_matches(const Baseline& baseline, const Subject& subject) {
  if (baseline.backend.empty() || baseline.backend == subject.name) return true;
  if (subject.kind == Subject::Kind::agent) {
    const std::vector<std::string> named = command_words(baseline.backend), run = command_words(subject.name);
    for (std::size_t skip = 0; skip < 2 && skip < run.size(); ++skip)  // without a launcher word, or with it
      if (std::search(named.begin(), named.end(), run.begin() + static_cast<std::ptrdiff_t>(skip), run.end()) ==
          named.begin())
        return true;
    return false;
  }
  if (subject.kind != Subject::Kind::plugin) return false;
  return std::filesystem::path(baseline.backend).filename() == std::filesystem::path(subject.name).filename();
}

}  // namespace vmc
