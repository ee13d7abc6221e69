// baseline_command.cpp - `vmconform baseline --write FILE --from report.json`: starts a baseline
// of expected failures from a report, with a reason to fill in for every failing rule.
//
// Never loses a file: the report is read and checked against spec/report-schema.md first (a
// report of another schema, an array, an unknown rule: exit 2, nothing written), and the baseline
// is written through a temporary file and a rename. An existing FILE is kept unless --force is
// given; with --force the reasons a person wrote for rules that still fail are kept.
#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "vmconform/baseline.hpp"
#include "vmconform/files.hpp"
#include "vmconform/human.hpp"
#include "vmconform/report_reader.hpp"

namespace vmc::cli {
namespace {

struct BaselineArgs {
  std::string from, out;
  bool force = false;
};

struct BaselinePlan {
  RunResult report;
  std::optional<Baseline> existing;  // --force: the file replaced, whose reasons are kept
};

BaselinePlan plan(const BaselineArgs& a) {
  BaselinePlan p;
  try {
    check_output_file(a.out, "--write");
    p.report = load_report(a.from);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::error_code ec;
  if (std::filesystem::exists(a.out, ec)) {
    std::optional<Baseline> old;
    try {
      old = load_baseline(a.out);
    } catch (const std::exception&) {
      if (!a.force)
        throw UsageError(a.out + " exists and is not a baseline: not overwritten (--force replaces it)");
    }
    if (old && !a.force) {
      std::size_t reasons = 0;
      for (const BaselineEntry& e : old->expected_failures) reasons += hand_written(e);
      throw UsageError(a.out + " exists (a baseline with " + count_text(reasons, "hand-written reason") +
                       "): not overwritten; --force rewrites it from " + a.from +
                       " and keeps the reasons of the rules that still fail");
    }
    p.existing = std::move(old);
  }
  return p;
}

int write_baseline(const BaselineArgs& a) {
  const BaselinePlan p = plan(a);
  const Baseline b = baseline_from_report(p.report, p.existing ? &*p.existing : nullptr);
  write_file_atomically(a.out, baseline_json(b).dump(2) + "\n");
  std::size_t todo = 0, kept = 0;
  for (const BaselineEntry& e : b.expected_failures) (hand_written(e) ? kept : todo) += 1;
  std::cout << "baseline written to " << a.out << ": " << b.expected_failures.size() << " expected failure"
            << (b.expected_failures.size() == 1 ? "" : "s") << " of " << b.backend << " (" << *b.profile << ")";
  if (kept) std::cout << ", " << kept << " reason" << (kept == 1 ? "" : "s") << " kept from the previous file";
  if (p.existing)
    for (const BaselineEntry& old : p.existing->expected_failures) {
      bool still = false;
      for (const BaselineEntry& e : b.expected_failures) still |= e.rule == old.rule;
      if (!still) std::cout << "\n  dropped " << old.rule << ": it no longer fails in " << a.from;
    }
  std::cout << (todo ? "\nfill in every \"reason\" that starts with TODO\n" : "\n");
  return 0;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"baseline", "Start a baseline from a report", 50, [](CLI::App& bl) -> Action {
  auto a = std::make_shared<BaselineArgs>();
  bl.add_option("--write", a->out, "The baseline file to write")->required();
  bl.add_option("--from", a->from, "A report.json of the backend")->required();
  bl.add_flag("--force", a->force, "Replace an existing file (keeping the hand-written reasons of rules that still fail)");
  return Action{[a] { plan(*a); }, [a] { return write_baseline(*a); }};
},
    {"vmconform baseline --write my-baseline.json --from out/report.json   # then write every reason",
     "vmconform baseline --write my-baseline.json --from out/report.json --force   # rewrite, keeping the reasons"},
    "  0  the baseline was written\n"
    "  2  the report is not a valid report, or FILE exists (without --force): nothing was written"});

}  // namespace vmc::cli
