// shard.hpp - one share of a profile's rules, so that N CI jobs together run every rule once.
//
// Shard I/N holds the rules of the profile whose index in catalogue order satisfies
// index % N == I-1. A sharded run records its shard in the RunResult, and the reports say so.
#pragma once

#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"

namespace vmc {

struct Shard {
  int index = 1;  // 1-based
  int count = 1;
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

/// "I/N" with 1 <= I <= N; throws std::invalid_argument with a message that says what is wrong.
Shard parse_shard(const std::string& text);
/// The rule IDs of the shard, in catalogue order, restricted to `only` when it is not empty.
std::vector<std::string> shard_rules(const Shard& shard, Profile profile, const std::vector<std::string>& only);

}  // namespace vmc
