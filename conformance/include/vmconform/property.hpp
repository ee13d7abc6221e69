// property.hpp - how a conformance property is declared and registered.
//
// A property checks one rule. Its body is a RapidCheck property (it draws values with
// *gen and fails with the helpers of calls.hpp) that receives a fresh target of the backend
// under test for every case. VMC_PROPERTY registers it under its rule ID and a CamelCase
// name that starts with the rule ID (WV-ATOMIC -> WvAtomic...), which is also its GoogleTest
// name. The registry is read by the gtest suite, the CLI and the lint test.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/coverage.hpp"
#include "vmconform/target.hpp"

namespace vmc {

struct CaseEnv {
  Target& target;
  Profile profile;
  const std::string& rule;
  std::uint32_t page;         // target.page_size()
  std::uint32_t granularity;  // target.allocation_granularity()
  /// Where the property counts the coverage cells it reaches, when it counts them itself
  /// (PropertyDef::counts_own_coverage); otherwise `target` counts every call already.
  coverage::Counts* coverage = nullptr;
  /// RunOptions::depth (1 in the default run).
  int depth = 1;
  /// Makes another fresh target of the same backend (to re-run a shortened sequence); may be empty.
  std::function<std::unique_ptr<Target>()> fresh_target;
  /// Call before failing when threads were left inside `target` (a hang): the runner then never
  /// destroys it (it is leaked, as the threads are).
  std::function<void()> abandon_target;
};

struct PropertyDef {
  std::string rule;     // a rule ID from spec/rules.json
  std::string name;     // GoogleTest-safe CamelCase name, starts with rule_test_prefix(rule)
  std::string summary;  // one line: what the property exercises
  /// Returns a reason when the property cannot check this target (the rule is then `skip`).
  std::function<std::optional<std::string>(Target&)> skip_reason;
  std::function<void(CaseEnv&)> body;
  /// The property counts its coverage itself (through vmc::Differential, which sees the model
  /// beside the target); the others get a coverage::ShadowTarget that counts their calls.
  bool counts_own_coverage = false;
  /// A long-sequence property: it runs `long_cases` x depth cases instead of the run's case count,
  /// and is skipped at depth 0 (--quick).
  int long_cases = 0;
};

const std::vector<PropertyDef>& properties();
bool register_property(PropertyDef def);

/// Skip reason helpers for PropertyDef::skip_reason.
std::optional<std::string> needs_fault_injection(Target& t);
std::optional<std::string> needs_query(Target& t);

}  // namespace vmc

#define VMC_PROPERTY_IMPL(RULE, NAME, SUMMARY, SKIP, OWN_COVERAGE, LONG_CASES)                           \
  static void vmc_property_##NAME(::vmc::CaseEnv& env);                                                      \
  [[maybe_unused]] static const bool vmc_property_registered_##NAME =                                        \
      ::vmc::register_property({RULE, #NAME, SUMMARY, SKIP, &vmc_property_##NAME, OWN_COVERAGE, LONG_CASES}); \
  static void vmc_property_##NAME([[maybe_unused]] ::vmc::CaseEnv& env)

/// VMC_PROPERTY("WV-ATOMIC", WvAtomicFailedWriteChangesNothing, "summary") { ...body... }
#define VMC_PROPERTY(RULE, NAME, SUMMARY) VMC_PROPERTY_IMPL(RULE, NAME, SUMMARY, nullptr, false, 0)
/// Same, with a skip-reason function (needs_fault_injection, needs_query, or a lambda).
#define VMC_PROPERTY_IF(RULE, NAME, SUMMARY, SKIP) VMC_PROPERTY_IMPL(RULE, NAME, SUMMARY, SKIP, false, 0)
/// A property that runs ops through vmc::Differential and counts coverage there (env.coverage).
#define VMC_MODEL_PROPERTY(RULE, NAME, SUMMARY) VMC_PROPERTY_IMPL(RULE, NAME, SUMMARY, nullptr, true, 0)
/// A model property over long sequences: CASES x depth cases, none with --quick.
#define VMC_LONG_MODEL_PROPERTY(RULE, NAME, SUMMARY, CASES) \
  VMC_PROPERTY_IMPL(RULE, NAME, SUMMARY, nullptr, true, CASES)
