// mutants.hpp - deliberately broken targets that prove the suite has teeth.
//
// Each mutant wraps a correct reference model and breaks exactly one rule, the way real
// implementations break it (a partial write, a phantom success, a missing zero-fill...). The
// teeth test runs the suite against every mutant and requires its rule to fail; the CLI
// exposes them as backends named "mutant:<name>".
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/target.hpp"

namespace vmc {

struct MutantInfo {
  std::string name;         // kebab-case, e.g. "partial-write"
  std::string rule;         // the rule it breaks, e.g. "WV-ATOMIC"
  std::string description;  // the bug, in one sentence
  /// Profiles in which the mutant must be caught ("documented" and/or "win32").
  std::vector<std::string> profiles;
  /// Builds a fresh mutant target; `seed` seeds the wrapped reference model.
  std::function<std::unique_ptr<Target>(std::uint64_t seed)> make;
};

const std::vector<MutantInfo>& mutants();
const MutantInfo* find_mutant(const std::string& name);

}  // namespace vmc
