// counterexample.hpp - a property's shrunk counterexample as people read it.
//
// RapidCheck describes a failing case as (description, value) pairs: the description is the
// generator's name when the property named its draw (`*gen.as("pages")`), else a demangled C++
// type ("unsigned int", or for the X-MODEL state machine
// "std::vector<std::shared_ptr<const rc::state::Command<vmc::(anonymous namespace)::SmModel, ...>>>").
// readable_counterexample() turns them into what every report prints (terminal, report.md,
// report.json, baselines, index.html): a state machine's command list becomes op-sequence text
// (impl/opseq/FORMAT.md: the "vmconform-opseq 1" header, then one op per line, ready for
// `vmconform replay`); a named value is `name = value`; an unnamed one `value N = value`, with
// the C++ type only as a hint in parentheses, shortened ("unsigned int", "vector<unsigned char>").
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vmc {

std::string readable_counterexample(const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace vmc
