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
#include <filesystem>
#include <iostream>
#include <random>

#include "arguments.hpp"
#include "command.hpp"
#include "terminal.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/files.hpp"
#include "vmconform/plugin.h"
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
  std::string timeout = "60", seed, cases = "100", depth = "1", agent_start_attempts = "1";
  bool quick = false, force = false;
  bool report_dir_given = false, junit_given = false;
  std::string color = "auto", json;
  bool json_given = false, no_capture = false;  // even as "": an empty path is an error
  std::vector<std::string> rules;
  bool github = false, quiet = false, coverage = false;
};

/// Everything a run needs, checked before anything runs (command.hpp): every number, name and
/// file, and whether every output can be written.
struct RunPlan {
  const vmc::BackendInfo* backend = nullptr;  // null for a plugin
  vmc::RunOptions options;
  std::optional<vmc::Shard> shard;
  std::optional<vmc::Baseline> baseline;
  std::string baseline_warning;  // a baseline of another target, applied with --force
};

std::string backends_taking_options() {
  std::string out;
  for (const auto& b : vmc::registered_backends())
    if (b.takes_options) out += (out.empty() ? "" : ", ") + b.name;
  return out;
}

RunPlan plan(const RunArgs& a) {
  RunPlan p;
  if (!a.backend.empty() + !a.plugin.empty() + !a.agent.empty() != 1)
    throw UsageError(
        "give one of --backend NAME (see list-backends), --plugin PATH (a plugin shared object) or --agent \"COMMAND "
        "ARGS\" (a program speaking spec/agent-protocol.md)");
  if (!a.agent.empty() && !a.backend_options.empty())
    throw UsageError("--backend-options applies to --backend; an agent takes its options in its command");
  if (!a.backend.empty()) {
    p.backend = vmc::find_backend(a.backend);
    if (!p.backend) {
      std::string known;
      for (const auto& b : vmc::registered_backends())
        if (b.name.rfind("mutant:", 0) != 0) known += " " + b.name;
      throw UsageError("unknown backend '" + a.backend + "'; known backends:" + known +
                       " and mutant:NAME (vmconform list-backends --all)");
    }
    if (!a.backend_options.empty() && !p.backend->takes_options)
      throw UsageError("backend " + a.backend + " takes no --backend-options (given '" + a.backend_options +
                       "'); backends with options: " + backends_taking_options());
  } else if (!a.backend_options.empty()) {
    throw UsageError("--backend-options applies to --backend; a plugin takes --plugin-options");
  }
  if (!a.plugin_options.empty() && a.plugin.empty()) throw UsageError("--plugin-options needs --plugin");
  const double timeout = parse_seconds(a.timeout, "--timeout", kMaxTimeoutSeconds);
  const int start_attempts = parse_int(a.agent_start_attempts, "--agent-start-attempts", 1, kMaxAgentStartAttempts);
  if (a.agent.empty() && a.agent_start_attempts != "1") throw UsageError("--agent-start-attempts applies to --agent");
  const auto profile = vmc::parse_profile(a.profile);
  if (!profile) throw UsageError("unknown profile '" + a.profile + "' (expected documented or win32)");
  vmc::RunOptions& o = p.options;
  o.profile = *profile;
  o.cases = parse_int(a.cases, "--cases", 1, kMaxCases);
  if (a.quick && a.depth != "1") throw UsageError("--quick and --depth exclude each other");
  o.depth = a.quick ? 0 : parse_int(a.depth, "--depth", 1, kMaxDepth);
  o.seed = a.seed.empty() ? std::random_device{}() * 4294967296ull + std::random_device{}() : parse_u64(a.seed, "--seed");
  for (const auto& id : a.rules) {
    const vmc::Rule* r = vmc::find_rule(id);
    if (!r) throw UsageError("unknown rule '" + id + "' (see vmconform list-rules)");
    if (!r->in(*profile)) throw UsageError("rule " + id + " is not in profile " + a.profile);
  }
  o.only_rules = a.rules;
  if (!a.shard.empty()) {
    try {
      p.shard = vmc::parse_shard(a.shard);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    const auto in_profile = vmc::shard_rules(vmc::Shard{1, 1}, *profile, {}).size();
    if (static_cast<std::size_t>(p.shard->count) > in_profile)
      throw UsageError("--shard " + a.shard + ": profile " + a.profile + " has " + std::to_string(in_profile) +
                       " rules, so at most " + std::to_string(in_profile) + " shards (a shard must hold a rule)");
    o.only_rules = vmc::shard_rules(*p.shard, *profile, a.rules);
    if (o.only_rules.empty())
      throw UsageError("--shard " + a.shard + " holds none of the rules given with --rule: nothing would be checked");
  }
  o.subject = p.backend         ? vmc::Subject{vmc::Subject::Kind::backend, a.backend, a.backend_options}
              : !a.agent.empty() ? vmc::Subject{vmc::Subject::Kind::agent, a.agent, "", timeout}
                                 : vmc::Subject{vmc::Subject::Kind::plugin, a.plugin, a.plugin_options, timeout};
  o.subject.agent_start_attempts = start_attempts;
  if (!a.baseline.empty()) {
    try {
      p.baseline = vmc::load_baseline(a.baseline);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
    if (p.baseline->profile && *p.baseline->profile != a.profile)
      throw UsageError("baseline " + a.baseline + " is for profile " + *p.baseline->profile + ", the run uses " +
                       a.profile);
    if (!vmc::baseline_matches(*p.baseline, o.subject)) {
      const std::string what = "baseline " + a.baseline + " was written for " + p.baseline->backend + ", not " +
                               o.subject.name;
      if (!a.force) throw UsageError(what + " (--force applies it anyway)");
      p.baseline_warning = what + "; applied because of --force";
    }
  }
  Style::detect(a.color, 2);  // a bad --color is a usage error
  if (a.no_capture && a.plugin.empty()) throw UsageError("--no-capture applies to --plugin (a plugin's own output)");
  if (a.json_given && a.json != "-") vmc::check_output_file(a.json, "--json");
  if (a.json == "-" && a.github) throw UsageError("--github-annotations print to stdout: not with --json -");
  // Outputs: every one checked now, so a run never fails at its end because of a path.
  if (a.report_dir == "-") throw UsageError("--report takes a directory; '-' is not one");
  if (!a.report_dir.empty() || a.report_dir_given) vmc::check_output_dir(a.report_dir, "--report");
  if (!a.junit.empty() || a.junit_given) {
    if (a.junit == "-") throw UsageError("--junit takes a file name; '-' is not one");
    vmc::check_output_file(a.junit, "--junit");
  }
  return p;
}

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

/// Prints, to stderr, every start of an agent that exited before answering hello and was followed
/// by another start (--agent-start-attempts): no case ran on it, so no verdict depends on it, but
/// an agent that cannot always start is worth knowing about.
void print_agent_start_failures(const std::vector<std::string>& probe, const vmc::RunResult& result, int attempts) {
  const auto note = [attempts](const std::string& where, const std::string& failure) {
    std::cerr << "vmconform: note: " << where << ", " << vmc::plugin::start_failure_note(failure, attempts) << "\n";
  };
  for (const auto& f : probe) note("in the probe", f);
  for (const auto& r : result.rules)
    for (const auto& p : r.properties)
      for (const auto& f : p.agent_start_failures) note("during " + r.id + " (" + p.name + ")", f);
}

/// The suite against a plugin: a probe worker loads and checks it (a plugin that cannot be used is
/// a UsageError: exit 2), what it found is printed, then every property runs in a worker of its own.
/// A plugin that crashes the probe is a finding like any other crash: the properties run, each
/// reports what the plugin does to its worker, and the run goes on.
vmc::RunResult run_plugin(const vmc::RunOptions& o, bool no_capture, std::ostream& out) {
  const vmc::Subject& s = o.subject;
  vmc::plugin::IsolationConfig config{self_executable(), s.name, s.options, s.timeout_seconds};
  config.no_capture = no_capture;
  vmc::PluginInfo info;
  try {
    info = vmc::plugin::probe_plugin(config);
  } catch (const vmc::plugin::ProbeCrashed& e) {
    std::cerr << "vmconform: the plugin crashed while it was probed: " << e.what()
              << "\nvmconform: running every property anyway, each in its own worker: each reports the crash\n";
    info.name = std::filesystem::path(s.name).filename().string();
    info.abi = VMC_PLUGIN_ABI_VERSION;
    info.situation = "unknown: the plugin crashed the probe";
  } catch (const vmc::plugin::SetupError& e) {
    throw UsageError(e.what());
  }
  const vmc::Operations& ops = info.operations;
  out << "  plugin " << info.name << " (ABI " << info.abi << "), page size " << vmc::hex(info.page_size)
            << ", allocation granularity " << vmc::hex(info.granularity) << ", query_virtual "
            << (info.query ? "present" : !ops.allocate ? "the suite's" : "absent (rules that need it are skipped)")
            << "\n"
            << "  checks: " << ops.checked() << "\n";
  if (!ops.arranged_by.empty()) out << "  provided for it: " << ops.arranged_by << "\n";
  out << "  foreign memory: " << info.situation << "\n"
            << "  isolation: one worker process per property, timeout " << vmc::seconds_text(s.timeout_seconds) << " s; "
            << (info.fault_injection ? "host-fault injection: the plugin's inject_free_failure"
                : !ops.free ? "host-fault injection: the suite's (the plugin has no VirtualFree)"
                : info.abi == 1 ? "no host-fault injection in plugin ABI v1 (VF-EFAIL-STICKY is skipped)"
                                : "no host-fault injection (no inject_free_failure: VF-EFAIL-STICKY is skipped)")
            << std::endl;
  vmc::RunOptions with_operations = o;
  with_operations.operations = ops;
  vmc::RunResult result = vmc::run_suite(
      [&config](const vmc::PropertyDef& def, const vmc::RunOptions& opts) {
        return vmc::plugin::run_isolated(config, def, opts);
      },
      with_operations);
  result.plugin = info;
  return result;
}

/// The suite against an agent: a probe agent says hello and opens a target (an agent that cannot
/// is a UsageError: exit 2), what it said is printed, then every property runs with an agent of
/// its own. A target failure (the agent died, hung, sent garbage) is printed as for a backend.
vmc::RunResult run_agent(const vmc::RunOptions& o, bool* target_failed, std::ostream& out) {
  const vmc::plugin::AgentConfig config{o.subject.name, o.subject.timeout_seconds, o.subject.agent_start_attempts};
  vmc::PluginInfo info;
  std::vector<std::string> probe_start_failures;
  try {
    info = vmc::plugin::probe_agent(config, &probe_start_failures);
  } catch (const vmc::plugin::SetupError& e) {
    throw UsageError(std::string("cannot use the agent: ") + e.what());
  }
  const vmc::Operations& ops = info.operations;
  out << "  agent " << info.name << " (vmconform-agent/" << info.abi << "), page size " << vmc::hex(info.page_size)
            << ", allocation granularity " << vmc::hex(info.granularity) << ", query "
            << (info.query ? "present" : "absent (rules that need it are skipped)") << "\n"
            << "  checks: " << ops.checked() << "\n";
  if (!ops.complete()) out << "  provided for it: " << ops.arranged_by << "\n";
  out << "  foreign memory: " << info.situation << "\n"
            << "  isolation: one agent process per property, timeout " << vmc::seconds_text(o.subject.timeout_seconds)
            << " s"
            << (config.start_attempts > 1 ? ", up to " + std::to_string(config.start_attempts) +
                                                " starts while it exits before answering hello (--agent-start-attempts)"
                                          : std::string())
            << std::endl;
  vmc::RunOptions with_operations = o;
  with_operations.operations = ops;
  vmc::RunResult result = vmc::run_suite(
      [&config](const vmc::PropertyDef& def, const vmc::RunOptions& opts) {
        return vmc::plugin::run_agent_property(config, def, opts);
      },
      with_operations);
  result.plugin = info;
  print_agent_start_failures(probe_start_failures, result, config.start_attempts);
  *target_failed = print_target_failures(result, nullptr);
  return result;
}

int run(const RunArgs& a) {
  RunPlan p = plan(a);
  vmc::RunOptions& o = p.options;
  // With --json - the report goes to stdout, alone; what people read goes to stderr.
  std::ostream& out = a.json == "-" ? std::cerr : std::cout;
  if (!p.baseline_warning.empty()) std::cerr << "vmconform: warning: " << p.baseline_warning << "\n";
  const Style err_style = Style::detect(a.color, 2), out_style = Style::detect(a.color, a.json == "-" ? 2 : 1);
  std::shared_ptr<ProgressDisplay> progress;
  if (!a.quiet) {
    progress = std::make_shared<ProgressDisplay>(err_style);
    o.progress = [progress](const vmc::Progress& p) { (*progress)(p); };
  }
  out << "vmconform: " << (p.backend ? "backend " : !a.agent.empty() ? "agent " : "plugin ") << o.subject.name << ", profile " << a.profile
            << ", seed " << o.seed << ", " << o.cases << " cases per property"
            << (p.shard ? ", shard " + p.shard->text() + " (" + std::to_string(o.only_rules.size()) + " rules)"
                        : std::string())
            << std::endl;

  vmc::RunResult result;
  bool target_failed = false;  // even a baselined failure then fails the run
  if (p.backend) {
    std::unique_ptr<vmc::TargetFactory> factory;
    try {
      factory = p.backend->make_factory(vmc::BackendOptions{o.seed, a.backend_options});
    } catch (const std::exception& e) {
      throw UsageError("cannot set up backend " + a.backend + ": " + e.what());
    }
    probe_backend(*p.backend, vmc::BackendOptions{o.seed, a.backend_options});
    result = vmc::run_suite(*factory, o);
    target_failed = print_target_failures(result, factory.get());
  } else if (!a.agent.empty()) {
    result = run_agent(o, &target_failed, out);
  } else {
    result = run_plugin(o, a.no_capture, out);
  }
  result.shard = p.shard;
  if (p.baseline) vmc::apply_baseline(result, *p.baseline);
  if (progress) progress->finish();
  out << vmc::summary_table(result, [&out_style](vmc::Status s, const std::string& t) {
    return out_style.status(s, t);
  });
  for (const auto& r : result.rules) {
    if (r.status != vmc::Status::fail && r.status != vmc::Status::xpass) continue;
    out << "\n" << out_style.status(r.status, r.status == vmc::Status::xpass ? "XPASS" : "FAIL") << " " << r.id
              << ": " << r.message << "\n";
    for (const auto& prop : r.properties)
      if (!prop.counterexample.empty()) out << "  counterexample:\n" << prop.counterexample;
    out << "  seed " << result.seed << "; reproduce: " << vmc::reproducer(o, r.id) << "\n";
  }
  if (a.coverage) out << "\n" << vmc::coverage::render(result.coverage);
  if (!a.report_dir.empty()) {
    vmc::write_reports(result, a.report_dir);
    out << "reports written to " << a.report_dir << "/{report.json,report.md,junit.xml,index.html}\n";
  }
  if (!a.junit.empty()) vmc::write_file_atomically(a.junit, vmc::report_junit(result));
  if (!a.json.empty()) {
    const std::string json = vmc::report_json(result).dump(2) + "\n";
    if (a.json == "-") std::cout << json << std::flush;
    else vmc::write_file_atomically(a.json, json);
  }
  if (a.github) out << vmc::github_annotations(result);
  return result.ok() && !target_failed ? 0 : kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"run", "Run the conformance suite and the state machine against a backend, a plugin or an agent", 30,
                            [](CLI::App& rn) -> Action {
  auto a = std::make_shared<RunArgs>();
  rn.add_option("--backend", a->backend, "Backend name (see list-backends)");
  rn.add_option("--backend-options", a->backend_options, "Backend-specific options, e.g. pid=1234 (process, raw-*)");
  rn.add_option("--plugin", a->plugin, "A plugin shared object (vmconform/plugin.h), run in isolated workers");
  rn.add_option("--plugin-options", a->plugin_options, "The string passed to the plugin's open()");
  rn.add_option("--agent", a->agent, "An agent: \"COMMAND ARGS...\" speaking spec/agent-protocol.md, one process per property");
  rn.add_option("--timeout", a->timeout, "Per-property time limit of a plugin worker or an agent, in seconds (default 60)");
  rn.add_option("--agent-start-attempts", a->agent_start_attempts,
                "Starts of a property's agent while it exits before answering hello, 1 to 10 (default 1); each failed "
                "start is reported");
  rn.add_option("--shard", a->shard, "Run only shard I of N (I/N): the rules whose index % N == I-1");
  rn.add_option("--profile", a->profile, "documented or win32 (default win32)");
  rn.add_option("--seed", a->seed, "Seed, 0 to 2^64-1 (default: random, printed)");
  rn.add_option("--cases", a->cases, "Cases per property, 1 to 1000000 (default 100)");
  rn.add_option("--rule", a->rules, "Only this rule (repeatable)");
  rn.add_flag("--quick", a->quick, "Today's short run: no long sequences (the coverage sweep is not run)");
  rn.add_option("--depth", a->depth, "N times the default run's long sequences, 1 to 1000 (default 1)");
  rn.add_option("--report", a->report_dir, "Write report.json, report.md and junit.xml to this directory")
      ->each([a](const std::string&) { a->report_dir_given = true; });
  rn.add_option("--baseline", a->baseline, "Expected failures (vmconform-baseline/1 JSON)");
  rn.add_flag("--force", a->force, "Apply a baseline written for another target (with a warning)");
  rn.add_option("--junit", a->junit, "Also write JUnit XML to this file")
      ->each([a](const std::string&) { a->junit_given = true; });
  rn.add_option("--json", a->json, "Write report.json to this file, or to stdout with '-' (the rest goes to stderr)")
      ->each([a](const std::string&) { a->json_given = true; });
  rn.add_flag("--no-capture", a->no_capture, "Show a plugin's own stdout and stderr (on stderr) instead of capturing it");
  rn.add_flag("--github-annotations", a->github, "Print ::error annotations for GitHub Actions");
  rn.add_flag("--quiet", a->quiet, "No progress display");
  rn.add_option("--color", a->color, "auto (default: on a terminal, unless NO_COLOR is set), always or never");
  rn.add_flag("--coverage", a->coverage, "Print the coverage table: cells reached, missed and unreachable (spec/coverage.md)");
  return Action{[a] { plan(*a); }, [a] { return run(*a); }};
},
    {"vmconform run --backend sim --profile documented --seed 7 --report out/   # the reference model",
     "vmconform run --backend mutant:partial-write --rule WV-ATOMIC --seed 1     # what a finding looks like",
     "vmconform run --plugin ./libmyplugin.so --seed 1 --baseline b.json --junit junit.xml",
     "vmconform run --agent \"python3 agents/python/reference_agent.py\" --seed 1  # another process, any language",
     "vmconform run --backend native --shard 2/4 --quick                         # one CI job of four",
     "vmconform run --backend sim --json - --quiet                               # report.json on stdout"}});

}  // namespace vmc::cli
