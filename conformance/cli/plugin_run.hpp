// plugin_run.hpp - `vmconform run --plugin`: the suite against a plugin, one worker per property.
//
// run_plugin_suite() starts a probe worker that loads and checks the plugin (a plugin that
// cannot be used is a UsageError: exit 2), prints what it found, then runs every selected
// property of the profile in its own worker through run_suite(executor, options) and gives
// each failing rule a reproducer that names the plugin.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vmconform/runner.hpp"

namespace vmc::cli {

struct PluginRunArgs {
  std::string plugin;   // as typed on the command line
  std::string options;  // --plugin-options
  double timeout_seconds = 60;
};

/// `report` receives the "plugin" object of report.json.
RunResult run_plugin_suite(const PluginRunArgs& args, const RunOptions& options, nlohmann::json* report);
/// `vmconform run --plugin PATH ... --rule ID`.
std::string plugin_reproducer(const PluginRunArgs& args, const RunOptions& options, const std::string& rule_id);

}  // namespace vmc::cli
