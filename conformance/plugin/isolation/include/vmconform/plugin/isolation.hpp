// isolation.hpp - the parent side of plugin isolation: one worker process per property.
//
// probe_plugin() starts a worker that loads the plugin, checks its table, opens a target and
// finds out where targets live; any problem is a SetupError (exit 2). run_isolated() is the
// PropertyExecutor of `run --plugin`: it starts a fresh worker (a clean address space, so a
// property's outcome depends only on its seed), sends the request and follows the messages
// until the result. A worker that dies by a signal, exits without a result, sends a malformed
// message or outlives the timeout becomes a `fail` outcome of that property, with the signal or
// the timeout, the number of the target being tested, the step it was executing, the calls of
// that case (op-sequence text) as the counterexample and the end of the worker's output; the
// run then goes on with the next property. An agent target (another process speaking a
// protocol) will be run the same way: a WorkerProcess per property, this timeout, these verdicts.
#pragma once

#include <stdexcept>
#include <string>

#include "vmconform/property.hpp"
#include "vmconform/runner.hpp"

namespace vmc::plugin {

struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct IsolationConfig {
  std::string worker_exe;  // the vmconform binary (/proc/self/exe)
  std::string plugin;      // path of the plugin
  std::string options;     // --plugin-options
  double timeout_seconds = 60;
};

/// Throws SetupError with a message that says what is wrong with the plugin.
PluginInfo probe_plugin(const IsolationConfig& config);
PropertyOutcome run_isolated(const IsolationConfig& config, const PropertyDef& def, const RunOptions& options);

}  // namespace vmc::plugin
