// mutation_score.cpp - the mutation score of the default run: every mutant of conformance/mutants
// (a reference model with one realistic bug, shipped ones and the coverage-class ones) run through
// the whole default suite (100 cases per property, depth 1) at seeds 1, 2 and 3 in every profile it
// lists. A mutant is caught at a seed when the rule it is listed under fails there. The report
// names, per mutant and profile, the seeds that caught it, the rules that failed, and the shortest
// reproducer seen: the fewest ops of an op-sequence counterexample (X-MODEL prints one; the long
// sequences print theirs shortened), else the one-line `vmconform run` command.
//
// Usage: vmconform_bench_mutation_score [--out FILE.md] [--seeds N] [--mutant NAME]... ; exit 0
// when every mutant is caught at every seed, 1 otherwise. bench/run.sh runs it.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <algorithm>
#include <string>
#include <vector>

#include "vmconform/backend_registry.hpp"
#include "vmconform/mutants.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/runner.hpp"

namespace {

/// The op sequence of a counterexample or a message, if it holds one: the state machine prints
/// "<type> = op\nop\n...", the long sequences "... vmconform-opseq 1\nop\n...".
std::optional<vmc::opseq::Sequence> op_sequence_in(const std::string& text) {
  std::string body;
  if (const auto at = text.find("vmconform-opseq 1\n"); at != std::string::npos) {
    body = text.substr(at);
  } else if (const auto eq = text.find("Command<"); eq != std::string::npos) {
    const auto start = text.find(" = ", eq);
    if (start == std::string::npos) return std::nullopt;
    body = "vmconform-opseq 1\n" + text.substr(start + 3);
  } else {
    return std::nullopt;
  }
  const auto parsed = vmc::opseq::parse_text(body);
  if (const auto* s = std::get_if<vmc::opseq::Sequence>(&parsed)) return *s;
  return std::nullopt;
}

struct Row {
  std::string mutant, rule, description, profile;
  std::vector<int> caught, missed;
  std::set<std::string> failing;
  std::optional<vmc::opseq::Sequence> shortest;
  std::string command;  // a reproducer when no op sequence was printed
  double seconds = 0;
};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string("<br>") : std::string(1, c);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mutation score of the default run: every model mutant at seeds 1..N"};
  std::string out;
  int seeds = 3;
  std::vector<std::string> only;
  app.add_option("--out", out, "Markdown report to write");
  app.add_option("--seeds", seeds, "Seeds 1..N (default 3)");
  app.add_option("--mutant", only, "Only this mutant (repeatable)");
  CLI11_PARSE(app, argc, argv);

  std::vector<Row> rows;
  int caught = 0, total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const vmc::MutantInfo& m : vmc::mutants()) {
    if (!only.empty() && std::find(only.begin(), only.end(), m.name) == only.end()) continue;
    const vmc::BackendInfo* backend = vmc::find_backend("mutant:" + m.name);
    if (!backend) continue;
    for (const std::string& p : m.profiles) {
      Row row{m.name, m.rule, m.description, p, {}, {}, {}, std::nullopt, "", 0};
      const auto t0 = std::chrono::steady_clock::now();
      for (int seed = 1; seed <= seeds; ++seed) {
        vmc::RunOptions o;
        o.subject.name = backend->name;
        o.profile = *vmc::parse_profile(p);
        o.seed = static_cast<std::uint64_t>(seed);
        auto factory = backend->make_factory(vmc::BackendOptions{o.seed, ""});
        const vmc::RunResult r = vmc::run_suite(*factory, o);
        bool hit = false;
        for (const vmc::RuleOutcome& rule : r.rules) {
          if (rule.status != vmc::Status::fail) continue;
          row.failing.insert(rule.id);
          hit |= rule.id == m.rule;
          if (row.command.empty() || rule.id == m.rule) row.command = rule.reproducer;
          for (const vmc::PropertyOutcome& prop : rule.properties)
            for (const std::string* text : {&prop.counterexample, &prop.message})
              if (auto s = op_sequence_in(*text); s && !s->empty() && (!row.shortest || s->size() < row.shortest->size()))
                row.shortest = *s;
        }
        (hit ? row.caught : row.missed).push_back(seed);
        ++total;
        caught += hit;
      }
      row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "%-40s %-10s caught at %zu/%d seeds%s\n", m.name.c_str(), p.c_str(), row.caught.size(), seeds,
                   row.shortest ? (", shortest " + std::to_string(row.shortest->size()) + " ops").c_str() : "");
      rows.push_back(std::move(row));
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char score[160];
  std::snprintf(score, sizeof score, "%d / %d (%.1f %%)", caught, total, total ? 100.0 * caught / total : 0.0);
  std::printf("mutation score at seeds 1-%d: %s in %.1f s\n", seeds, score, seconds);
  if (!out.empty()) {
    std::ofstream md(out);
    md << "# Mutation score of the default run (model mutants)\n\n"
       << "Generated by `vmconform_bench_mutation_score` (bench/run.sh); do not edit.\n\n"
       << "Every mutant of `conformance/mutants/` (the reference model with one realistic bug: one per rule, and one "
          "per class of the coverage table, `spec/coverage.md`) runs through the whole default suite (100 cases per "
          "property, the long sequences at depth 1) at seeds 1-"
       << seeds << " in every profile it lists. Caught = the rule it is listed under fails at that seed. The shortest "
                   "reproducer is the fewest ops of an op-sequence counterexample seen at any seed (X-MODEL's), else "
                   "the `vmconform run` line.\n\n"
       << "**Mutation score: " << score << "** (mutant x profile x seed); " << rows.size() << " mutant x profile rows, "
       << seconds << " s in all.\n\n"
       << "| mutant | listed rule | profile | caught at seeds | failing rules | shortest reproducer | s |\n"
       << "|---|---|---|---|---|---|---|\n";
    for (const Row& r : rows) {
      std::string seeds_text, rules_text, repro;
      for (int s : r.caught) seeds_text += (seeds_text.empty() ? "" : ",") + std::to_string(s);
      if (!r.missed.empty()) {
        seeds_text += " (missed:";
        for (int s : r.missed) seeds_text += " " + std::to_string(s);
        seeds_text += ")";
      }
      for (const std::string& id : r.failing) rules_text += (rules_text.empty() ? "" : " ") + id;
      if (r.shortest) {
        repro = std::to_string(r.shortest->size()) + " ops: `";
        for (std::size_t i = 0; i < r.shortest->size(); ++i) repro += (i ? "; " : "") + vmc::opseq::to_text((*r.shortest)[i]);
        repro += "`";
      } else {
        repro = "`" + r.command + "`";
      }
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.1f", r.seconds);
      md << "| `" << r.mutant << "` | " << r.rule << " | " << r.profile << " | " << seeds_text << " | " << rules_text
         << " | " << escape(repro) << " | " << secs << " |\n";
    }
  }
  return caught == total ? 0 : 1;
}
