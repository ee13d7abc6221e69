// outcome.cpp - status names and the JSON encoding of a property outcome (vmconform/outcome.hpp).
#include "vmconform/outcome.hpp"

#include "vmconform/json_fields.hpp"

namespace vmc {

std::string status_name(Status s) {
  switch (s) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    case Status::xfail: return "xfail";
    case Status::xpass: return "xpass";
    case Status::skip: return "skip";
  }
  return "?";
}

nlohmann::json outcome_json(const PropertyOutcome& o) {
  nlohmann::json j{{"name", o.name}, {"status", status_name(o.status)}, {"cases", o.cases}};
  if (!o.message.empty()) j["message"] = o.message;
  if (!o.counterexample.empty()) j["counterexample"] = o.counterexample;
  if (!o.distribution.empty()) j["distribution"] = o.distribution;
  if (nlohmann::json c = o.coverage.compact_json(); !c.empty()) j["coverage"] = std::move(c);
  if (!o.agent_start_failures.empty()) j["agent_start_failures"] = o.agent_start_failures;
  return j;
}

PropertyOutcome outcome_from_json(const nlohmann::json& oj) {
  using nlohmann::json;
  const JsonFields j{oj, "the outcome of a result"};
  PropertyOutcome o;
  o.name = j.str("name");
  const std::string status = j.str("status");
  if (status == "pass") o.status = Status::pass;
  else if (status == "fail") o.status = Status::fail;
  else if (status == "skip") o.status = Status::skip;
  else throw FieldError("a result with status \"" + status + "\" (expected pass, fail or skip)");
  o.cases = j.count("cases");
  if (j.has("message")) o.message = j.str("message");
  if (j.has("counterexample")) o.counterexample = j.str("counterexample");
  if (j.has("distribution"))
    for (const auto& [label, count] : j.field("distribution", json::value_t::object).items())
      o.distribution[label] = json_count(count, "a distribution count");
  if (j.has("coverage")) {
    const JsonFields c{j.field("coverage", json::value_t::object), "the coverage of a result"};
    if (c.has("cells"))
      for (const auto& [id, count] : c.field("cells", json::value_t::object).items()) {
        const auto i = coverage::cell_index(id);
        if (!i) throw FieldError("a coverage count of unknown cell \"" + id + "\"");
        o.coverage.hits[*i] = static_cast<std::uint64_t>(json_count(count, "a coverage count"));
      }
    if (c.has("unreachable"))
      for (const auto& [id, why] : c.field("unreachable", json::value_t::object).items()) {
        if (!coverage::cell_index(id)) throw FieldError("an unreachable cell \"" + id + "\" that does not exist");
        if (!why.is_string()) throw FieldError("the reason cell " + id + " is unreachable is not a string");
        o.coverage.unreachable[id] = why.get<std::string>();
      }
  }
  if (j.has("agent_start_failures"))
    for (const json& f : j.field("agent_start_failures", json::value_t::array)) {
      if (!f.is_string()) throw FieldError("an agent start failure that is not a string");
      o.agent_start_failures.push_back(f.get<std::string>());
    }
  return o;
}

}  // namespace vmc
