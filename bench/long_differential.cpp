// long_differential.cpp - vmconform_bench_long_differential: thousands of random ops per sequence
// through vmc::Differential on native, process and sim (or any registered backend), both profiles.
//
// The nightly-style counterpart of X-MODEL, whose RapidCheck sequences stay short: the same op
// generators (vmc::random_sequence) draw sequences of --ops ops from --seed, and each backend x
// profile runs up to --sequences of them within --time seconds. Prints, and writes to --report,
// sequences, ops, ops/s and divergences per pair; the first divergence of a pair is shortened and
// written as op-sequence text with a `vmconform replay FILE --backend NAME --profile P` line.
// Exit status: 0 no divergence on a default-suite backend, 1 a divergence or a target failure on
// one (raw-* and mutant:* backends are expected to diverge and do not count), 2 usage error.
#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "long_differential.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/op_generators.hpp"
#include "vmconform/reproducer.hpp"
#include "vmconform/sequence_run.hpp"

namespace vmc::bench {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string file_name(std::string backend, const std::string& profile, std::uint64_t seed) {
  for (char& c : backend)
    if (c == ':' || c == '/') c = '_';
  return backend + "-" + profile + "-seed" + std::to_string(seed) + ".opseq";
}

std::vector<std::string> baseline_rules(const LongOptions& o, const std::string& backend, const std::string& profile) {
  std::vector<std::string> out;
  const auto path = std::filesystem::path(o.baselines_dir) / (backend + "." + profile + ".json");
  if (o.baselines_dir.empty() || !std::filesystem::exists(path)) return out;
  try {
    for (const auto& e : load_baseline(path.string()).expected_failures) out.push_back(e.rule);
  } catch (const std::exception& e) {
    std::cerr << "  (cannot read " << path.string() << ": " << e.what() << ")\n";
  }
  return out;
}

/// Shortens the divergent sequence, writes it out and fills in the reproducer.
void write_reproducer(const LongOptions& o, const BackendInfo& backend, Profile profile, const opseq::Sequence& full,
                      FirstDivergence& f) {
  opseq::Sequence s(full.begin(), f.step ? full.begin() + static_cast<std::ptrdiff_t>(f.step) : full.end());
  const auto start = Clock::now();
  s = shorten(backend, profile, std::move(s), f.divergence.rule, o.shrink_budget);
  const auto again = run_fresh(backend, profile, s);
  f.reproduced = again && again->second.rule == f.divergence.rule;
  f.shortened_ops = s.size();
  std::cout << "    shortened to " << s.size() << " ops in " << since(start) << " s"
            << (f.reproduced ? "" : " (the shortened sequence did NOT diverge again)") << "\n";
  if (s.size() > opseq::kMaxOps)
    f.note = "still " + std::to_string(s.size()) + " ops after shortening (the text form holds " +
             std::to_string(opseq::kMaxOps) + "): `vmconform replay` will refuse the file; raise --shrink-time";
  std::error_code ec;
  std::filesystem::create_directories(o.repro_dir, ec);
  f.file = (std::filesystem::path(o.repro_dir) / file_name(backend.name, profile_name(profile), f.seed)).string();
  std::string text = opseq::to_text(s);
  const std::string header = "# vmconform_bench_long_differential: backend " + backend.name + ", profile " +
                             profile_name(profile) + ", sequence seed " + std::to_string(f.seed) + " (regenerate: --ops " +
                             std::to_string(o.ops) + " --seed " + std::to_string(f.seed) + " --sequences 1), " +
                             (f.step ? "step " + std::to_string(f.step) : std::string("final check")) + ": " +
                             f.divergence.rule + "; shortened to " + std::to_string(s.size()) + " ops\n";
  text.insert(text.find('\n') + 1, header);
  std::ofstream(f.file) << text;
  f.replay = replay_reproducer(f.file, Subject{Subject::Kind::backend, backend.name, ""}, profile);
  std::cout << "    reproduce: " << f.replay << "\n";
}

PairResult run_pair(const LongOptions& o, const BackendInfo& backend, Profile profile,
                    const std::vector<opseq::Sequence>& sequences) {
  PairResult r;
  r.backend = backend.name;
  r.profile = profile_name(profile);
  r.expected_to_diverge = !backend.in_default_suite;
  r.baseline_rules = baseline_rules(o, backend.name, r.profile);
  const auto pair_start = Clock::now();
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    if (i > 0 && o.time_budget > 0 && since(pair_start) >= o.time_budget) break;
    const opseq::Sequence& s = sequences[i];
    const auto factory = backend.make_factory(BackendOptions{1, ""});
    const auto target = factory->make();
    Differential differential(*target, profile);
    const auto start = Clock::now();
    const SequenceRun run = run_sequence(differential, s);
    r.seconds += since(start);
    const std::optional<Divergence>& d = run.divergence;
    const std::size_t step = run.step;
    r.ops += d && step ? step : s.size();
    ++r.sequences;
    r.reservations += differential.handles().size();
    r.live_at_end += differential.model().allocations().size();
    if (const std::string why = target->failure(); !why.empty() && r.target_failure.empty()) {
      r.target_failure = why;
      std::cout << "  " << r.backend << " " << r.profile << ": TARGET FAILURE in sequence seed " << o.seed + i << ": "
                << why << "\n";
    }
    if (!d) continue;
    ++r.divergences;
    r.rules.push_back(d->rule);
    if (r.first) continue;
    r.first.emplace();
    r.first->seed = o.seed + i;
    r.first->step = step;
    r.first->divergence = *d;
    std::cout << "  " << r.backend << " " << r.profile << ": DIVERGENCE in sequence seed " << o.seed + i << " at "
              << (step ? "step " + std::to_string(step) : std::string("the final check")) << ": [" << d->rule << "] "
              << d->message << "\n";
    write_reproducer(o, backend, profile, s, *r.first);
  }
  std::cout << "  " << r.backend << " " << r.profile << ": " << r.sequences << " sequences, " << r.ops << " ops in "
            << r.seconds << " s (" << (r.seconds > 0 ? static_cast<double>(r.ops) / r.seconds : 0.0) << " ops/s), "
            << r.divergences << " divergences" << (r.expected_to_diverge ? " (expected to diverge)" : "") << std::endl;
  return r;
}

}  // namespace
}  // namespace vmc::bench

int main(int argc, char** argv) {
  using namespace vmc::bench;
  LongOptions o;
  std::vector<std::string> backends, profiles;
  CLI::App app{"Long random op sequences through vmc::Differential on each backend and profile (not a test)"};
  app.add_option("--ops", o.ops, "Ops per sequence (default 5000)")->check(CLI::PositiveNumber);
  app.add_option("--sequences", o.sequences, "Sequences per backend x profile (default 20)")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "Seed of the first sequence; sequence i has seed + i (default 1)");
  app.add_option("--backend", backends, "Backend (repeatable; default native, process, sim)");
  app.add_option("--profile", profiles, "documented or win32 (repeatable; default both)");
  app.add_option("--time", o.time_budget, "Seconds per backend x profile; no new sequence after that (default 30, 0 = none)");
  app.add_option("--shrink-time", o.shrink_budget, "Seconds to shorten one divergent sequence (default 60)");
  app.add_option("--report", o.report, "Write the Markdown report to this file");
  app.add_option("--repro-dir", o.repro_dir, "Directory for reproducers (default: long-differential/ next to --report)");
  app.add_option("--baselines", o.baselines_dir, "Directory of baselines (default: the source tree's conformance/baselines)");
  app.add_option("--build", o.build, "Build description for the report");
  CLI11_PARSE(app, argc, argv);
  if (!backends.empty()) o.backends = backends;
  if (!profiles.empty()) o.profiles = profiles;
  if (o.baselines_dir.empty()) o.baselines_dir = VMCONFORM_SOURCE_DIR "/conformance/baselines";
  if (o.repro_dir.empty())
    o.repro_dir = o.report.empty() ? "long-differential"
                                   : (std::filesystem::path(o.report).parent_path() / "long-differential").string();
  std::vector<std::pair<const vmc::BackendInfo*, vmc::Profile>> pairs;
  for (const auto& name : o.backends) {
    const vmc::BackendInfo* b = vmc::find_backend(name);
    if (!b) {
      std::cerr << "unknown backend '" << name << "' (see vmconform list-backends)\n";
      return 2;
    }
    for (const auto& p : o.profiles) {
      const auto profile = vmc::parse_profile(p);
      if (!profile) {
        std::cerr << "unknown profile '" << p << "' (expected documented or win32)\n";
        return 2;
      }
      pairs.emplace_back(b, *profile);
    }
  }

  const std::string load_before = load_average();
  std::cout << "long differential: " << o.ops << " ops x up to " << o.sequences << " sequences, seed " << o.seed
            << ", " << o.time_budget << " s per backend x profile" << std::endl;
  const auto gen_start = std::chrono::steady_clock::now();
  std::vector<vmc::opseq::Sequence> sequences;
  for (std::size_t i = 0; i < o.sequences; ++i) sequences.push_back(vmc::random_sequence(o.seed + i, o.ops));
  const double generation = std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_start).count();
  std::cout << "generated " << o.sequences << " sequences in " << generation << " s" << std::endl;

  std::vector<PairResult> results;
  int status = 0;
  for (const auto& [backend, profile] : pairs) {
    try {
      results.push_back(run_pair(o, *backend, profile, sequences));
    } catch (const std::exception& e) {  // a target that cannot be made
      PairResult r;
      r.backend = backend->name;
      r.profile = vmc::profile_name(profile);
      r.expected_to_diverge = !backend->in_default_suite;
      r.target_failure = std::string("cannot create a target: ") + e.what();
      std::cout << "  " << r.backend << " " << r.profile << ": " << r.target_failure << std::endl;
      results.push_back(r);
    }
    const PairResult& r = results.back();
    if (!r.expected_to_diverge && (r.divergences > 0 || !r.target_failure.empty())) status = 1;
  }
  if (!o.report.empty()) {
    std::ofstream(o.report) << markdown_report(o, results, load_before, load_average(), generation);
    std::cout << "report written to " << o.report << "\n";
  }
  std::cout << (status == 0 ? "no divergence on a default-suite backend\n"
                            : "DIVERGENCE or target failure on a default-suite backend (exit 1)\n");
  return status;
}
