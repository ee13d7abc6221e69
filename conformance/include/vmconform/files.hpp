// files.hpp - reading the files a command is given and writing the files it makes, safely.
//
// An input (a report, a baseline, an op sequence) is read only if it is a regular file, and
// never beyond a cap: `--baseline /dev/zero` or a named pipe is an error, not a hang. An output
// is written to a temporary file beside it and renamed over the destination, so a command that
// fails, or is killed, never leaves a truncated file where a good one was. check_output_file and
// check_output_dir say before a run whether its outputs can be written, so that a run never
// fails at its end because of a typo in a path.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace vmc {

struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The whole content of `path`; `what` names it in errors ("report", "baseline"). Throws
/// FileError when it does not exist, is not a regular file, cannot be read or holds more than
/// `max_bytes` bytes.
std::string read_input_file(const std::string& path, const std::string& what, std::size_t max_bytes);

/// Writes `content` to `path` through a temporary file in the same directory and a rename; the
/// previous content stays intact if anything fails. Throws FileError.
void write_file_atomically(const std::string& path, const std::string& content);

/// Throws FileError unless `path` can be created or replaced as a file: not empty, not a
/// directory, and in an existing directory this process may write into. `option` names it.
void check_output_file(const std::string& path, const std::string& option);
/// Throws FileError unless `path` is a directory this process may write into, or can be created
/// (its nearest existing ancestor is such a directory). `option` names it.
void check_output_dir(const std::string& path, const std::string& option);

}  // namespace vmc
