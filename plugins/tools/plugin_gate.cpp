// plugin_gate.cpp - the checks ctest runs on plugins, and the mutation-score report.
//
// `mutant` runs `vmconform run --plugin` on one mutant plugin and passes when the run exits 1
// with the mutant's expected rule failing in report.json (`--scope suite`, the default, runs every
// rule; `--scope rule`, what ctest uses, only the expected rule's properties: one worker instead
// of one per property, 6x faster under ASan). `expect` runs any command and passes
// when its exit code and output match (used for the loader's errors and the isolation tests).
// `score` runs every mutant of the built manifest in each of its profiles, twice - the whole
// suite, then only the expected rule - and writes the mutation score with each mutant's
// detection time as Markdown (reports/benchmarks/mutation-score.md, via
// plugins/tools/mutation-score.sh).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Ran {
  int code = -1;  // exit status, or 128 + signal
  std::string output;
  double seconds = 0;
};

/// Runs argv with stdout and stderr captured together.
Ran run(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (std::string& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  Ran r;
  if (rc != 0) {
    ::close(out[0]);
    r.output = "cannot run " + argv[0];
    return r;
  }
  char buffer[65536];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string option(std::vector<std::string>& args, const std::string& name, const std::string& fallback = "") {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return v;
    }
  if (fallback.empty()) throw std::runtime_error("missing " + name);
  return fallback;
}

struct Outcome {
  Ran ran;
  bool caught = false;               // exit 1 and the rule failed
  std::vector<std::string> failing;  // every failing rule
  int cases = 0;                     // cases of the failing property of the expected rule
  std::string message;
};

Outcome run_mutant(const std::string& vmconform, const std::string& plugin, const std::string& rule,
                   const std::string& profile, const std::string& seed, const std::string& timeout, bool only_rule) {
  char tmpl[] = "/tmp/vmc-gate-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (dir == nullptr) throw std::runtime_error("mkdtemp failed");
  std::vector<std::string> argv{vmconform, "run", "--plugin", plugin, "--profile", profile, "--seed", seed,
                                "--quiet", "--timeout", timeout, "--report", dir};
  if (only_rule) argv.insert(argv.end(), {"--rule", rule});
  Outcome o;
  o.ran = run(argv);
  std::ifstream f(fs::path(dir) / "report.json");
  const nlohmann::json report = nlohmann::json::parse(f, nullptr, false);
  if (!report.is_discarded() && report.contains("rules"))
    for (const auto& r : report["rules"]) {
      if (r.value("status", "") != "fail") continue;
      o.failing.push_back(r.value("id", ""));
      if (r.value("id", "") != rule) continue;
      o.message = r.value("message", "");
      for (const auto& p : r.value("properties", nlohmann::json::array()))
        if (p.value("status", "") == "fail") o.cases = p.value("cases", 0);
    }
  fs::remove_all(dir);
  o.caught = o.ran.code == 1 && std::find(o.failing.begin(), o.failing.end(), rule) != o.failing.end();
  return o;
}

int mutant_command(std::vector<std::string> args) {
  const std::string vmconform = option(args, "--vmconform"), plugin = option(args, "--plugin"),
                    rule = option(args, "--rule"), profile = option(args, "--profile", "win32"),
                    seed = option(args, "--seed", "1"), timeout = option(args, "--timeout", "60"),
                    scope = option(args, "--scope", "suite");
  if (scope != "suite" && scope != "rule") throw std::runtime_error("--scope is suite or rule, not " + scope);
  const Outcome o = run_mutant(vmconform, plugin, rule, profile, seed, timeout, scope == "rule");
  std::string failing;
  for (const auto& f : o.failing) failing += " " + f;
  std::cout << plugin << " (" << profile << ", seed " << seed << "): exit " << o.ran.code << ", failing rules:"
            << (failing.empty() ? " none" : failing) << " (" << o.ran.seconds << " s)\n";
  if (o.caught) {
    std::cout << "caught by " << rule << ": " << o.message.substr(0, 300) << "\n";
    return 0;
  }
  std::cout << "NOT caught: expected vmconform to exit 1 with " << rule << " failing\n--- vmconform output ---\n"
            << o.ran.output << "\n";
  return 1;
}

int expect_command(std::vector<std::string> args) {
  const auto dashes = std::find(args.begin(), args.end(), "--");
  if (dashes == args.end() || dashes + 1 == args.end()) throw std::runtime_error("expect: no command after --");
  const std::vector<std::string> command(dashes + 1, args.end());
  args.erase(dashes, args.end());
  const int code = std::stoi(option(args, "--code"));
  std::vector<std::string> match, no_match;
  while (std::find(args.begin(), args.end(), "--match") != args.end()) match.push_back(option(args, "--match"));
  while (std::find(args.begin(), args.end(), "--no-match") != args.end()) no_match.push_back(option(args, "--no-match"));
  const Ran r = run(command);
  bool ok = r.code == code;
  if (!ok) std::cout << "expected exit code " << code << ", got " << r.code << "\n";
  for (const auto& m : match)
    if (!std::regex_search(r.output, std::regex(m))) {
      std::cout << "output does not match /" << m << "/\n";
      ok = false;
    }
  for (const auto& m : no_match)
    if (std::regex_search(r.output, std::regex(m))) {
      std::cout << "output matches /" << m << "/ but must not\n";
      ok = false;
    }
  std::cout << "--- output (" << r.seconds << " s) ---\n" << r.output << "\n";
  return ok ? 0 : 1;
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

int score_command(std::vector<std::string> args) {
  const std::string vmconform = option(args, "--vmconform"), manifest_path = option(args, "--manifest"),
                    out_path = option(args, "--out"), seed = option(args, "--seed", "1");
  std::ifstream mf(manifest_path);
  const nlohmann::json manifest = nlohmann::json::parse(mf);
  std::ostringstream rows;
  int total = 0, caught = 0, mutants = 0;
  double full_seconds = 0;
  for (const auto& m : manifest.at("mutants")) {
    const std::string name = m.at("name"), rule = m.at("rule"), path = m.at("path");
    const std::string timeout = std::to_string(m.value("timeout", 60));
    ++mutants;
    for (const auto& profile_json : m.at("profiles")) {
      const std::string profile = profile_json;
      const Outcome whole = run_mutant(vmconform, path, rule, profile, seed, timeout, false);
      const Outcome alone = run_mutant(vmconform, path, rule, profile, seed, timeout, true);
      ++total;
      caught += whole.caught ? 1 : 0;
      full_seconds += whole.ran.seconds;
      std::cerr << name << " (" << profile << "): " << (whole.caught ? "caught" : "NOT CAUGHT") << "\n";
      rows << "| `" << name << "` | " << m.value("bug", "") << " | " << rule << " | " << profile << " | "
           << (whole.caught ? "caught" : "**survived**") << " | " << whole.failing.size() << " | " << alone.cases
           << " | " << fixed(alone.ran.seconds, 2) << " | " << fixed(whole.ran.seconds, 2) << " |\n";
    }
  }
  std::ofstream out(out_path);
  out << "# Mutation score of the plugin path\n\n"
      << "Generated by `plugins/tools/mutation-score.sh` (`vmconform_plugin_gate score`); do not edit.\n\n"
      << "Every mutant plugin of `plugins/mutants/mutants.json` is the correct tiny VM of the C example with one "
         "realistic bug. Each is run through `vmconform run --plugin` (isolated workers, seed "
      << seed << ", default 100 cases per property) in every profile it lists: once on the whole suite (caught = "
         "exit 1 with the expected rule failing) and once with `--rule` on the expected rule alone, whose wall time "
         "is the detection time.\n\n"
      << "**Mutation score: " << caught << " / " << total << " (" << fixed(total ? 100.0 * caught / total : 0, 1)
      << " %)** of " << mutants << " mutants x their profiles; whole-suite runs took " << fixed(full_seconds, 1) << " s in total.\n\n"
      << "| mutant | bug | expected rule | profile | result | failing rules (whole suite) | cases to failure | "
         "detection time, s (`--rule`) | whole suite, s |\n"
      << "|---|---|---|---|---|---|---|---|---|\n"
      << rows.str();
  if (!out) throw std::runtime_error("cannot write " + out_path);
  std::cout << "mutation score " << caught << "/" << total << " written to " << out_path << "\n";
  return caught == total ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: vmconform_plugin_gate mutant|expect|score ...\n";
    return 2;
  }
  const std::string mode = args.front();
  args.erase(args.begin());
  try {
    if (mode == "mutant") return mutant_command(args);
    if (mode == "expect") return expect_command(args);
    if (mode == "score") return score_command(args);
  } catch (const std::exception& e) {
    std::cerr << "vmconform_plugin_gate: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "vmconform_plugin_gate: unknown mode " << mode << "\n";
  return 2;
}
