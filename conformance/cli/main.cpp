// main.cpp - the `vmconform` command: list-rules, list-backends, run, baseline.
//
// Exit codes: 0 when nothing failed, 1 when a rule failed (or an expected failure passed),
// 2 for a usage or setup error, always with a message saying what is wrong.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "vmconform/backend_registry.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/property.hpp"
#include "vmconform/report.hpp"
#include "vmconform/runner.hpp"

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int list_rules(const std::string& profile, bool json) {
  std::optional<vmc::Profile> p;
  if (!profile.empty()) {
    p = vmc::parse_profile(profile);
    if (!p) throw UsageError("unknown profile '" + profile + "' (expected documented or win32)");
  }
  nlohmann::json out = nlohmann::json::array();
  for (const vmc::Rule& r : vmc::rules()) {
    if (p && !r.in(*p)) continue;
    if (json) {
      out.push_back({{"id", r.id}, {"operation", r.operation}, {"layer", r.layer}, {"profiles", r.profiles},
                     {"source", r.source}, {"text", r.text}});
    } else {
      std::string profiles;
      for (const auto& pr : r.profiles) profiles += (profiles.empty() ? "" : ",") + pr;
      std::cout << r.id << "  [" << profiles << "]  " << r.text << "\n";
    }
  }
  if (json) std::cout << out.dump(2) << "\n";
  return 0;
}

int list_backends() {
  for (const auto& b : vmc::registered_backends())
    std::cout << b.name << (b.in_default_suite ? "" : "  (not in the default suite)") << "\n    " << b.description << "\n";
  return 0;
}

struct RunArgs {
  std::string backend, backend_options, profile = "win32", report_dir, baseline, junit;
  std::optional<std::uint64_t> seed;
  int cases = 100;
  std::vector<std::string> rules;
  bool github = false, quiet = false;
};

int run(const RunArgs& a) {
  const vmc::BackendInfo* backend = vmc::find_backend(a.backend);
  if (!backend) {
    std::string known;
    for (const auto& b : vmc::registered_backends()) known += " " + b.name;
    throw UsageError("unknown backend '" + a.backend + "'; known backends:" + known);
  }
  const auto profile = vmc::parse_profile(a.profile);
  if (!profile) throw UsageError("unknown profile '" + a.profile + "' (expected documented or win32)");
  if (a.cases < 1) throw UsageError("--cases must be at least 1");
  for (const auto& id : a.rules) {
    const vmc::Rule* r = vmc::find_rule(id);
    if (!r) throw UsageError("unknown rule '" + id + "' (see vmconform list-rules)");
    if (!r->in(*profile)) throw UsageError("rule " + id + " is not in profile " + a.profile);
  }
  std::optional<vmc::Baseline> baseline;
  if (!a.baseline.empty()) {
    try {
      baseline = vmc::load_baseline(a.baseline);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  }
  vmc::RunOptions o;
  o.backend = a.backend;
  o.backend_options = a.backend_options;
  o.profile = *profile;
  o.seed = a.seed ? *a.seed : std::random_device{}() * 4294967296ull + std::random_device{}();
  o.cases = a.cases;
  o.only_rules = a.rules;
  if (!a.quiet) o.progress = [](const std::string& line) { std::cerr << "  running " << line << "\n"; };
  std::cout << "vmconform: backend " << a.backend << ", profile " << a.profile << ", seed " << o.seed << ", "
            << o.cases << " cases per property" << std::endl;

  std::unique_ptr<vmc::TargetFactory> factory;
  try {
    factory = backend->make_factory(vmc::BackendOptions{o.seed, a.backend_options});
  } catch (const std::exception& e) {
    throw UsageError("cannot set up backend " + a.backend + ": " + e.what());
  }
  vmc::RunResult result = vmc::run_suite(*factory, o);
  if (baseline) {
    try {
      vmc::apply_baseline(result, *baseline);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  }
  std::cout << vmc::summary_table(result);
  for (const auto& r : result.rules) {
    if (r.status != vmc::Status::fail && r.status != vmc::Status::xpass) continue;
    std::cout << "\nFAIL " << r.id << ": " << r.message << "\n";
    for (const auto& p : r.properties)
      if (!p.counterexample.empty()) std::cout << "  counterexample:\n" << p.counterexample;
    std::cout << "  seed " << result.seed << "; reproduce: "
              << (r.reproducer.empty() ? vmc::reproducer(o, r.id) : r.reproducer) << "\n";
  }
  if (!a.report_dir.empty()) {
    vmc::write_reports(result, a.report_dir);
    std::cout << "reports written to " << a.report_dir << "/{report.json,report.md,junit.xml}\n";
  }
  if (!a.junit.empty()) {
    std::ofstream f(a.junit);
    f << vmc::report_junit(result);
    if (!f) throw UsageError("cannot write " + a.junit);
  }
  if (a.github) std::cout << vmc::github_annotations(result);
  return result.ok() ? 0 : kExitFailed;
}

int write_baseline(const std::string& from, const std::string& out) {
  std::ifstream f(from);
  if (!f) throw UsageError("cannot open report " + from);
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    throw UsageError(from + " is not valid JSON: " + e.what());
  }
  if (report.value("schema", "") != "vmconform-report/1") throw UsageError(from + " is not a vmconform-report/1 file");
  std::ofstream o(out);
  o << vmc::baseline_from_report(report).dump(2) << "\n";
  if (!o) throw UsageError("cannot write " + out);
  std::cout << "baseline written to " << out << ": fill in every \"reason\"\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vmconform: conformance and fuzzing suite for WriteVirtual, AllocateVirtualMemory and VirtualFree"};
  app.require_subcommand(1);

  std::string lr_profile;
  bool lr_json = false;
  auto* lr = app.add_subcommand("list-rules", "List the rules of spec/rules.json");
  lr->add_option("--profile", lr_profile, "Only the rules of this profile (documented or win32)");
  lr->add_flag("--json", lr_json, "Print JSON");

  auto* lb = app.add_subcommand("list-backends", "List the built-in backends");

  RunArgs ra;
  auto* rn = app.add_subcommand("run", "Run the conformance suite and the state machine against a backend");
  rn->add_option("--backend", ra.backend, "Backend name (see list-backends)")->required();
  rn->add_option("--backend-options", ra.backend_options, "Backend-specific options, e.g. pid=1234");
  rn->add_option("--profile", ra.profile, "documented or win32 (default win32)");
  rn->add_option("--seed", ra.seed, "Seed (default: random, printed)");
  rn->add_option("--cases", ra.cases, "Cases per property (default 100)");
  rn->add_option("--rule", ra.rules, "Only this rule (repeatable)");
  rn->add_option("--report", ra.report_dir, "Write report.json, report.md and junit.xml to this directory");
  rn->add_option("--baseline", ra.baseline, "Expected failures (vmconform-baseline/1 JSON)");
  rn->add_option("--junit", ra.junit, "Also write JUnit XML to this file");
  rn->add_flag("--github-annotations", ra.github, "Print ::error annotations for GitHub Actions");
  rn->add_flag("--quiet", ra.quiet, "No per-property progress lines");

  std::string bl_from, bl_out;
  auto* bl = app.add_subcommand("baseline", "Start a baseline from a report");
  bl->add_option("--write", bl_out, "The baseline file to write")->required();
  bl->add_option("--from", bl_from, "A report.json of the backend")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vmconform: " << e.what() << "\n(run vmconform --help)\n";
    return kExitUsage;
  }
  try {
    if (*lr) return list_rules(lr_profile, lr_json);
    if (*lb) return list_backends();
    if (*rn) return run(ra);
    if (*bl) return write_baseline(bl_from, bl_out);
  } catch (const UsageError& e) {
    std::cerr << "vmconform: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "vmconform: setup error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
