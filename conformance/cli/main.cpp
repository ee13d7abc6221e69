// main.cpp - the `vmconform` command: dispatches to the subcommands registered with
// VMC_CLI_COMMAND (list-rules, list-backends, run, baseline, ...).
//
// Exit codes: 0 when nothing failed, 1 when a rule failed (or an expected failure passed),
// 2 for a usage or setup error, always with a message saying what is wrong.
#include <algorithm>
#include <iostream>

#include "command.hpp"

namespace vmc::cli {

std::vector<CommandSpec>& commands() {
  static std::vector<CommandSpec> all;
  return all;
}

bool register_command(CommandSpec spec) {
  commands().push_back(std::move(spec));
  return true;
}

}  // namespace vmc::cli

int main(int argc, char** argv) {
  using namespace vmc::cli;
  CLI::App app{"vmconform: conformance and fuzzing suite for WriteVirtual, AllocateVirtualMemory and VirtualFree"};
  app.require_subcommand(1);
  auto specs = commands();
  std::sort(specs.begin(), specs.end(), [](const CommandSpec& a, const CommandSpec& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
  for (const CommandSpec& spec : specs) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    actions.emplace_back(sub, spec.add(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vmconform: " << e.what() << "\n(run vmconform --help)\n";
    return kExitUsage;
  }
  try {
    for (auto& [sub, action] : actions)
      if (*sub) return action();
  } catch (const UsageError& e) {
    std::cerr << "vmconform: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "vmconform: setup error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
