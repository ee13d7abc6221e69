// isolation.hpp - the parent side of plugin isolation: one worker process per property.
//
// probe_plugin() starts a worker that loads the plugin, checks its table, opens a target and
// finds out where targets live; a plugin the loader refuses, or a probe that times out, is a
// SetupError (exit 2); a probe the plugin crashed (a signal, an exit, garbage on the protocol
// pipe) is a ProbeCrashed, which `run` reports per rule like any other crash. run_isolated() is the
// PropertyExecutor of `run --plugin`: it starts a fresh worker (a clean address space, so a
// property's outcome depends only on its seed), sends the request and follows the messages
// until the result. A worker that dies by a signal, exits without a result, sends a malformed
// message or outlives the timeout becomes a `fail` outcome of that property, with the signal or
// the timeout, the number of the target being tested, the step it was executing, the calls of
// that case (op-sequence text) as the counterexample and the end of the worker's output; the
// run then goes on with the next property. An agent target (another process speaking a
// protocol) will be run the same way: a WorkerProcess per property, this timeout, these verdicts.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vmconform/plugin/protocol.hpp"
#include "vmconform/property.hpp"
#include "vmconform/runner.hpp"

namespace vmc::plugin {

struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The plugin crashed the probe's worker after it was loaded: not a setup error of the user's,
/// a finding (every property then runs, and reports the crash, in its own worker).
struct ProbeCrashed : SetupError {
  using SetupError::SetupError;
};

struct IsolationConfig {
  std::string worker_exe;  // the vmconform binary (/proc/self/exe)
  std::string plugin;      // path of the plugin
  std::string options;     // --plugin-options
  double timeout_seconds = 60;
  bool no_capture = false;  // show what the plugin prints (on stderr) as well as keeping its end
};

/// Throws SetupError (or ProbeCrashed) with a message that says what is wrong with the plugin.
PluginInfo probe_plugin(const IsolationConfig& config);
PropertyOutcome run_isolated(const IsolationConfig& config, const PropertyDef& def, const RunOptions& options);

/// What became of a replayed sequence: the worker's verdict, or why there is none.
struct ReplayVerdict {
  std::optional<Replayed> replayed;  // the worker ran the sequence to its verdict
  std::string failure;               // otherwise: the crash, exit, timeout or malformed message, and where
  std::vector<std::string> calls;    // the calls the worker announced before it failed (op-sequence text)
};
/// Runs `sequence` (op-sequence text) in a worker; a plugin the loader refuses is a SetupError.
ReplayVerdict replay_isolated(const IsolationConfig& config, const std::string& sequence, Profile profile);

}  // namespace vmc::plugin
