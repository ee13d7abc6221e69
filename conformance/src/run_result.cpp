// run_result.cpp - the summary and verdict of a RunResult (vmconform/run_result.hpp).
#include "vmconform/run_result.hpp"

#include <algorithm>

namespace vmc {

std::map<std::string, int> RunResult::summary() const {
  std::map<std::string, int> out{{"pass", 0}, {"fail", 0}, {"xfail", 0}, {"xpass", 0}, {"skip", 0}};
  for (const RuleOutcome& r : rules) ++out[status_name(r.status)];
  return out;
}

bool RunResult::ok() const {
  return std::none_of(rules.begin(), rules.end(),
                      [](const RuleOutcome& r) { return r.status == Status::fail || r.status == Status::xpass; });
}

}  // namespace vmc
