// fuzz_command.cpp - `vmconform fuzz --backend NAME` (or `--plugin PATH`, or `--agent COMMAND`):
// a libFuzzer campaign against one backend, plugin or agent.
//
// Picks the fuzz target for the backend (native -> fuzz_native, process -> fuzz_process, sim ->
// fuzz_sim, anything else -> fuzz_mutant with VMCONFORM_FUZZ_BACKEND=NAME; a plugin -> fuzz_plugin
// with VMCONFORM_FUZZ_PLUGIN=PATH and VMCONFORM_FUZZ_PLUGIN_OPTIONS; an agent -> fuzz_agent with
// VMCONFORM_FUZZ_AGENT=COMMAND, on the plugin seeds), finds its libFuzzer
// binary as built by the `fuzz` preset (build/fuzz/fuzz/, or --fuzzer PATH, or the directory
// VMCONFORM_FUZZERS_DIR names), runs it for --time
// seconds (-fork=N for --jobs N) on a working corpus plus the seeds of corpus/<target>/ (with the
// op dictionary corpus/opseq.dict), prints a
// progress line every few seconds, then a summary and, for every crash artifact, the op-sequence
// text and the `vmconform replay` reproducer. Exit: 0 no crash, 1 crash(es), 2 usage/setup.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <regex>
#include <set>

#include "arguments.hpp"
#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/reproducer.hpp"

namespace vmc::cli {
namespace {

namespace fs = std::filesystem;

struct FuzzArgs {
  std::string backend, plugin, plugin_options, agent, target, fuzzer, corpus, artifacts;
  std::string time = "60", jobs = "1", max_len = "640", seed;
  std::vector<std::string> extra;
};

std::string target_for(const std::string& backend) {
  if (backend == "native" || backend == "process" || backend == "sim") return "fuzz_" + backend;
  return "fuzz_mutant";
}

fs::path self_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

/// True for a libFuzzer binary; the standalone-main build of a target says so in its output.
bool is_libfuzzer(const fs::path& bin) {
  FILE* p = popen((shell_quote(bin.string()) + " -help=1 2>&1").c_str(), "r");
  if (!p) return false;
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out.find("standalone fuzz main") == std::string::npos && out.find(" fork ") != std::string::npos;
}

fs::path find_fuzzer(const FuzzArgs& a, const std::string& target) {
  const std::string how = "build it with: cmake --preset fuzz && cmake --build --preset fuzz --target all_fuzzers";
  if (!a.fuzzer.empty()) {
    if (!fs::exists(a.fuzzer)) throw UsageError("--fuzzer " + a.fuzzer + " does not exist; " + how);
    if (!is_libfuzzer(a.fuzzer)) throw UsageError(a.fuzzer + " is not a libFuzzer binary (built with the standalone fuzz main?); " + how);
    return fs::weakly_canonical(a.fuzzer);
  }
  std::vector<fs::path> candidates = {self_dir() / "../../fuzz/fuzz" / target, self_dir() / "../fuzz" / target,
                                      fs::current_path() / "build/fuzz/fuzz" / target};
  // VMCONFORM_FUZZERS_DIR replaces the places searched (the docs test sets it to an empty one).
  if (const char* dir = std::getenv("VMCONFORM_FUZZERS_DIR")) candidates = {fs::path(dir) / target};
  for (const fs::path& c : candidates)
    if (fs::exists(c) && is_libfuzzer(c)) return fs::weakly_canonical(c);
  throw UsageError("no libFuzzer binary of " + target + " found (looked in build/fuzz/fuzz/); " + how +
                   " (or pass --fuzzer PATH)");
}

std::optional<fs::path> find_seeds(const std::string& target) {
  for (const fs::path& c : {self_dir() / "../../../corpus" / target, fs::current_path() / "corpus" / target})
    if (fs::is_directory(c)) return fs::weakly_canonical(c);
  return std::nullopt;
}

struct FuzzProgress {
  std::string execs = "0", cov = "?", corp = "?", rate = "?", crashes = "0";
  void update(const std::string& line) {
    static const std::regex execs_re(R"(^#(\d+))"), cov_re(R"(cov: (\d+))"), corp_re(R"(corp: (\d+))"),
        rate_re(R"(exec/s:? (\d+))"), crash_re(R"(oom/timeout/crash: \d+/\d+/(\d+))");
    std::smatch m;
    if (std::regex_search(line, m, execs_re)) execs = m[1];
    if (std::regex_search(line, m, cov_re)) cov = m[1];
    if (std::regex_search(line, m, corp_re)) corp = m[1];
    if (std::regex_search(line, m, rate_re)) rate = m[1];
    if (std::regex_search(line, m, crash_re)) crashes = m[1];
  }
  std::string text() const {
    return "execs " + execs + ", cov " + cov + ", corpus " + corp + ", exec/s " + rate + ", crashes " + crashes;
  }
};

/// The numbers of a campaign, checked before anything starts.
struct FuzzNumbers {
  int time = 60, jobs = 1, max_len = 640;
  std::optional<std::uint64_t> seed;
};

FuzzNumbers check(const FuzzArgs& a) {
  if (a.backend.empty() && a.plugin.empty() && a.agent.empty() && a.target.empty())
    throw UsageError("--backend NAME, --plugin PATH or --agent COMMAND is required (or --target fuzz_NAME)");
  if (!a.backend.empty() && !find_backend(a.backend))
    throw UsageError("unknown backend '" + a.backend + "' (see vmconform list-backends)");
  FuzzNumbers n;
  n.time = parse_int(a.time, "--time", 1, 7 * 86400);
  n.jobs = parse_int(a.jobs, "--jobs", 1, 1024);
  n.max_len = parse_int(a.max_len, "--max-len", 1, 16 << 20);
  if (!a.seed.empty()) n.seed = parse_u64(a.seed, "--seed");
  if (!a.plugin.empty() && !a.target.empty() && a.target != "fuzz_plugin")
    throw UsageError("--plugin selects fuzz_plugin; it does not apply to --target " + a.target);
  if (!a.agent.empty() && !a.target.empty() && a.target != "fuzz_agent")
    throw UsageError("--agent selects fuzz_agent; it does not apply to --target " + a.target);
  return n;
}

int fuzz(const FuzzArgs& args) {
  const FuzzNumbers num = check(args);
  const FuzzArgs& a = args;
  const std::string target = !a.target.empty()   ? a.target
                             : !a.plugin.empty() ? "fuzz_plugin"
                             : !a.agent.empty()  ? "fuzz_agent"
                                                 : target_for(a.backend);
  if ((target == "fuzz_agent") != !a.agent.empty())
    throw UsageError(a.agent.empty() ? "fuzz_agent needs --agent COMMAND (the agent's command line)"
                                     : "--agent selects fuzz_agent; it does not apply to --target " + target);
  if ((target == "fuzz_plugin") != !a.plugin.empty())
    throw UsageError(a.plugin.empty() ? "fuzz_plugin needs --plugin PATH (the plugin shared object to fuzz)"
                                      : "--plugin selects fuzz_plugin; it does not apply to --target " + target);
  // Absolute, so that the fuzzer (and every -fork job) finds it whatever its directory.
  const fs::path plugin = a.plugin.empty() ? fs::path() : fs::absolute(a.plugin);
  if (!a.plugin.empty() && !fs::is_regular_file(plugin))
    throw UsageError("--plugin " + a.plugin + ": no such file (build the plugin first)");
  if (target == "fuzz_plugin") {  // before find_fuzzer: fuzz_plugin stops at start-up without it, even for -help=1
    setenv("VMCONFORM_FUZZ_PLUGIN", plugin.c_str(), 1);
    setenv("VMCONFORM_FUZZ_PLUGIN_OPTIONS", a.plugin_options.c_str(), 1);
  }
  if (target == "fuzz_agent") setenv("VMCONFORM_FUZZ_AGENT", a.agent.c_str(), 1);  // as for fuzz_plugin
  const std::string backend = a.backend.empty() ? "sim" : a.backend;
  const bool opseq_target =
      target != "fuzz_opseq_text" && target != "fuzz_baseline" && target != "fuzz_worker_protocol";
  const bool differential =
      target == "fuzz_native" || target == "fuzz_process" || target == "fuzz_mutant" || target == "fuzz_plugin" ||
      target == "fuzz_agent";
  const fs::path fuzzer = find_fuzzer(a, target);

  std::string tag = target;
  if (target == "fuzz_mutant") tag += "-" + std::regex_replace(backend, std::regex("[^A-Za-z0-9_.-]"), "_");
  if (target == "fuzz_plugin")
    tag += "-" + std::regex_replace(plugin.stem().string(), std::regex("[^A-Za-z0-9_.-]"), "_");
  if (target == "fuzz_agent")  // the command line, made a file name (at most 60 characters)
    tag += "-" + std::regex_replace(a.agent, std::regex("[^A-Za-z0-9_.-]+"), "_").substr(0, 60);
  // Defaults live in the fuzzer's build tree (build/fuzz/campaign/<tag>/), which git ignores.
  const fs::path campaign = fuzzer.parent_path().parent_path() / "campaign" / tag;
  const fs::path corpus = a.corpus.empty() ? campaign / "corpus" : fs::path(a.corpus);
  const fs::path artifacts = a.artifacts.empty() ? campaign / "artifacts" : fs::path(a.artifacts);
  fs::create_directories(corpus);
  fs::create_directories(artifacts);
  const fs::path log_file = artifacts / "fuzz.log";
  std::set<fs::path> before;
  for (const auto& e : fs::directory_iterator(artifacts)) before.insert(e.path());

  std::string cmd = shell_quote(fuzzer.string()) + " -max_total_time=" + std::to_string(num.time) +
                    " -max_len=" + std::to_string(num.max_len) + " -print_final_stats=1 -artifact_prefix=" +
                    shell_quote((artifacts / "").string());
  if (num.seed) cmd += " -seed=" + std::to_string(*num.seed);
  if (num.jobs > 1) cmd += " -fork=" + std::to_string(num.jobs) + " -ignore_crashes=1";
  for (const std::string& x : a.extra) cmd += " " + shell_quote(x);
  cmd += " " + shell_quote(corpus.string());
  // An agent runs the plugin seeds: the same operations, another way to reach the implementation.
  const std::optional<fs::path> seeds = find_seeds(target == "fuzz_agent" ? "fuzz_plugin" : target);
  if (seeds) cmd += " " + shell_quote(seeds->string());
  // The op dictionary next to the seeds (corpus/opseq.dict, written by make_seeds).
  std::optional<fs::path> dictionary;
  if (seeds && fs::exists(seeds->parent_path() / "opseq.dict")) dictionary = seeds->parent_path() / "opseq.dict";
  if (dictionary) cmd += " -dict=" + shell_quote(dictionary->string());
  if (target == "fuzz_mutant") setenv("VMCONFORM_FUZZ_BACKEND", backend.c_str(), 1);
  std::string env_note;
  if (target == "fuzz_mutant") env_note = " (VMCONFORM_FUZZ_BACKEND=" + backend + ")";
  if (target == "fuzz_plugin")
    env_note = " (VMCONFORM_FUZZ_PLUGIN=" + plugin.string() +
               (a.plugin_options.empty() ? "" : ", VMCONFORM_FUZZ_PLUGIN_OPTIONS=" + a.plugin_options) + ")";
  if (target == "fuzz_agent") env_note = " (VMCONFORM_FUZZ_AGENT=" + a.agent + ")";
  // How the fuzzer and `vmconform replay` reproduce an artifact of this campaign. A plugin built for
  // fuzzing is instrumented: it loads only into the vmconform of the fuzzer's build, if there is one.
  std::string env_prefix, program = "vmconform";
  if (target == "fuzz_mutant") env_prefix = "VMCONFORM_FUZZ_BACKEND=" + shell_quote(backend) + " ";
  if (target == "fuzz_plugin") {
    env_prefix = "VMCONFORM_FUZZ_PLUGIN=" + shell_quote(plugin.string()) + " ";
    if (!a.plugin_options.empty()) env_prefix += "VMCONFORM_FUZZ_PLUGIN_OPTIONS=" + shell_quote(a.plugin_options) + " ";
    const fs::path same_build = fuzzer.parent_path().parent_path() / "conformance" / "vmconform";
    if (fs::exists(same_build)) program = shell_quote(same_build.string());
  }
  if (target == "fuzz_agent") env_prefix = "VMCONFORM_FUZZ_AGENT=" + shell_quote(a.agent) + " ";
  // The fuzzers check profile win32; `vmconform replay` explains an artifact in the same one.
  const Subject subject = target == "fuzz_plugin" ? Subject{Subject::Kind::plugin, plugin.string(), a.plugin_options}
                          : target == "fuzz_agent" ? Subject{Subject::Kind::agent, a.agent, ""}
                                                   : Subject{Subject::Kind::backend, backend, ""};

  std::cout << "vmconform fuzz: " << target << env_note
            << ", " << num.time << " s, " << num.jobs << " job(s)\n  fuzzer    " << fuzzer.string() << "\n  corpus    "
            << corpus.string() << (seeds ? " + seeds " + seeds->string() : "")
            << (dictionary ? "\n  dict      " + dictionary->string() : "") << "\n  artifacts " << artifacts.string()
            << "\n  log       " << log_file.string() << "\n  command   " << cmd << "\n" << std::flush;
  std::ofstream log(log_file);
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw UsageError("cannot start " + fuzzer.string());
  FuzzProgress progress;
  std::set<std::string> rules;
  const auto start = std::chrono::steady_clock::now();
  auto last_print = start;
  char buf[8192];
  while (std::fgets(buf, sizeof buf, p)) {
    const std::string line = buf;
    log << line << std::flush;
    progress.update(line);
    if (line.rfind("==vmconform== rule: ", 0) == 0) rules.insert(line.substr(20, line.find_last_not_of("\n") - 19));
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print >= std::chrono::seconds(5)) {
      last_print = now;
      std::cout << "  [" << std::chrono::duration_cast<std::chrono::seconds>(now - start).count() << "s/" << num.time
                << "s] " << progress.text() << std::endl;
    }
  }
  const int status = pclose(p);
  const long elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();

  std::vector<fs::path> crashes;
  for (const auto& e : fs::directory_iterator(artifacts)) {
    const std::string name = e.path().filename().string();
    if (!before.count(e.path()) && (name.rfind("crash-", 0) == 0 || name.rfind("leak-", 0) == 0 ||
                                    name.rfind("timeout-", 0) == 0 || name.rfind("oom-", 0) == 0))
      crashes.push_back(e.path());
  }
  std::sort(crashes.begin(), crashes.end());
  std::size_t corpus_files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(corpus)) ++corpus_files;
  std::cout << "\nsummary: " << target << " ran " << elapsed << " s; " << progress.text() << "; working corpus "
            << corpus_files << " files; fuzzer exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << "\n";
  if (!rules.empty()) {
    std::cout << "rules broken:";
    for (const auto& r : rules) std::cout << " " << r;
    std::cout << "\n";
  }
  for (const fs::path& c : crashes) {
    std::cout << "\nartifact " << c.string() << "\n  reproduce with the fuzzer: " << env_prefix
              << shell_quote(fuzzer.string()) << " " << shell_quote(c.string()) << "\n";
    if (differential)
      std::cout << (target == "fuzz_plugin" || target == "fuzz_agent" ? "  reproduce and explain: " : "  reproduce and get a regression test: ")
                << replay_reproducer(c.string(), subject, Profile::win32, program) << "\n";
    if (opseq_target) {
      std::ifstream in(c, std::ios::binary);
      const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::cout << "  op sequence:\n" << opseq::to_text(opseq::decode(bytes));
    }
  }
  if (crashes.empty() && status != 0) {
    std::cout << "the fuzzer exited with status " << status << " without an artifact; see " << log_file.string() << "\n";
    return kExitFailed;
  }
  std::cout << (crashes.empty() ? "\nno crash\n" : "\n" + std::to_string(crashes.size()) + " crash artifact(s)\n");
  return crashes.empty() ? kExitOk : kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"fuzz",
                            "Run a libFuzzer campaign against a backend, a plugin or an agent (needs the fuzz preset's fuzzers)", 60,
                            [](CLI::App& fz) -> Action {
  auto a = std::make_shared<FuzzArgs>();
  CLI::Option* backend = fz.add_option("--backend", a->backend, "Backend name (see list-backends)");
  CLI::Option* plugin = fz.add_option("--plugin", a->plugin, "A plugin shared object to fuzz with fuzz_plugin");
  fz.add_option("--plugin-options", a->plugin_options, "The string passed to the plugin's open()")->needs(plugin);
  plugin->excludes(backend);
  CLI::Option* agent = fz.add_option("--agent", a->agent, "An agent: \"COMMAND ARGS...\" (spec/agent-protocol.md) to fuzz with fuzz_agent");
  agent->excludes(backend);
  agent->excludes(plugin);
  fz.add_option("--target", a->target, "Fuzz target instead of the backend's (e.g. fuzz_opseq_text)");
  fz.add_option("--time", a->time, "Seconds (default 60)");
  fz.add_option("--jobs", a->jobs, "Parallel jobs: -fork=N (default 1)");
  fz.add_option("--corpus", a->corpus, "Working corpus directory (default build/fuzz/campaign/<target>/corpus)");
  fz.add_option("--artifacts", a->artifacts, "Crash artifact directory (default build/fuzz/campaign/<target>/artifacts)");
  fz.add_option("--fuzzer", a->fuzzer, "libFuzzer binary (default: build/fuzz/fuzz/<target>)");
  fz.add_option("--seed", a->seed, "libFuzzer -seed");
  fz.add_option("--max-len", a->max_len, "libFuzzer -max_len (default 640: about 64 ops)");
  fz.add_option("--fuzzer-arg", a->extra, "Extra libFuzzer flag (repeatable), e.g. --fuzzer-arg=-dict=FILE");
  return Action{[a] { check(*a); }, [a] { return fuzz(*a); }};
},
    {"vmconform fuzz --backend native --time 600 --jobs 2",
     "vmconform fuzz --backend mutant:partial-write --time 60",
     "vmconform fuzz --plugin ./libmyplugin.so --time 600",
     "vmconform fuzz --agent \"python3 agents/python/reference_agent.py\" --time 60"},
    "  0  no crash\n  1  crash artifacts (each printed with its reproducers)\n"
    "  2  usage or setup error (no libFuzzer binary: build the fuzz preset)"});

}  // namespace vmc::cli
