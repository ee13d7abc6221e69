// compare_command.cpp - `vmconform compare OLD.json NEW.json`: what changed between two runs.
//
// Reads two report.json files (vmconform-report/1) and lists, rule by rule, the new failures
// (failing now, not failing before or not run before), the fixed rules (failing before, passing
// now), the rules that still fail with another counterexample, and other status changes. Exit
// code 1 when there is a new failure, 0 otherwise, 2 when a file cannot be read or is not a
// report - so a CI job can gate on "no new failures" while a baseline is still being built.
// Both files are checked against spec/report-schema.md first (report_reader.hpp): an unknown
// status, a missing target or profile, an empty "rules" list is exit 2, never a quiet 0. A rule
// of the new profile that OLD checked and NEW does not is a regression (exit 1).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/report_reader.hpp"

namespace vmc::cli {
namespace {

struct RuleState {
  std::string status, message, counterexample;
};
struct Report {
  std::string path, target, profile;
  vmc::Profile profile_value = vmc::Profile::win32;
  std::uint64_t seed = 0;
  std::string shard;
  std::map<std::string, RuleState> rules;
  std::vector<std::string> order;  // rule IDs as the report lists them
};

/// A report checked against spec/report-schema.md (report_reader.hpp), as compare looks at it.
Report load(const std::string& path) {
  vmc::RunResult run;
  try {
    run = vmc::load_report(path);
  } catch (const vmc::ReportError& e) {
    throw UsageError(e.what());
  }
  Report r;
  r.path = path;
  r.target = run.subject.name;
  r.profile = vmc::profile_name(run.profile);
  r.profile_value = run.profile;
  r.seed = run.seed;
  if (run.shard) r.shard = run.shard->text();
  for (const vmc::RuleOutcome& rule : run.rules) {
    RuleState s{vmc::status_name(rule.status), rule.message, ""};
    for (const vmc::PropertyOutcome& p : rule.properties)
      if (p.status == vmc::Status::fail) s.counterexample += p.name + ": " + p.counterexample + "\n";
    r.rules.emplace(rule.id, s);
    r.order.push_back(rule.id);
  }
  return r;
}

bool failing(const std::string& status) { return status == "fail" || status == "xpass"; }
bool broken(const std::string& status) { return failing(status) || status == "xfail"; }

std::string first_line(const std::string& s, std::size_t limit = 160) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > limit ? line.substr(0, limit) + "..." : line;
}

/// One rule that differs between the two reports ("" = not in that report).
struct Change {
  std::string id, before, now, message, before_counterexample, now_counterexample;
};

struct Comparison {
  std::vector<Change> new_failures, missing, fixed, changed, other, only_old, only_new;
  bool regression() const { return !new_failures.empty() || !missing.empty(); }
};

Comparison compare_reports(const Report& before, const Report& after) {
  Comparison c;
  for (const std::string& id : after.order) {
    const RuleState& now = after.rules.at(id);
    const auto was = before.rules.find(id);
    if (was == before.rules.end()) {
      (failing(now.status) ? c.new_failures : c.only_new).push_back({id, "", now.status, first_line(now.message), "", ""});
      continue;
    }
    const RuleState& then = was->second;
    const Change ch{id, then.status, now.status, first_line(now.message), then.counterexample, now.counterexample};
    if (failing(now.status) && !failing(then.status)) c.new_failures.push_back(ch);
    else if (broken(then.status) && now.status == "pass") c.fixed.push_back(ch);
    else if (broken(then.status) && broken(now.status) && then.counterexample != now.counterexample) c.changed.push_back(ch);
    else if (then.status != now.status) c.other.push_back(ch);
  }
  // A rule the old run checked and the new one did not is a regression: a check that silently
  // stopped running is no better than a failure. Rules outside the new profile are only noted.
  for (const std::string& id : before.order) {
    if (after.rules.count(id)) continue;
    const vmc::Rule* rule = vmc::find_rule(id);
    const Change ch{id, before.rules.at(id).status, "", "", "", ""};
    (rule && rule->in(after.profile_value) ? c.missing : c.only_old).push_back(ch);
  }
  return c;
}

nlohmann::json json_of(const Report& r) {
  nlohmann::json j{{"path", r.path}, {"target", r.target}, {"profile", r.profile}, {"seed", r.seed}};
  if (!r.shard.empty()) j["shard"] = r.shard;
  return j;
}

nlohmann::json json_of(const std::vector<Change>& changes) {
  nlohmann::json a = nlohmann::json::array();
  for (const Change& c : changes) {
    nlohmann::json j{{"rule", c.id}};
    if (!c.before.empty()) j["before"] = c.before;
    if (!c.now.empty()) j["now"] = c.now;
    if (!c.message.empty()) j["message"] = c.message;
    if (!c.before_counterexample.empty() || !c.now_counterexample.empty()) {
      j["before_counterexample"] = c.before_counterexample;
      j["now_counterexample"] = c.now_counterexample;
    }
    a.push_back(std::move(j));
  }
  return a;
}

int compare(const std::string& old_path, const std::string& new_path, bool json) {
  const Report before = load(old_path), after = load(new_path);
  const Comparison c = compare_reports(before, after);
  const int status = c.regression() ? kExitFailed : kExitOk;
  if (json) {
    std::cout << nlohmann::json{{"old", json_of(before)},
                                {"new", json_of(after)},
                                {"new_failures", json_of(c.new_failures)},
                                {"missing", json_of(c.missing)},
                                {"fixed", json_of(c.fixed)},
                                {"changed_counterexample", json_of(c.changed)},
                                {"other_changes", json_of(c.other)},
                                {"only_old", json_of(c.only_old)},
                                {"only_new", json_of(c.only_new)},
                                {"regression", c.regression()},
                                {"exit_status", status}}
                     .dump(2)
              << "\n";
    return status;
  }
  std::cout << "vmconform compare: " << old_path << " (" << before.target << ", " << before.profile << ", seed "
            << before.seed << (before.shard.empty() ? "" : ", shard " + before.shard) << ") -> " << new_path << " ("
            << after.target << ", " << after.profile << ", seed " << after.seed
            << (after.shard.empty() ? "" : ", shard " + after.shard) << ")\n";
  if (before.profile != after.profile)
    std::cout << "note: the profiles differ; rules of only one profile are listed as not run\n";
  const auto section = [](const std::string& title, const std::vector<Change>& items, auto line) {
    if (items.empty()) return;
    std::cout << "\n" << title << " (" << items.size() << "):\n";
    for (const Change& item : items) std::cout << "  " << line(item) << "\n";
  };
  const auto transition = [](const Change& ch) {
    return ch.id + " (" + (ch.before.empty() ? ch.now + ", not run before" : ch.before + " -> " + ch.now) + ")";
  };
  section("NEW FAILURES", c.new_failures, [&](const Change& ch) { return transition(ch) + ": " + ch.message; });
  section("MISSING from " + new_path + " (not checked any more)", c.missing,
          [](const Change& ch) { return ch.id + " (" + ch.before + " before)"; });
  if (!c.missing.empty() && !after.shard.empty() && after.shard != before.shard)
    std::cout << "  (" << new_path << " is shard " << after.shard << "; compare it with the same shard)\n";
  section("fixed", c.fixed, transition);
  section("still failing, with another counterexample", c.changed, [](const Change& ch) {
    return ch.id + " (" + ch.now + "):\n      before: " + first_line(ch.before_counterexample) +
           "\n      now:    " + first_line(ch.now_counterexample);
  });
  if (!c.changed.empty() && before.seed != after.seed)
    std::cout << "  (the seeds differ, so different counterexamples are expected)\n";
  section("other status changes", c.other, transition);
  section("only in " + old_path, c.only_old, [](const Change& ch) { return ch.id + " (" + ch.before + ")"; });
  section("only in " + new_path, c.only_new, [](const Change& ch) { return ch.id + " (" + ch.now + ")"; });
  std::cout << "\n" << c.new_failures.size() << " new failures, " << c.missing.size() << " missing, "
            << c.fixed.size() << " fixed, " << c.changed.size() << " with another counterexample, " << c.other.size()
            << " other changes\n";
  return status;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"compare", "Compare two report.json files: new failures, fixed rules, changed counterexamples",
                            55, [](CLI::App& cmp) -> Action {
  auto paths = std::make_shared<std::pair<std::string, std::string>>();
  auto json = std::make_shared<bool>(false);
  cmp.add_option("OLD", paths->first, "The earlier report.json")->required();
  cmp.add_option("NEW", paths->second, "The later report.json")->required();
  cmp.add_flag("--json", *json, "Print the comparison as JSON (the exit status is the same)");
  return Action{[paths] {
                  load(paths->first);
                  load(paths->second);
                },
                [paths, json] { return compare(paths->first, paths->second, *json); }};
},
    {"vmconform compare main/report.json out/report.json   # exit 1 on a new failure or a rule no longer checked",
     "vmconform compare old.json new.json --json"},
    "  0  no new failure and no rule missing from NEW\n"
    "  1  a rule fails in NEW that did not fail in OLD, or a rule OLD checked is missing from NEW\n"
    "  2  OLD or NEW is not a valid report (spec/report-schema.md): one line on stderr says why"});

}  // namespace vmc::cli
