// app.hpp - the `vmconform` command line as a whole: the subcommands registered with
// VMC_CLI_COMMAND, parsed by CLI11, and the errors every command shares.
//
// main() calls run_command_line; the fuzz target fuzz_cli_inputs calls check_command_line, which
// parses the same way and runs the chosen command's check only (command.hpp).
#pragma once

#include <string>
#include <vector>

namespace vmc::cli {

/// Parses argv, runs the chosen command and returns the exit status; prints every error as one
/// line "vmconform: ..." on stderr (exit 2).
int run_command_line(int argc, char** argv);

/// Parses `args` (without the program name) and checks the chosen command's arguments. Throws
/// CLI::Error for what CLI11 rejects (or --help, --version) and UsageError for the rest.
void check_command_line(const std::vector<std::string>& args);

/// The bash completion script: every command and option of the app, the values of the options
/// that take a known set (option_values, command.hpp).
std::string bash_completion();

}  // namespace vmc::cli
