// reproducer.hpp - the one-line commands that repeat a finding, for every kind of subject.
//
// A failing rule of `vmconform run`, a divergence found by `vmconform replay` or `fuzz`, and a
// long run of bench/ all print a command that reproduces it. They are built here and nowhere
// else, from the run's Subject (run_result.hpp), with one quoting rule (shell_quote), so a
// backend, a plugin and an agent are always named the same way.
#pragma once

#include <string>

#include "vmconform/runner.hpp"

namespace vmc {

/// `s` as one shell word: as it is when it is made of letters, digits and _-./=:,+ only,
/// otherwise in single quotes (an empty string is '').
std::string shell_quote(const std::string& s);
/// A number of seconds as a command line takes it ("2", "0.5").
std::string seconds_text(double seconds);
/// `--backend NAME [--backend-options O]`, `--plugin PATH [--plugin-options O]` or `--agent COMMAND`.
std::string subject_arguments(const Subject& s);
/// `vmconform run SUBJECT --profile P --seed N --cases C [--timeout S] [--quick | --depth N]
/// --rule ID`: the run of `options` restricted to one rule (--timeout for an isolated subject
/// when not the default; the depth when not the default).
std::string reproducer(const RunOptions& options, const std::string& rule_id);
/// `PROGRAM replay FILE SUBJECT --profile P`: one op sequence on the subject (a plugin in a worker).
std::string replay_reproducer(const std::string& file, const Subject& s, Profile profile,
                              const std::string& program = "vmconform");

}  // namespace vmc
