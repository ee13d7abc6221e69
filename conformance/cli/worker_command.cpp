// worker_command.cpp - `vmconform worker`: the hidden subcommand a plugin run starts once per
// property (conformance/plugin/, vmconform/plugin/worker.hpp). It takes no options: its request
// arrives on fd 3. self_executable() is how `run --plugin` and `replay --plugin` find it.
#include <unistd.h>

#include <climits>

#include "command.hpp"
#include "vmconform/plugin/worker.hpp"

namespace vmc::cli {

std::string self_executable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw UsageError("cannot find the vmconform executable (/proc/self/exe) to start workers");
  return std::string(path, static_cast<std::size_t>(n));
}

VMC_CLI_COMMAND(CommandSpec{"worker", "Internal: runs one property of a plugin in isolation (started by run --plugin)",
                            90, [](CLI::App& sub) -> Action {
  sub.group("");  // hidden from --help
  return Action{[] {}, []() -> int { vmc::plugin::run_worker(); }};
}});

}  // namespace vmc::cli
