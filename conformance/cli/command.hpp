// command.hpp - how a `vmconform` subcommand plugs into the CLI.
//
// Each subcommand lives in its own file and registers itself with VMC_CLI_COMMAND: `add`
// declares its options on the CLI11 subcommand and returns its Action. `check` validates every
// argument and input (numbers, names, the files it reads, whether its outputs can be written)
// without running anything or writing anything, and throws UsageError; `run` does the work (and
// calls `check` first). Checking before running is what keeps a command from failing after a
// long run, or leaving a truncated file behind; the fuzz target fuzz_cli_inputs calls `check`
// alone. Exit codes are shared: 0 nothing failed, 1 a rule failed, 2 usage or setup error (throw
// UsageError with a message that says what is wrong).
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

/// This executable's path, to start `vmconform worker` processes (worker_command.cpp); a
/// UsageError if /proc/self/exe cannot be read.
std::string self_executable();

struct Action {
  std::function<void()> check;  // throws UsageError; no side effects
  std::function<int()> run;     // the exit status
};

struct CommandSpec {
  std::string name;
  std::string help;
  int order;  // position in --help
  /// Declares options on `sub`; returns what to do when the subcommand is chosen.
  std::function<Action(CLI::App& sub)> add;
  /// Its --help ends with these examples ("command  # what it does"), then its exit statuses
  /// (the shared ones when empty) and the profiles.
  std::vector<std::string> examples = {};
  std::string exit_status = {};
};

/// The values an option takes, for the completion script ({} = a file name or free text).
std::vector<std::string> option_values(const std::string& option);

std::vector<CommandSpec>& commands();
bool register_command(CommandSpec spec);

}  // namespace vmc::cli

#define VMC_CLI_COMMAND_CONCAT2(a, b) a##b
#define VMC_CLI_COMMAND_CONCAT(a, b) VMC_CLI_COMMAND_CONCAT2(a, b)
#define VMC_CLI_COMMAND(...)                                                                    \
  [[maybe_unused]] static const bool VMC_CLI_COMMAND_CONCAT(vmc_cli_command_, __LINE__) = \
      ::vmc::cli::register_command(__VA_ARGS__)
