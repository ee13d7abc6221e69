// worker_command.cpp - `vmconform worker`: the hidden subcommand a plugin run starts once per
// property (conformance/plugin/, vmconform/plugin/worker.hpp). It takes no options: its request
// arrives on fd 3.
#include "command.hpp"
#include "vmconform/plugin/worker.hpp"

namespace vmc::cli {

VMC_CLI_COMMAND(CommandSpec{"worker", "Internal: runs one property of a plugin in isolation (started by run --plugin)",
                            90, [](CLI::App& sub) -> Action {
  sub.group("");  // hidden from --help
  return Action{[] {}, []() -> int { vmc::plugin::run_worker(); }};
}});

}  // namespace vmc::cli
