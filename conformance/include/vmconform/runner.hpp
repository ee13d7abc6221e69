// runner.hpp - runs the properties of a profile against one backend and judges each rule.
//
// Used by the `vmconform run` command and by the teeth test. Every property gets fresh
// targets from the factory, a seed derived from the run's seed and the property's name (so
// `--rule X --seed N` reproduces a failure exactly), and a case budget. A rule passes when
// every property of it passed, fails when one failed, and is skipped (with the reason) when
// none could check the backend. A baseline then turns declared failures into xfail.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/property.hpp"

namespace vmc {

struct RunOptions {
  std::string backend;  // as typed on the command line (for reproducers)
  std::string backend_options;
  Profile profile = Profile::win32;
  std::uint64_t seed = 1;
  int cases = 100;
  /// How deep the long-sequence properties go: 0 = --quick (they are skipped), 1 = the default
  /// run, N = N times the default's long sequences (--depth N).
  int depth = 1;
  std::vector<std::string> only_rules;  // empty = every rule of the profile
  std::function<void(const std::string& line)> progress;  // may be empty
};

struct PropertyOutcome;
struct PropertyDef;
/// Runs one property; run_suite uses run_property(factory, ...) unless given another one (for
/// example one that runs each property in an isolated worker process).
using PropertyExecutor = std::function<PropertyOutcome(const PropertyDef& def, const RunOptions& options)>;

enum class Status { pass, fail, xfail, xpass, skip };
std::string status_name(Status s);

struct PropertyOutcome {
  std::string name;
  Status status = Status::pass;
  std::string message;         // failure text or skip reason
  std::string counterexample;  // RapidCheck's shrunk values, one per line
  int cases = 0;
  std::map<std::string, int> distribution;  // RC_TAG / RC_CLASSIFY labels -> count
  /// Why a target of this property could not be made or stopped being usable (Target::failure(),
  /// e.g. "target process 1234 died (signal 9, Killed)"), or "". When set the property fails and
  /// `message` starts with it: its verdict says nothing about conformance.
  std::string target_failure;
  /// The coverage cells its cases reached (conformance/coverage, spec/coverage.md).
  coverage::Counts coverage;
};

struct RuleOutcome {
  std::string id;
  Status status = Status::pass;
  std::string message;
  std::string reproducer;  // a one-line command that reproduces the failure
  std::vector<PropertyOutcome> properties;
};

struct RunResult {
  std::string target;
  Profile profile = Profile::win32;
  std::uint64_t seed = 0;
  int cases = 0;
  double seconds = 0;
  std::vector<RuleOutcome> rules;
  coverage::Counts coverage;  // every property's, merged
  std::map<std::string, int> summary() const;  // status name -> count
  bool ok() const;                             // no fail, no xpass
};

/// Seed of one property in a run: reproducible from the run seed and the property name.
std::uint64_t property_seed(std::uint64_t run_seed, const std::string& property_name);
std::string reproducer(const RunOptions& o, const std::string& rule_id);

/// Runs one property (used by run_suite and by the GoogleTest suite). A target the factory cannot
/// make, or one that fails (Target::failure()) during a case, fails the property with the reason
/// in `target_failure` and at the start of `message`.
PropertyOutcome run_property(TargetFactory& factory, const PropertyDef& def, const RunOptions& options);
RunResult run_suite(TargetFactory& factory, const RunOptions& options);
/// Same, with every property run by `execute` (no factory needed in this process).
RunResult run_suite(const PropertyExecutor& execute, const RunOptions& options);

}  // namespace vmc
