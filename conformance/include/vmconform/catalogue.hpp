// catalogue.hpp - the rule catalogue, read from spec/rules.json (the single source of truth).
//
// The build embeds spec/rules.json into the library; tests, the lint check, the CLI and the
// reports all take rule IDs, texts and profiles from here, so nothing is typed twice.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmc {

enum class Profile { documented, win32 };
std::string profile_name(Profile p);
std::optional<Profile> parse_profile(const std::string& name);

struct Rule {
  std::string id;         // e.g. "WV-ATOMIC"; stable forever
  std::string operation;  // WriteVirtual, ReadVirtual, AllocateVirtualMemory, VirtualFree, all
  std::string layer;      // "COM wrapper" or "Win32"
  std::vector<std::string> profiles;
  std::string source;
  std::string text;  // one testable sentence
  bool in(Profile p) const;
};

/// Every rule, in catalogue order. Throws std::runtime_error if the embedded JSON is malformed.
const std::vector<Rule>& rules();
const Rule* find_rule(const std::string& id);
std::string profile_description(Profile p);
/// "WV-ATOMIC" -> "WvAtomic": the prefix every test name of the rule starts with.
std::string rule_test_prefix(const std::string& id);

}  // namespace vmc
