// legal_variants.hpp - implementations that make a choice the documents leave open differently
// from the reference model: the soundness test (variants_test.cpp) requires each to pass.
//
// Every decision of spec/profiles.md that leaves an implementation a choice has a variant here
// that takes the other branch (a short read, execute-only pages, a one-shot guard, another order
// of argument checks...). A variant is a reference model behind the mutants' forwarding wrapper
// with one behaviour changed, exactly like a mutant, except that it breaks no rule of the profiles
// it lists. Its `probe` calls it the way the choice shows and returns a transcript; the test
// requires the transcript to differ from the unmodified model's, which proves the variant really
// takes the other branch (a variant identical to the model would prove nothing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/target.hpp"

namespace vmc::legal_variants {

struct LegalVariant {
  std::string name;      // kebab-case, e.g. "execute-only"
  std::string decision;  // the decision of spec/profiles.md whose other branch it takes
  std::string description;
  /// Profiles in which the whole suite must pass. A profile not listed pins the model's branch:
  /// there the suite must fail (at least one rule), or the choice would not be pinned at all.
  std::vector<Profile> legal_in;
  std::function<std::unique_ptr<Target>(std::uint64_t seed)> make;
  /// Calls a fresh target where the choice shows; returns what it saw, one line per call.
  std::function<std::string(Target&)> probe;
};

const std::vector<LegalVariant>& variants();

}  // namespace vmc::legal_variants
