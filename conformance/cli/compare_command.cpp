// compare_command.cpp - `vmconform compare OLD.json NEW.json`: what changed between two runs.
//
// Reads two report.json files (vmconform-report/1) and lists, rule by rule, the new failures
// (failing now, not failing before or not run before), the fixed rules (failing before, passing
// now), the rules that still fail with another counterexample, and other status changes. Exit
// code 1 when there is a new failure, 0 otherwise, 2 when a file cannot be read or is not a
// report - so a CI job can gate on "no new failures" while a baseline is still being built.
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.hpp"

namespace vmc::cli {
namespace {

struct RuleState {
  std::string status, message, counterexample;
};
struct Report {
  std::string path, target, profile;
  std::uint64_t seed = 0;
  std::string shard;
  std::map<std::string, RuleState> rules;
  std::vector<std::string> order;  // rule IDs as the report lists them
};

Report load(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw UsageError("cannot open report " + path);
  nlohmann::json j = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw UsageError(path + " is not valid JSON");
  if (!j.is_object() || j.value("schema", "") != "vmconform-report/1")
    throw UsageError(path + " is not a vmconform-report/1 file (no \"schema\": \"vmconform-report/1\")");
  if (!j.contains("rules") || !j["rules"].is_array()) throw UsageError(path + ": \"rules\" is missing or not an array");
  Report r;
  r.path = path;
  r.target = j.value("target", "");
  r.profile = j.value("profile", "");
  if (j.contains("seed") && j["seed"].is_number_unsigned()) r.seed = j["seed"].get<std::uint64_t>();
  if (j.contains("shard") && j["shard"].is_object())
    r.shard = std::to_string(j["shard"].value("index", 0)) + "/" + std::to_string(j["shard"].value("count", 0));
  for (const auto& rule : j["rules"]) {
    if (!rule.is_object() || !rule.contains("id") || !rule["id"].is_string() || !rule.contains("status") ||
        !rule["status"].is_string())
      throw UsageError(path + ": a rule entry without a string \"id\" and \"status\"");
    RuleState s{rule["status"].get<std::string>(), rule.value("message", ""), ""};
    if (rule.contains("properties") && rule["properties"].is_array())
      for (const auto& p : rule["properties"])
        if (p.is_object() && p.value("status", "") == "fail")
          s.counterexample += p.value("name", "") + ": " + p.value("counterexample", "") + "\n";
    const std::string id = rule["id"].get<std::string>();
    if (r.rules.emplace(id, s).second) r.order.push_back(id);
  }
  return r;
}

bool failing(const std::string& status) { return status == "fail" || status == "xpass"; }
bool broken(const std::string& status) { return failing(status) || status == "xfail"; }

std::string first_line(const std::string& s, std::size_t limit = 160) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > limit ? line.substr(0, limit) + "..." : line;
}

int compare(const std::string& old_path, const std::string& new_path) {
  const Report before = load(old_path), after = load(new_path);
  std::cout << "vmconform compare: " << old_path << " (" << before.target << ", " << before.profile << ", seed "
            << before.seed << (before.shard.empty() ? "" : ", shard " + before.shard) << ") -> " << new_path << " ("
            << after.target << ", " << after.profile << ", seed " << after.seed
            << (after.shard.empty() ? "" : ", shard " + after.shard) << ")\n";
  if (before.profile != after.profile)
    std::cout << "note: the profiles differ; rules of only one profile are listed as not run\n";
  std::vector<std::string> new_failures, fixed, changed, other, only_old, only_new;
  for (const std::string& id : after.order) {
    const RuleState& now = after.rules.at(id);
    const auto was = before.rules.find(id);
    if (was == before.rules.end()) {
      if (failing(now.status)) new_failures.push_back(id + " (" + now.status + ", not run before): " + first_line(now.message));
      else only_new.push_back(id + " (" + now.status + ")");
      continue;
    }
    const RuleState& then = was->second;
    if (failing(now.status) && !failing(then.status)) {
      new_failures.push_back(id + " (" + then.status + " -> " + now.status + "): " + first_line(now.message));
    } else if (broken(then.status) && now.status == "pass") {
      fixed.push_back(id + " (" + then.status + " -> pass)");
    } else if (broken(then.status) && broken(now.status) && then.counterexample != now.counterexample) {
      changed.push_back(id + " (" + now.status + "):\n      before: " + first_line(then.counterexample) +
                        "\n      now:    " + first_line(now.counterexample));
    } else if (then.status != now.status) {
      other.push_back(id + " (" + then.status + " -> " + now.status + ")");
    }
  }
  for (const std::string& id : before.order)
    if (!after.rules.count(id)) only_old.push_back(id + " (" + before.rules.at(id).status + ")");

  const auto section = [](const std::string& title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    std::cout << "\n" << title << " (" << items.size() << "):\n";
    for (const auto& item : items) std::cout << "  " << item << "\n";
  };
  section("NEW FAILURES", new_failures);
  section("fixed", fixed);
  section("still failing, with another counterexample", changed);
  if (!changed.empty() && before.seed != after.seed)
    std::cout << "  (the seeds differ, so different counterexamples are expected)\n";
  section("other status changes", other);
  section("only in " + old_path, only_old);
  section("only in " + new_path, only_new);
  std::cout << "\n" << new_failures.size() << " new failures, " << fixed.size() << " fixed, " << changed.size()
            << " with another counterexample, " << other.size() << " other changes\n";
  return new_failures.empty() ? kExitOk : kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"compare", "Compare two report.json files: new failures, fixed rules, changed counterexamples",
                            55, [](CLI::App& cmp) -> std::function<int()> {
  auto paths = std::make_shared<std::pair<std::string, std::string>>();
  cmp.add_option("OLD", paths->first, "The earlier report.json")->required();
  cmp.add_option("NEW", paths->second, "The later report.json")->required();
  return [paths] { return compare(paths->first, paths->second); };
}});

}  // namespace vmc::cli
