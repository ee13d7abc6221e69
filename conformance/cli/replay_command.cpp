// replay_command.cpp - `vmconform replay FILE`: runs one op sequence (a fuzzer's crash artifact,
// a corpus file, or op-sequence text) on a backend and on the reference model side by side.
//
// Prints the sequence as text, the trace of what the backend returned, the first op whose result
// differs from the model and the rule it breaks, and a ready-to-paste GoogleTest regression
// test. With --plugin PATH (fuzz_plugin's artifacts) the sequence runs in a worker process, with
// the isolation and the --timeout of `run --plugin` (conformance/plugin/isolation.hpp): a plugin
// that crashes, exits or hangs mid-sequence is reported with the call that never returned and the
// calls before it, never as a verdict. The file is read strictly (sequence_file.hpp). Exit codes:
// 0 no divergence, 1 divergence (or the backend threw, or the plugin crashed, exited or hung),
// 2 usage error, unreadable or unusable file, or unusable plugin. With --agent "COMMAND" the
// target is an agent (spec/agent-protocol.md) started for the replay; an agent that fails
// mid-replay (exits, hangs past --timeout, writes garbage) is reported as a target failure, exit 1;
// one that cannot be greeted is a setup error, exit 2.
#include <unistd.h>

#include <chrono>
#include <climits>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "arguments.hpp"
#include "command.hpp"
#include "sequence_file.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/differential.hpp"
#include "vmconform/plugin/agent_target.hpp"
#include "vmconform/plugin/isolation.hpp"
#include "vmconform/reproducer.hpp"

namespace vmc::cli {
namespace {

struct ReplayArgs {
  std::string file, backend = "sim", backend_options, profile = "win32", plugin, plugin_options, agent, timeout = "60";
  std::string agent_start_attempts = "1";
  bool text = false, json = false, no_capture = false;
};

struct ReplayPlan {
  Profile profile = Profile::win32;
  const BackendInfo* backend = nullptr;  // null for a plugin
  double timeout = 60;
  int agent_start_attempts = 1;
  SequenceFile input;
};

ReplayPlan plan(const ReplayArgs& a) {
  ReplayPlan p;
  const auto profile = parse_profile(a.profile);
  if (!profile) throw UsageError("unknown profile '" + a.profile + "' (expected documented or win32)");
  p.profile = *profile;
  p.timeout = parse_seconds(a.timeout, "--timeout", kMaxTimeoutSeconds);
  if (!a.plugin.empty() + !a.agent.empty() > 1) throw UsageError("give --plugin or --agent, not both");
  if (a.timeout != "60" && a.plugin.empty() && a.agent.empty())
    throw UsageError("--timeout applies to --plugin (its worker) or --agent (the whole replay)");
  p.agent_start_attempts = parse_int(a.agent_start_attempts, "--agent-start-attempts", 1, kMaxAgentStartAttempts);
  if (a.plugin.empty() && a.agent.empty()) {
    p.backend = find_backend(a.backend);
    if (!p.backend) throw UsageError("unknown backend '" + a.backend + "' (see vmconform list-backends)");
    if (!a.backend_options.empty() && !p.backend->takes_options)
      throw UsageError("backend " + a.backend + " takes no --backend-options (given '" + a.backend_options + "')");
  }
  p.input = load_sequence_file(a.file, a.text);
  return p;
}

std::string short_hash(const std::string& s) {  // FNV-1a, to make test names unique
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

Subject subject_of(const ReplayArgs& a, double timeout = 60, int agent_start_attempts = 1) {
  if (!a.agent.empty()) return Subject{Subject::Kind::agent, a.agent, "", timeout, agent_start_attempts};
  return a.plugin.empty() ? Subject{Subject::Kind::backend, a.backend, a.backend_options}
                          : Subject{Subject::Kind::plugin, a.plugin, a.plugin_options, timeout};
}

std::string regression_test(const ReplayArgs& a, Profile profile, const std::string& text, const Divergence& d,
                            std::size_t step) {
  const bool mutant = a.backend.rfind("mutant:", 0) == 0;
  std::ostringstream t;
  t << "// From `" << replay_reproducer(a.file, subject_of(a), profile) << "`: " << d.rule << " at "
    << (step ? "step " + std::to_string(step) : std::string("the final check")) << ".\n"
    << "// Link with vmconform_conformance and vmconform_backends (vmconform_link_suite) and GTest.\n"
    << "#include <gtest/gtest.h>\n\n#include <variant>\n\n"
    << "#include \"vmconform/backend_registry.hpp\"\n#include \"vmconform/differential.hpp\"\n\n"
    << "TEST(FuzzRegression, " << rule_test_prefix(d.rule) << "Replay" << short_hash(text + a.backend) << ") {\n"
    << "  RecordProperty(\"rule\", \"" << d.rule << "\");\n"
    << "  const auto parsed = vmc::opseq::parse_text(R\"opseq(" << text << ")opseq\");\n"
    << "  ASSERT_TRUE(std::holds_alternative<vmc::opseq::Sequence>(parsed));\n"
    << "  const vmc::BackendInfo* backend = vmc::find_backend(\"" << a.backend << "\");\n"
    << "  ASSERT_NE(backend, nullptr);\n"
    << "  const auto factory = backend->make_factory(vmc::BackendOptions{1, \"" << a.backend_options << "\"});\n"
    << "  const auto target = factory->make();\n"
    << "  vmc::Differential differential(*target, vmc::Profile::" << a.profile << ");\n"
    << "  const std::optional<vmc::Divergence> d = differential.run(std::get<vmc::opseq::Sequence>(parsed));\n";
  if (mutant)
    t << "  ASSERT_TRUE(d.has_value()) << \"" << a.backend << " is no longer caught by this sequence\";\n"
      << "  EXPECT_EQ(d->rule, \"" << d.rule << "\") << d->message;\n";
  else
    t << "  EXPECT_FALSE(d.has_value()) << d->rule << \": \" << d->message;\n";
  t << "}\n";
  return t.str();
}

/// What a replay found, whoever ran it (this process for a backend, a worker for a plugin).
struct Outcome {
  enum class Verdict { agree, divergence, error, no_verdict } verdict = Verdict::agree;
  std::vector<std::string> trace;  // "op -> what the target returned", or the calls made (no verdict)
  std::string rule, message;       // divergence: the rule and what differs; error / no verdict: why
  std::size_t step = 0;            // 1-based op of the divergence or error; 0 = the final check
};

const char* verdict_name(Outcome::Verdict v) {
  switch (v) {
    case Outcome::Verdict::agree: return "agree";
    case Outcome::Verdict::divergence: return "divergence";
    case Outcome::Verdict::error: return "error";
    case Outcome::Verdict::no_verdict: return "no-verdict";
  }
  return "?";
}

/// The sequence on a plugin, in a worker (isolation.hpp): its verdict, or why there is none.
Outcome replay_plugin(const ReplayArgs& a, const ReplayPlan& p, const std::string& seq_text) {
  plugin::IsolationConfig config{self_executable(), a.plugin, a.plugin_options, p.timeout};
  config.no_capture = a.no_capture;
  plugin::ReplayVerdict v;
  try {
    v = plugin::replay_isolated(config, seq_text, p.profile);
  } catch (const plugin::SetupError& e) {
    throw UsageError("cannot use plugin " + a.plugin + ": " + e.what());
  }
  Outcome o;
  if (!v.replayed) {
    o.verdict = Outcome::Verdict::no_verdict;
    o.trace = v.calls;
    o.message = v.failure;
    return o;
  }
  const plugin::Replayed& r = *v.replayed;
  o.trace = r.trace;
  o.step = static_cast<std::size_t>(r.step);
  if (!r.error.empty()) {
    o.verdict = Outcome::Verdict::error;
    o.message = "the plugin broke the target interface: " + r.error;
  } else if (!r.rule.empty()) {
    o.verdict = Outcome::Verdict::divergence;
    o.rule = r.rule;
    o.message = r.message;
  }
  return o;
}

/// The sequence on a target of this process (a backend's, or an agent's proxy), side by side
/// with the model. `who` names the target in an error ("backend", "agent").
Outcome replay_target(Target& target, const std::string& who, const ReplayPlan& p, const opseq::Sequence& s) {
  Outcome o;
  std::optional<Differential> differential;
  std::optional<Divergence> d;
  try {
    differential.emplace(target, p.profile);
    for (std::size_t i = 0; i < s.size() && !d; ++i) {
      o.step = i + 1;
      d = differential->step(s[i]);
    }
    if (!d) {
      o.step = 0;
      d = differential->final_check();
    }
    if (d) {
      o.verdict = Outcome::Verdict::divergence;
      o.rule = d->rule;
      o.message = d->message;
    }
  } catch (const std::exception& e) {
    o.verdict = Outcome::Verdict::error;
    o.message = "the " + who + " broke the target interface: " + e.what();
  }
  if (differential) o.trace = differential->log();
  return o;
}

/// The sequence on a backend, in this process.
Outcome replay_backend(const ReplayArgs& a, const ReplayPlan& p, const opseq::Sequence& s) {
  std::unique_ptr<TargetFactory> factory;
  std::unique_ptr<Target> target;
  try {
    factory = p.backend->make_factory(BackendOptions{1, a.backend_options});
    target = factory->make();
  } catch (const std::exception& e) {
    throw UsageError("cannot set up backend " + a.backend + ": " + e.what());
  }
  return replay_target(*target, "backend", p, s);
}

/// The sequence on an agent started for the replay, all of it within --timeout. An agent that
/// cannot be greeted is a setup error; one that fails mid-replay (exits, hangs, writes garbage) is
/// a target failure, never a verdict.
Outcome replay_agent(const ReplayArgs& a, const ReplayPlan& p, const opseq::Sequence& s) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(p.timeout));
  plugin::AgentTargetFactory factory(plugin::AgentConfig{a.agent, p.timeout, p.agent_start_attempts}, deadline);
  for (const std::string& f : factory.connection().start_failures())
    std::cerr << "vmconform replay: note: " << plugin::start_failure_note(f, p.agent_start_attempts) << "\n";
  if (!factory.failure().empty()) throw UsageError("cannot use the agent: " + factory.failure());
  std::unique_ptr<Target> target = factory.make();
  Outcome o = replay_target(*target, "agent", p, s);
  if (!factory.failure().empty()) {
    o.verdict = Outcome::Verdict::error;
    o.rule.clear();
    o.message = (o.step > 0 ? "target failure at step " + std::to_string(o.step) : std::string("target failure")) +
                ": " + factory.failure();
  }
  return o;
}

int replay(const ReplayArgs& a) {
  const ReplayPlan p = plan(a);
  const bool plugin = !a.plugin.empty(), agent = !a.agent.empty();
  const std::string subject = agent ? "agent " + a.agent : plugin ? "plugin " + a.plugin : "backend " + a.backend;
  const opseq::Sequence& s = p.input.ops;
  const std::string seq_text = opseq::to_text(s);
  const Subject subj = subject_of(a, p.timeout, p.agent_start_attempts);
  const std::string reproduce = replay_reproducer(a.file, subj, p.profile);
  if (!a.json)
    std::cout << "vmconform replay: " << a.file << " (" << (p.input.text ? "text" : "binary") << ", "
              << p.input.bytes << " bytes, " << s.size() << " ops"
              << (p.input.had_bom ? ", UTF-8 byte-order mark skipped" : "") << "), " << subject << ", profile "
              << a.profile << "\n\n"
              << seq_text << "\n"
              << std::flush;
  const Outcome o = agent ? replay_agent(a, p, s) : plugin ? replay_plugin(a, p, seq_text) : replay_backend(a, p, s);
  const int status = o.verdict == Outcome::Verdict::agree ? kExitOk : kExitFailed;
  const std::string op =
      o.step > 0 && o.step <= s.size() ? opseq::to_text(s[o.step - 1]) : std::string();
  const Rule* rule = o.rule.empty() ? nullptr : find_rule(o.rule);

  if (a.json) {
    nlohmann::json j{{"file", a.file},
                     {"format", p.input.text ? "text" : "binary"},
                     {"bytes", p.input.bytes},
                     {"ops", s.size()},
                     {"subject", agent ? "agent" : plugin ? "plugin" : "backend"},
                     {"target", agent ? a.agent : plugin ? a.plugin : a.backend},
                     {"profile", a.profile},
                     {"sequence", seq_text},
                     {"verdict", verdict_name(o.verdict)},
                     {"trace", o.trace},
                     {"reproducer", reproduce},
                     {"exit_status", status}};
    if (o.verdict != Outcome::Verdict::agree) {
      j["step"] = o.step;
      if (!op.empty()) j["op"] = op;
      j["message"] = o.message;
    }
    if (rule) j["rule"] = {{"id", rule->id}, {"text", rule->text}, {"source", rule->source}};
    std::cout << j.dump(2) << "\n";
    return status;
  }

  const std::string what = agent ? "agent" : plugin ? "plugin" : "backend";
  if (o.verdict == Outcome::Verdict::no_verdict) {
    std::cout << "calls made before the plugin stopped answering:\n";
  } else {
    std::cout << "trace (op, then what the " << what << " returned):\n";
  }
  for (std::size_t i = 0; i < o.trace.size(); ++i) std::cout << "  " << (i + 1) << ". " << o.trace[i] << "\n";
  const std::string at = o.step > 0 ? "at step " + std::to_string(o.step) + " of " + std::to_string(s.size()) + ": `" +
                                          op + "`"
                                    : "at the final check (after all " + std::to_string(s.size()) + " ops)";
  switch (o.verdict) {
    case Outcome::Verdict::agree:
      std::cout << "\nno divergence: " << (agent ? a.agent : plugin ? a.plugin : a.backend) << " agrees with the reference model on all "
                << s.size() << " ops and on the final comparison of every reservation.\n";
      break;
    case Outcome::Verdict::no_verdict:
      std::cout << "\nERROR: no verdict: " << o.message << "\n\nreproduce: " << reproduce << "\n";
      break;
    case Outcome::Verdict::error:
      std::cout << "\nERROR " << at << "\n  " << o.message << "\n\nreproduce: " << reproduce << "\n";
      break;
    case Outcome::Verdict::divergence:
      std::cout << "\nDIVERGENCE " << at << "\n  rule: " << o.rule << (rule ? " - " + rule->text : "") << "\n  "
                << o.message << "\n\nreproduce: " << reproduce << "\n\n";
      if (plugin || agent)
        std::cout << "regression input: keep FILE (or the text above, as a .opseq file) with your " << what
                  << "'s tests; the command above exits 1 while the " << what << " still breaks "
                  << o.rule << ".\n";
      else
        std::cout << "regression test (paste into a GoogleTest file):\n"
                  << regression_test(a, p.profile, seq_text, Divergence{o.rule, o.message}, o.step);
      break;
  }
  return status;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"replay",
                            "Replay one op sequence (crash artifact, corpus file or text) against a backend, a plugin or an agent",
                            50, [](CLI::App& rp) -> Action {
  auto a = std::make_shared<ReplayArgs>();
  rp.add_option("FILE", a->file, "Op sequence: binary (impl/opseq/FORMAT.md) or text (\"vmconform-opseq 1\" header)")
      ->required();
  CLI::Option* backend = rp.add_option("--backend", a->backend, "Backend name (default sim; see list-backends)");
  CLI::Option* backend_options =
      rp.add_option("--backend-options", a->backend_options, "Backend-specific options, e.g. pid=1234");
  CLI::Option* plugin = rp.add_option("--plugin", a->plugin,
                                      "A plugin shared object (vmconform/plugin.h), run in an isolated worker");
  rp.add_option("--plugin-options", a->plugin_options, "The string passed to the plugin's open()")->needs(plugin);
  CLI::Option* agent =
      rp.add_option("--agent", a->agent, "An agent: a program speaking spec/agent-protocol.md, run by /bin/sh");
  rp.add_option("--timeout", a->timeout,
                "Time limit of the plugin's worker, or of the whole replay with --agent, in seconds (default 60)");
  rp.add_option("--agent-start-attempts", a->agent_start_attempts,
                "Starts of the agent while it exits before answering hello, 1 to 10 (default 1)")
      ->needs(agent);
  plugin->excludes(backend)->excludes(backend_options);
  agent->excludes(backend)->excludes(backend_options)->excludes(plugin);
  rp.add_option("--profile", a->profile, "documented or win32 (default win32, as the fuzzers)");
  rp.add_flag("--text", a->text, "FILE is op-sequence text (detected from its header otherwise)");
  rp.add_flag("--json", a->json, "Print the verdict, the trace and the reproducer as JSON");
  rp.add_flag("--no-capture", a->no_capture, "Show the plugin's own stdout and stderr (on stderr)")->needs(plugin);
  return Action{[a] { plan(*a); }, [a] { return replay(*a); }};
},
    {"vmconform replay artifacts/crash-1a2b3c --backend native   # a fuzzer's finding, explained",
     "vmconform replay case.opseq --backend mutant:partial-write --json",
     "vmconform replay crash-9f8e --plugin ./libmyplugin.so --timeout 10",
     "vmconform replay case.opseq --agent \"python3 agents/python/reference_agent.py\""},
    "  0  the target agrees with the reference model on every op\n"
    "  1  a divergence (the rule it breaks is named), or the target broke the interface, crashed, exited or hung\n"
    "  2  usage error, or FILE is not an op sequence (one line on stderr says what it is), or an unusable plugin or agent"});

}  // namespace vmc::cli
