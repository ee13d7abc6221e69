// arguments.hpp - the numbers a command line takes, read strictly.
//
// CLI11 alone wraps `--seed -1` to 18446744073709551615, takes `--timeout inf` and silently
// clamps or truncates what does not fit. Options that take numbers are declared as strings and
// read here instead: only the digits (or, for seconds, a finite decimal number) in the range the
// option allows, and anything else is a UsageError saying which option, what it got and what it
// takes. The limits are where a value stops making sense, not where a type overflows.
#pragma once

#include <cstdint>
#include <string>

namespace vmc::cli {

/// --cases: more than this would run for days (and RapidCheck sizes its work by it).
inline constexpr int kMaxCases = 1000000;
/// --depth: each unit is about a second of long sequences per run.
inline constexpr int kMaxDepth = 1000;
/// --timeout: one day.
inline constexpr double kMaxTimeoutSeconds = 86400;
/// --agent-start-attempts: an agent that fails to start this often does not start.
inline constexpr int kMaxAgentStartAttempts = 10;

/// A whole number 0 .. 2^64-1 written in decimal digits (no sign, no spaces).
std::uint64_t parse_u64(const std::string& text, const std::string& option);
/// A whole number min .. max written in decimal digits.
int parse_int(const std::string& text, const std::string& option, int min, int max);
/// A finite number of seconds, > 0 and <= max ("2", "0.5", "1e3").
double parse_seconds(const std::string& text, const std::string& option, double max);

}  // namespace vmc::cli
