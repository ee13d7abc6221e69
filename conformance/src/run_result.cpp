// run_result.cpp - the summary and verdict of a RunResult (vmconform/run_result.hpp).
#include "vmconform/run_result.hpp"

#include <algorithm>

namespace vmc {

std::map<std::string, int> RunResult::summary() const {
  std::map<std::string, int> out{{"pass", 0}, {"fail", 0}, {"xfail", 0}, {"xpass", 0}, {"skip", 0}};
  for (const RuleOutcome& r : rules) ++out[status_name(r.status)];
  return out;
}

int RunResult::rules_applied() const {
  return static_cast<int>(std::count_if(rules.begin(), rules.end(), [](const RuleOutcome& r) { return r.applies; }));
}

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}
}  // namespace

std::string Operations::provided() const {
  std::vector<std::string> names;
  if (write) names.push_back("WriteVirtual");
  if (read) names.push_back("ReadVirtual");
  if (allocate) names.push_back("AllocateVirtualMemory");
  if (free) names.push_back("VirtualFree");
  return joined(names);
}

std::optional<std::string> Operations::missing(const Rule& rule) const {
  const bool has = rule.operation == "WriteVirtual"            ? write
                   : rule.operation == "ReadVirtual"           ? read
                   : rule.operation == "AllocateVirtualMemory" ? allocate
                   : rule.operation == "VirtualFree"           ? free
                                                               : true;
  if (!has) return provided() + " only: " + rule.operation + " not provided";
  // Concurrent calls are ordered only when one implementation makes them all: the suite's
  // arranged or observed calls for the missing operations cannot be linearised with the plugin's.
  if (rule.id == "X-LINEARIZABLE" && !complete())
    return provided() + " only: X-LINEARIZABLE needs every operation from the subject (the suite's calls "
                        "for the missing ones cannot be ordered with the subject's)";
  return std::nullopt;
}

std::string Operations::checked() const {
  return interface.empty() ? provided() : interface + " (" + provided() + ")";
}

bool RunResult::ok() const {
  return std::none_of(rules.begin(), rules.end(),
                      [](const RuleOutcome& r) { return r.status == Status::fail || r.status == Status::xpass; });
}

}  // namespace vmc
