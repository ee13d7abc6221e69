// run_command.cpp - `vmconform run`: the suite and the state machine against one backend or plugin.
//
// Prints the seed first, a progress line per property, then the summary table, and for every
// failure its message, counterexample, seed and one-line reproducer. Writes reports on request
// and applies a baseline of expected failures. With --plugin the properties run in isolated
// worker processes (conformance/plugin/); with --agent "COMMAND" against an agent process, a fresh
// one per property (spec/agent-protocol.md); --shard I/N runs one share of the rules (shard.hpp).
// A backend whose targets cannot be made is a setup error (exit 2); a target that fails during
// the run (Target::failure(), e.g. a traced process that died) is printed to stderr, named in
// the failing rules' messages, and makes the exit status 1 even when a baseline lists the rule.
#include <unistd.h>

#include <climits>
#include <fstream>
#include <iostream>
#include <random>

#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/plugin/agent_target.hpp"
#include "vmconform/plugin/isolation.hpp"
#include "vmconform/report.hpp"
#include "vmconform/reproducer.hpp"
#include "vmconform/runner.hpp"

namespace vmc::cli {
namespace {

struct RunArgs {
  std::string backend, backend_options, profile = "win32", report_dir, baseline, junit;
  std::string plugin, plugin_options, agent, shard;
  double timeout = 60;
  std::optional<std::uint64_t> seed;
  int cases = 100;
  int depth = 1;
  bool quick = false;
  std::vector<std::string> rules;
  bool github = false, quiet = false, coverage = false;
};

/// Makes one target on a factory of its own (so the run's factory and its case counter are left
/// untouched): a backend whose targets cannot be made (a pid that does not exist, no child can be
/// started) is a setup error, reported before any property runs.
void probe_backend(const vmc::BackendInfo& backend, const vmc::BackendOptions& options) {
  std::unique_ptr<vmc::TargetFactory> factory;
  std::string why;
  try {
    factory = backend.make_factory(options);
    const auto target = factory->make();
    why = target->failure();
  } catch (const std::exception& e) {
    why = e.what();
  }
  if (why.empty()) return;
  const std::string more = factory ? factory->failure() : std::string();
  throw UsageError("cannot create a target of backend " + backend.name + ": " + why +
                   (more.empty() || why.find(more) != std::string::npos ? "" : " (" + more + ")"));
}

/// Prints every target failure of the run to stderr (they are also in the rule messages of the
/// reports); true if there was one. A failure only the factory saw (a traced child that died while
/// idle, between two cases) affected no verdict but is printed, and counted, all the same.
bool print_target_failures(const vmc::RunResult& result, const vmc::TargetFactory* factory) {
  bool any = false;
  std::string seen;
  for (const auto& r : result.rules)
    for (const auto& p : r.properties)
      if (!p.target_failure.empty()) {
        std::cerr << "vmconform: target failure during " << r.id << " (" << p.name << "): " << p.target_failure << "\n";
        seen += p.target_failure + "\n";
        any = true;
      }
  const std::string last = factory ? factory->failure() : std::string();
  if (!last.empty() && seen.find(last) == std::string::npos) {
    std::cerr << "vmconform: target failure between cases: " << last << " (no verdict depends on it)\n";
    any = true;
  }
  if (any)
    std::cerr << "vmconform: the backend's targets failed during the run; a rule that failed because of it is "
                 "not a conformance finding; exit status 1\n";
  return any;
}

std::string self_executable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw UsageError("cannot find the vmconform executable (/proc/self/exe) to start workers");
  return std::string(path, static_cast<std::size_t>(n));
}

/// The suite against a plugin: a probe worker loads and checks it (a plugin that cannot be used is
/// a UsageError: exit 2), what it found is printed, then every property runs in a worker of its own.
vmc::RunResult run_plugin(const vmc::RunOptions& o) {
  const vmc::Subject& s = o.subject;
  const vmc::plugin::IsolationConfig config{self_executable(), s.name, s.options, s.timeout_seconds};
  vmc::PluginInfo info;
  try {
    info = vmc::plugin::probe_plugin(config);
  } catch (const vmc::plugin::SetupError& e) {
    throw UsageError(e.what());
  }
  std::cout << "  plugin " << info.name << " (ABI " << info.abi << "), page size " << vmc::hex(info.page_size)
            << ", allocation granularity " << vmc::hex(info.granularity) << ", query_virtual "
            << (info.query ? "present" : "absent (rules that need it are skipped)") << "\n"
            << "  foreign memory: " << info.situation << "\n"
            << "  isolation: one worker process per property, timeout " << vmc::seconds_text(s.timeout_seconds)
            << " s; no host-fault injection in plugin ABI v1 (VF-EFAIL-STICKY is skipped)" << std::endl;
  vmc::RunResult result = vmc::run_suite(
      [&config](const vmc::PropertyDef& def, const vmc::RunOptions& opts) {
        return vmc::plugin::run_isolated(config, def, opts);
      },
      o);
  result.plugin = info;
  return result;
}

/// The suite against an agent: a probe agent says hello and opens a target (an agent that cannot
/// is a UsageError: exit 2), what it said is printed, then every property runs with an agent of
/// its own. A target failure (the agent died, hung, sent garbage) is printed as for a backend.
vmc::RunResult run_agent(const vmc::RunOptions& o, bool* target_failed) {
  const vmc::plugin::AgentConfig config{o.subject.name, o.subject.timeout_seconds};
  vmc::PluginInfo info;
  try {
    info = vmc::plugin::probe_agent(config);
  } catch (const vmc::plugin::SetupError& e) {
    throw UsageError(std::string("cannot use the agent: ") + e.what());
  }
  std::cout << "  agent " << info.name << " (vmconform-agent/" << info.abi << "), page size " << vmc::hex(info.page_size)
            << ", allocation granularity " << vmc::hex(info.granularity) << ", query "
            << (info.query ? "present" : "absent (rules that need it are skipped)") << "\n"
            << "  foreign memory: " << info.situation << "\n"
            << "  isolation: one agent process per property, timeout " << vmc::seconds_text(o.subject.timeout_seconds)
            << " s" << std::endl;
  vmc::RunResult result = vmc::run_suite(
      [&config](const vmc::PropertyDef& def, const vmc::RunOptions& opts) {
        return vmc::plugin::run_agent_property(config, def, opts);
      },
      o);
  result.plugin = info;
  *target_failed = print_target_failures(result, nullptr);
  return result;
}

int run(const RunArgs& a) {
  if (!a.backend.empty() + !a.plugin.empty() + !a.agent.empty() != 1)
    throw UsageError(
        "give one of --backend NAME (see list-backends), --plugin PATH (a plugin shared object) or --agent \"COMMAND "
        "ARGS\" (a program speaking spec/agent-protocol.md)");
  const vmc::BackendInfo* backend = nullptr;
  if (!a.agent.empty() && !a.backend_options.empty())
    throw UsageError("--backend-options applies to --backend; an agent takes its options in its command");
  if (!a.backend.empty()) {
    backend = vmc::find_backend(a.backend);
    if (!backend) {
      std::string known;
      for (const auto& b : vmc::registered_backends()) known += " " + b.name;
      throw UsageError("unknown backend '" + a.backend + "'; known backends:" + known);
    }
  } else if (!a.backend_options.empty()) {
    throw UsageError("--backend-options applies to --backend; a plugin takes --plugin-options");
  }
  if (!a.plugin_options.empty() && a.plugin.empty()) throw UsageError("--plugin-options needs --plugin");
  if (!(a.timeout > 0)) throw UsageError("--timeout must be a positive number of seconds");
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
  std::optional<vmc::Shard> shard;
  try {
    if (!a.shard.empty()) shard = vmc::parse_shard(a.shard);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  vmc::RunOptions o;
  o.subject = backend            ? vmc::Subject{vmc::Subject::Kind::backend, a.backend, a.backend_options}
              : !a.agent.empty() ? vmc::Subject{vmc::Subject::Kind::agent, a.agent, "", a.timeout}
                                 : vmc::Subject{vmc::Subject::Kind::plugin, a.plugin, a.plugin_options, a.timeout};
  o.profile = *profile;
  o.seed = a.seed ? *a.seed : std::random_device{}() * 4294967296ull + std::random_device{}();
  o.cases = a.cases;
  if (a.quick && a.depth != 1) throw UsageError("--quick and --depth exclude each other");
  if (a.depth < 1) throw UsageError("--depth must be at least 1 (--quick runs no long sequences)");
  o.depth = a.quick ? 0 : a.depth;
  o.only_rules = shard ? vmc::shard_rules(*shard, *profile, a.rules) : a.rules;
  if (!a.quiet) o.progress = [](const std::string& line) { std::cerr << "  running " << line << "\n"; };
  std::cout << "vmconform: " << (backend ? "backend " : !a.agent.empty() ? "agent " : "plugin ") << o.subject.name << ", profile " << a.profile
            << ", seed " << o.seed << ", " << o.cases << " cases per property"
            << (shard ? ", shard " + shard->text() + " (" + std::to_string(o.only_rules.size()) + " rules)"
                      : std::string())
            << std::endl;

  vmc::RunResult result;
  bool target_failed = false;  // even a baselined failure then fails the run
  if (shard && o.only_rules.empty()) {  // an empty shard runs nothing (not every rule)
    result.subject = o.subject;
    result.profile = o.profile;
    result.seed = o.seed;
    result.cases = o.cases;
  } else if (backend) {
    std::unique_ptr<vmc::TargetFactory> factory;
    try {
      factory = backend->make_factory(vmc::BackendOptions{o.seed, a.backend_options});
    } catch (const std::exception& e) {
      throw UsageError("cannot set up backend " + a.backend + ": " + e.what());
    }
    probe_backend(*backend, vmc::BackendOptions{o.seed, a.backend_options});
    result = vmc::run_suite(*factory, o);
    target_failed = print_target_failures(result, factory.get());
  } else if (!a.agent.empty()) {
    result = run_agent(o, &target_failed);
  } else {
    result = run_plugin(o);
  }
  result.shard = shard;
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
    std::cout << "  seed " << result.seed << "; reproduce: " << vmc::reproducer(o, r.id) << "\n";
  }
  if (a.coverage) std::cout << "\n" << vmc::coverage::render(result.coverage);
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
  return result.ok() && !target_failed ? 0 : kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"run", "Run the conformance suite and the state machine against a backend, a plugin or an agent", 30,
                            [](CLI::App& rn) -> std::function<int()> {
  auto a = std::make_shared<RunArgs>();
  rn.add_option("--backend", a->backend, "Backend name (see list-backends)");
  rn.add_option("--backend-options", a->backend_options, "Backend-specific options, e.g. pid=1234");
  rn.add_option("--plugin", a->plugin, "A plugin shared object (vmconform/plugin.h), run in isolated workers");
  rn.add_option("--plugin-options", a->plugin_options, "The string passed to the plugin's open()");
  rn.add_option("--agent", a->agent, "An agent: \"COMMAND ARGS...\" speaking spec/agent-protocol.md, one process per property");
  rn.add_option("--timeout", a->timeout, "Per-property time limit of a plugin worker or an agent, in seconds (default 60)");
  rn.add_option("--shard", a->shard, "Run only shard I of N (I/N): the rules whose index % N == I-1");
  rn.add_option("--profile", a->profile, "documented or win32 (default win32)");
  rn.add_option("--seed", a->seed, "Seed (default: random, printed)");
  rn.add_option("--cases", a->cases, "Cases per property (default 100)");
  rn.add_option("--rule", a->rules, "Only this rule (repeatable)");
  rn.add_flag("--quick", a->quick, "Today's short run: no long sequences (the coverage sweep is not run)");
  rn.add_option("--depth", a->depth, "N times the default run's long sequences (default 1)");
  rn.add_option("--report", a->report_dir, "Write report.json, report.md and junit.xml to this directory");
  rn.add_option("--baseline", a->baseline, "Expected failures (vmconform-baseline/1 JSON)");
  rn.add_option("--junit", a->junit, "Also write JUnit XML to this file");
  rn.add_flag("--github-annotations", a->github, "Print ::error annotations for GitHub Actions");
  rn.add_flag("--quiet", a->quiet, "No per-property progress lines");
  rn.add_flag("--coverage", a->coverage, "Print the coverage table: cells reached, missed and unreachable (spec/coverage.md)");
  return [a] { return run(*a); };
}});

}  // namespace vmc::cli
