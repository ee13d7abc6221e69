// replay_command.cpp - `vmconform replay FILE`: runs one op sequence (a fuzzer's crash artifact,
// a corpus file, or op-sequence text) on a backend and on the reference model side by side.
//
// Prints the sequence as text, the trace of what the backend returned, the first op whose result
// differs from the model and the rule it breaks, and a ready-to-paste GoogleTest regression
// test. With --plugin PATH (fuzz_plugin's artifacts) the target is a plugin loaded into this
// process, as the fuzzer loads it: if the plugin crashes, a handler of the fatal signals names the
// plugin call in progress before the default action (or a sanitizer) ends the process. Exit
// codes: 0 no divergence, 1 divergence (or the backend threw), 2 usage error, unreadable file or
// unusable plugin. With --agent "COMMAND" the target is an agent (spec/agent-protocol.md) started
// for the replay; an agent that fails mid-replay (exits, hangs past --timeout, writes garbage) is
// reported as a target failure, exit 1; one that cannot be greeted is a setup error, exit 2.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <variant>

#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/differential.hpp"
#include "vmconform/plugin/agent_target.hpp"
#include "vmconform/plugin/plugin_library.hpp"
#include "vmconform/plugin/plugin_target.hpp"
#include "vmconform/reproducer.hpp"

namespace vmc::cli {
namespace {

struct ReplayArgs {
  std::string file, backend = "sim", backend_options, profile = "win32", plugin, plugin_options, agent;
  double timeout = 60;  // --agent: the time limit of the whole replay
  bool text = false;
};

// The plugin call in progress (the step log's last line), for the fatal-signal handler.
char g_call[512];
volatile sig_atomic_t g_call_length = 0;
struct sigaction g_previous[NSIG];
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void record_call(const std::string& line) {
  g_call_length = 0;
  const std::size_t n = std::min(line.size(), sizeof g_call);
  std::memcpy(g_call, line.data(), n);
  g_call_length = static_cast<sig_atomic_t>(n);
}

void say(const char* s, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

/// Async-signal-safe: names the call, then lets the previous disposition act (a fault repeats
/// when the handler returns; a signal sent by the process is raised again).
void on_fatal_signal(int sig, siginfo_t* info, void*) {
  char number[2];
  std::size_t digits = 0;
  if (sig >= 10) number[digits++] = static_cast<char>('0' + sig / 10 % 10);
  number[digits++] = static_cast<char>('0' + sig % 10);
  const char head[] = "\nvmconform replay: the plugin crashed (signal ";
  say(head, sizeof head - 1);
  say(number, digits);
  const char mid[] = ") during `";
  say(mid, sizeof mid - 1);
  say(g_call, static_cast<std::size_t>(g_call_length));
  say("`\n", 2);
  ::sigaction(sig, &g_previous[sig], nullptr);
  if (info == nullptr || info->si_code <= 0) ::raise(sig);
}

void install_crash_handler() {
  struct sigaction sa {};
  sa.sa_sigaction = on_fatal_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (int sig : kFatalSignals) ::sigaction(sig, &sa, &g_previous[sig]);
}

/// The plugin named by --plugin, loaded into this process once and checked as the worker's probe
/// checks it; a factory of fresh targets whose every call is recorded for the crash handler.
std::unique_ptr<TargetFactory> plugin_factory(const ReplayArgs& a) {
  using namespace vmc::plugin;
  install_crash_handler();
  record_call("# loading the plugin (dlopen)");
  try {
    static const PluginLibrary library = PluginLibrary::load(a.plugin);
    check_one_target(library.api(), a.plugin_options);
    static PluginSession session(library.api(), a.plugin_options, record_call);
    return std::make_unique<PluginTargetFactory>(session, "plugin " + library.name());
  } catch (const LoadError& e) {
    throw UsageError("cannot use plugin " + a.plugin + ": " + e.what());
  }
}

/// True if the first line that is neither blank nor a comment is the text form's header.
bool looks_like_text(const std::string& bytes) {
  std::istringstream in(bytes);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    return line.compare(first, 15, "vmconform-opseq") == 0;
  }
  return false;
}

std::string short_hash(const std::string& s) {  // FNV-1a, to make test names unique
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

Subject subject_of(const ReplayArgs& a) {
  if (!a.agent.empty()) return Subject{Subject::Kind::agent, a.agent, "", a.timeout};
  return a.plugin.empty() ? Subject{Subject::Kind::backend, a.backend, a.backend_options}
                          : Subject{Subject::Kind::plugin, a.plugin, a.plugin_options};
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

int replay(const ReplayArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(a.file, ec))
    throw UsageError("cannot read '" + a.file + "': no such file, or not a regular file");
  std::ifstream in(a.file, std::ios::binary);
  if (!in) throw UsageError("cannot read '" + a.file + "' (permission denied?)");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto profile = parse_profile(a.profile);
  if (!profile) throw UsageError("unknown profile '" + a.profile + "' (expected documented or win32)");
  const bool agent = !a.agent.empty();
  const bool plugin = !a.plugin.empty() || agent;  // not a backend of this build
  const BackendInfo* backend = plugin ? nullptr : find_backend(a.backend);
  if (!plugin && !backend) throw UsageError("unknown backend '" + a.backend + "' (see vmconform list-backends)");
  if (agent && !(a.timeout > 0)) throw UsageError("--timeout must be a positive number of seconds");
  const std::string subject = agent ? "agent " + a.agent : plugin ? "plugin " + a.plugin : "backend " + a.backend;

  const bool text = a.text || looks_like_text(bytes);
  opseq::Sequence s;
  if (text) {
    auto parsed = opseq::parse_text(bytes);
    if (const auto* e = std::get_if<opseq::ParseError>(&parsed))
      throw UsageError(a.file + ":" + std::to_string(e->line) + ": " + e->message);
    s = std::move(std::get<opseq::Sequence>(parsed));
  } else {
    s = opseq::decode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
  std::unique_ptr<TargetFactory> factory;
  vmc::plugin::AgentTargetFactory* agent_factory = nullptr;
  if (agent) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                 std::chrono::duration<double>(a.timeout));
    auto f = std::make_unique<vmc::plugin::AgentTargetFactory>(vmc::plugin::AgentConfig{a.agent, a.timeout}, deadline);
    if (!f->failure().empty()) throw UsageError("cannot use the agent: " + f->failure());
    agent_factory = f.get();
    factory = std::move(f);
  } else if (plugin) {
    factory = plugin_factory(a);  // a UsageError of its own saying what is wrong
  }
  const std::string seq_text = opseq::to_text(s);
  std::cout << "vmconform replay: " << a.file << " (" << (text ? "text" : "binary") << ", " << bytes.size()
            << " bytes, " << s.size() << " ops), " << subject << ", profile " << a.profile << "\n\n"
            << seq_text << "\n" << std::flush;

  std::unique_ptr<Target> target;
  try {
    if (!plugin) factory = backend->make_factory(BackendOptions{1, a.backend_options});
    target = factory->make();
  } catch (const std::exception& e) {
    throw UsageError("cannot set up " + subject + ": " + e.what());
  }
  std::optional<Differential> differential;
  std::optional<Divergence> d;
  std::size_t step = 0;
  std::string thrown;
  try {
    differential.emplace(*target, *profile);
    for (std::size_t i = 0; i < s.size() && !d; ++i) {
      step = i + 1;
      d = differential->step(s[i]);
    }
    if (!d) {
      step = 0;
      d = differential->final_check();
    }
  } catch (const std::exception& e) {  // e.g. a plugin that wrote past the buffer ReadVirtual gave it
    thrown = e.what();
  }

  std::cout << "trace (op, then what the backend returned):\n";
  const std::vector<std::string> trace = differential ? differential->log() : std::vector<std::string>{};
  for (std::size_t i = 0; i < trace.size(); ++i) std::cout << "  " << (i + 1) << ". " << trace[i] << "\n";
  if (agent_factory && !agent_factory->failure().empty()) {  // not a conformance verdict
    std::cout << "\nERROR target failure at step " << step << ": " << agent_factory->failure()
              << "\n\nreproduce: " << replay_reproducer(a.file, subject_of(a), *profile) << "\n";
    return kExitFailed;
  }
  if (!thrown.empty()) {
    std::cout << "\nERROR " << (step ? "at step " + std::to_string(step) + ": `" + opseq::to_text(s[step - 1]) + "`"
                                      : std::string("before the first op or at the final check"))
              << "\n  the " << (agent ? "agent" : plugin ? "plugin" : "backend") << " broke the target interface: " << thrown
              << "\n\nreproduce: " << replay_reproducer(a.file, subject_of(a), *profile) << "\n";
    return kExitFailed;
  }
  if (!d) {
    std::cout << "\nno divergence: " << (agent ? a.agent : plugin ? a.plugin : a.backend) << " agrees with the reference model on all "
              << s.size() << " ops and on the final comparison of every reservation.\n";
    return kExitOk;
  }
  const Rule* rule = find_rule(d->rule);
  std::cout << "\nDIVERGENCE " << (step ? "at step " + std::to_string(step) + " of " + std::to_string(s.size()) +
                                              ": `" + opseq::to_text(s[step - 1]) + "`"
                                        : "at the final check (after all " + std::to_string(s.size()) + " ops)")
            << "\n  rule: " << d->rule << (rule ? " - " + rule->text : "") << "\n  " << d->message << "\n\n"
            << "reproduce: " << replay_reproducer(a.file, subject_of(a), *profile) << "\n\n";
  if (plugin)
    std::cout << "regression input: keep FILE (or the text above, as a .opseq file) with your plugin's tests; the "
                 "command above exits 1 while the plugin still breaks " << d->rule << ".\n";
  else
    std::cout << "regression test (paste into a GoogleTest file):\n" << regression_test(a, *profile, seq_text, *d, step);
  return kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"replay",
                            "Replay one op sequence (crash artifact, corpus file or text) against a backend or a plugin",
                            50, [](CLI::App& rp) -> std::function<int()> {
  auto a = std::make_shared<ReplayArgs>();
  rp.add_option("FILE", a->file, "Op sequence: binary (impl/opseq/FORMAT.md) or text (\"vmconform-opseq 1\" header)")
      ->required();
  CLI::Option* backend = rp.add_option("--backend", a->backend, "Backend name (default sim; see list-backends)");
  CLI::Option* backend_options =
      rp.add_option("--backend-options", a->backend_options, "Backend-specific options, e.g. pid=1234");
  CLI::Option* plugin = rp.add_option("--plugin", a->plugin,
                                      "A plugin shared object (vmconform/plugin.h), loaded in-process as fuzz_plugin does");
  rp.add_option("--plugin-options", a->plugin_options, "The string passed to the plugin's open()")->needs(plugin);
  plugin->excludes(backend)->excludes(backend_options);
  CLI::Option* agent = rp.add_option("--agent", a->agent, "An agent: a program speaking spec/agent-protocol.md, run by /bin/sh");
  agent->excludes(backend)->excludes(backend_options)->excludes(plugin);
  rp.add_option("--timeout", a->timeout, "With --agent: the time limit of the whole replay, in seconds (default 60)")
      ->needs(agent);
  rp.add_option("--profile", a->profile, "documented or win32 (default win32, as the fuzzers)");
  rp.add_flag("--text", a->text, "FILE is op-sequence text (detected from its header otherwise)");
  return [a] { return replay(*a); };
}});

}  // namespace vmc::cli
