// baseline.cpp - loading, validating and applying expected-failure baselines.
#include "vmconform/baseline.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "vmconform/catalogue.hpp"

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
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("baseline " + path + ": cannot open the file");
  std::ostringstream s;
  s << f.rdbuf();
  return parse_baseline(s.str(), path);
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

nlohmann::json baseline_from_report(const nlohmann::json& report) {
  nlohmann::json b{{"schema", "vmconform-baseline/1"},
                   {"backend", report.value("target", "")},
                   {"profile", report.value("profile", "win32")},
                   {"expected_failures", nlohmann::json::array()}};
  for (const auto& r : report.at("rules")) {
    const std::string status = r.value("status", "");
    if (status != "fail" && status != "xfail") continue;
    std::string counterexample;
    for (const auto& p : r.value("properties", nlohmann::json::array()))
      if (p.value("status", "") == "fail") counterexample += p.value("message", "") + "\n" + p.value("counterexample", "");
    b["expected_failures"].push_back({{"rule", r.at("id")},
                                      {"reason", "TODO: explain why this backend breaks " + r.at("id").get<std::string>()},
                                      {"counterexample", counterexample}});
  }
  return b;
}

}  // namespace vmc
