// runner.hpp - runs the properties of a profile against one subject and judges each rule.
//
// Used by the `vmconform run` command, the plugin worker and the teeth test. Every property gets
// fresh targets from the factory (or runs wherever its PropertyExecutor puts it, e.g. an isolated
// worker process), a seed derived from the run's seed and the property's name (so `--rule X
// --seed N` reproduces a failure exactly), and a case budget. A rule passes when every property
// of it passed, fails when one failed (with a reproducer), and is skipped (with the reason) when
// none could check the subject or when its operation is one the subject does not provide
// (RunOptions::operations). A baseline then turns declared failures into xfail.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/outcome.hpp"
#include "vmconform/property.hpp"
#include "vmconform/run_result.hpp"

namespace vmc {

/// Where a run is, for a progress display: a property starting (case 0), a case of it starting
/// (case 1..cases, then beyond while RapidCheck shrinks a failure), or the property done.
struct Progress {
  std::size_t rule = 0, rules = 0;  // 1-based index of the rule among those run, and their number
  std::string rule_id, property;
  int case_number = 0, cases = 0;  // the case starting, of the property's case budget
  bool done = false;               // the property finished (with `status`)
  Status status = Status::pass;
};

struct RunOptions {
  Subject subject;  // what is tested, as typed on the command line (for reports and reproducers)
  Profile profile = Profile::win32;
  std::uint64_t seed = 1;
  int cases = 100;
  /// How deep the long-sequence properties go: 0 = --quick (they are skipped), 1 = the default
  /// run, N = N times the default's long sequences (--depth N).
  int depth = 1;
  std::vector<std::string> only_rules;  // empty = every rule of the profile
  /// What the subject provides: a rule whose operation it lacks is `skip` at once, with the
  /// reason, and none of its properties runs (a plugin of ABI version 2).
  Operations operations;
  std::function<void(const Progress&)> progress;  // may be empty; called on this thread
};

/// Runs one property; run_suite uses run_property(factory, ...) unless given another one (for
/// example one that runs each property in an isolated worker process).
using PropertyExecutor = std::function<PropertyOutcome(const PropertyDef& def, const RunOptions& options)>;

/// Seed of one property in a run: reproducible from the run seed and the property name.
std::uint64_t property_seed(std::uint64_t run_seed, const std::string& property_name);

/// Runs one property (used by run_suite and by the GoogleTest suite). A target the factory cannot
/// make, or one that fails (Target::failure()) during a case, fails the property with the reason
/// in `target_failure` and at the start of `message`.
PropertyOutcome run_property(TargetFactory& factory, const PropertyDef& def, const RunOptions& options);
RunResult run_suite(TargetFactory& factory, const RunOptions& options);
/// Same, with every property run by `execute` (no factory needed in this process).
RunResult run_suite(const PropertyExecutor& execute, const RunOptions& options);

}  // namespace vmc
