// outcome.hpp - what running one property yields (PropertyOutcome), and its one JSON encoding.
//
// outcome_json() is the property object of report.json (spec/report-schema.md) and the
// "outcome" of the plugin worker protocol's result message (conformance/plugin/PROTOCOL.md):
// name, status and cases always; message, counterexample, distribution and coverage when not
// empty.
// outcome_from_json() reads that object back strictly, for the protocol, whose worker may have
// been corrupted by the plugin it hosts: a missing or mistyped field, a count out of range or a
// status a property cannot have (only pass, fail and skip) is a FieldError naming the problem.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "vmconform/coverage.hpp"

namespace vmc {

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
  /// `message` starts with it: its verdict says nothing about conformance. Not encoded: the
  /// message already says it.
  std::string target_failure;
  /// The coverage cells its cases reached (conformance/coverage, spec/coverage.md); encoded as
  /// "coverage": {"cells": {id: count} (reached cells only), "unreachable": {id: why}}.
  coverage::Counts coverage;
  /// An agent's starts that failed before it answered hello and were followed by another start
  /// (--agent-start-attempts), each failure's text, in order; encoded as "agent_start_failures"
  /// when not empty. No case ran on those starts, so the verdict does not depend on them.
  std::vector<std::string> agent_start_failures;
};

nlohmann::json outcome_json(const PropertyOutcome& o);
/// Throws FieldError (vmconform/json_fields.hpp).
PropertyOutcome outcome_from_json(const nlohmann::json& j);

}  // namespace vmc
