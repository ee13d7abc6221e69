// list_commands.cpp - `vmconform list-rules` and `vmconform list-backends`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"

namespace vmc::cli {
namespace {

int list_rules(const std::string& profile, bool json) {
  std::optional<vmc::Profile> p;
  if (!profile.empty()) {
    p = vmc::parse_profile(profile);
    if (!p) throw UsageError("unknown profile '" + profile + "' (expected documented or win32)");
  }
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

int list_backends() {
  for (const auto& b : vmc::registered_backends())
    std::cout << b.name << (b.in_default_suite ? "" : "  (not in the default suite)") << "\n    " << b.description << "\n";
  return 0;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"list-rules", "List the rules of spec/rules.json", 10, [](CLI::App& lr) -> std::function<int()> {
  auto profile = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  lr.add_option("--profile", *profile, "Only the rules of this profile (documented or win32)");
  lr.add_flag("--json", *json, "Print JSON");
  return [profile, json] { return list_rules(*profile, *json); };
}});

VMC_CLI_COMMAND(CommandSpec{"list-backends", "List the built-in backends", 20,
                            [](CLI::App&) -> std::function<int()> { return [] { return list_backends(); }; }});

}  // namespace vmc::cli
