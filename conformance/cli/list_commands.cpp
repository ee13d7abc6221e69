// list_commands.cpp - `vmconform list-rules` and `vmconform list-backends` (real backends first,
// the mutants only with --all; --json for scripts).
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/human.hpp"

namespace vmc::cli {
namespace {

std::optional<vmc::Profile> check_profile(const std::string& profile) {
  if (profile.empty()) return std::nullopt;
  const auto p = vmc::parse_profile(profile);
  if (!p) throw UsageError("unknown profile '" + profile + "' (expected documented or win32)");
  return p;
}

int list_rules(const std::string& profile, bool json) {
  const std::optional<vmc::Profile> p = check_profile(profile);
  nlohmann::json out = nlohmann::json::array();
  for (const vmc::Rule& r : vmc::rules()) {
    if (p && !r.in(*p)) continue;
    if (json) {
      out.push_back({{"id", r.id}, {"operation", r.operation}, {"layer", r.layer}, {"profiles", r.profiles},
                     {"source", r.source}, {"text", r.text}});
    } else {
      std::string profiles;
      for (const auto& pr : r.profiles) profiles += (profiles.empty() ? "" : ",") + pr;
      std::cout << r.id << "  [" << profiles << "]  " << r.text << "\n";
    }
  }
  if (json) std::cout << out.dump(2) << "\n";
  return 0;
}

bool is_mutant(const vmc::BackendInfo& b) { return b.name.rfind("mutant:", 0) == 0; }

/// Real backends first (the default suite's, then the others), mutants last and only with --all.
std::vector<vmc::BackendInfo> backends_in_order(bool all) {
  std::vector<vmc::BackendInfo> out;
  for (int pass = 0; pass < 3; ++pass)
    for (const auto& b : vmc::registered_backends()) {
      const int kind = is_mutant(b) ? 2 : b.in_default_suite ? 0 : 1;
      if (kind == pass && (all || kind < 2)) out.push_back(b);
    }
  return out;
}

int list_backends(bool all, bool json) {
  const auto backends = backends_in_order(all);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : backends)
      out.push_back({{"name", b.name},
                     {"kind", is_mutant(b) ? "mutant" : "backend"},
                     {"description", b.description},
                     {"in_default_suite", b.in_default_suite},
                     {"takes_options", b.takes_options}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::size_t mutants = 0;
  for (const auto& b : vmc::registered_backends()) mutants += is_mutant(b);
  bool heading = false;
  for (const auto& b : backends) {
    if (is_mutant(b) && !heading) {
      std::cout << "\n  mutants (the reference model with one deliberate bug each; the teeth test requires each "
                   "to be caught):\n";
      heading = true;
    }
    std::cout << b.name << (b.in_default_suite ? "" : is_mutant(b) ? "" : "  (not in the default suite)") << "\n    "
              << b.description << "\n";
  }
  // Only backend names start a line (scripts take the first word of those lines).
  if (!all) std::cout << "\n  and " << vmc::count_text(mutants, "mutant") << ": vmconform list-backends --all\n";
  return 0;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"list-rules", "List the rules of spec/rules.json", 10, [](CLI::App& lr) -> Action {
  auto profile = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  lr.add_option("--profile", *profile, "Only the rules of this profile (documented or win32)");
  lr.add_flag("--json", *json, "Print JSON");
  return Action{[profile] { check_profile(*profile); }, [profile, json] { return list_rules(*profile, *json); }};
},
    {"vmconform list-rules --profile win32", "vmconform list-rules --json"},
    "  0  listed\n  2  usage error: an unknown profile or option"});

VMC_CLI_COMMAND(CommandSpec{"list-backends", "List the built-in backends (mutants with --all)", 20,
                            [](CLI::App& lb) -> Action {
  auto all = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  lb.add_flag("--all", *all, "Also list the mutants (mutant:NAME), the reference model with one bug each");
  lb.add_flag("--json", *json, "Print JSON: name, kind, description, in_default_suite, takes_options");
  return Action{[] {}, [all, json] { return list_backends(*all, *json); }};
},
    {"vmconform list-backends", "vmconform list-backends --all --json"},
    "  0  listed\n  2  usage error (an unknown option)"});

}  // namespace vmc::cli
