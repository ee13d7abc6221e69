// command.hpp - how a `vmconform` subcommand plugs into the CLI.
//
// Each subcommand lives in its own file and registers itself with VMC_CLI_COMMAND: `add`
// declares its options on the CLI11 subcommand and returns the function to run when it was
// chosen. Exit codes are shared: 0 nothing failed, 1 a rule failed, 2 usage or setup error
// (throw UsageError with a message that says what is wrong).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vmc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommandSpec {
  std::string name;
  std::string help;
  int order;  // position in --help
  /// Declares options on `sub`; returns the action run when the subcommand is chosen.
  std::function<std::function<int()>(CLI::App& sub)> add;
};

std::vector<CommandSpec>& commands();
bool register_command(CommandSpec spec);

}  // namespace vmc::cli

#define VMC_CLI_COMMAND_CONCAT2(a, b) a##b
#define VMC_CLI_COMMAND_CONCAT(a, b) VMC_CLI_COMMAND_CONCAT2(a, b)
#define VMC_CLI_COMMAND(...)                                                                    \
  [[maybe_unused]] static const bool VMC_CLI_COMMAND_CONCAT(vmc_cli_command_, __LINE__) = \
      ::vmc::cli::register_command(__VA_ARGS__)
