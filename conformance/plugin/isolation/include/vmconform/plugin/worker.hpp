// worker.hpp - the worker side of plugin isolation: `vmconform worker` (hidden subcommand).
//
// The parent starts the vmconform binary itself as a worker, in its own process group, with
// the request pipe on fd 3 and the message pipe on fd 4 (kRequestFd, kMessageFd); stdout and
// stderr go to a capture pipe. The worker moves the protocol descriptors out of the plugin's
// way, reads one request, loads the plugin, answers "hello", runs the property (or the probe)
// streaming "case" and "step" messages, sends "result" or "error" and exits without running
// the plugin's destructors. It dies with its parent (PR_SET_PDEATHSIG) and never dumps core.
#pragma once

namespace vmc::plugin {

inline constexpr int kRequestFd = 3;
inline constexpr int kMessageFd = 4;

/// Runs one request read from kRequestFd; never returns (exits with 0 after a result or a
/// probe, 2 after an error message, 3 if the parent went away).
[[noreturn]] void run_worker();

}  // namespace vmc::plugin
