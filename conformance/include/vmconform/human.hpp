// human.hpp - numbers as people read them: durations ("3.3 ms", "1.2 s", "2 min 05 s") and counts
// with their noun ("1 rule", "40 rules").
//
// Every text meant for a person (the terminal, report.md, index.html) formats durations and
// counts here; machine formats (report.json, junit.xml) keep plain numbers.
#pragma once

#include <cstdint>
#include <string>

namespace vmc {

/// 0.0033 -> "3.3 ms", 0.034 -> "34 ms", 1.234 -> "1.2 s", 12.3 -> "12 s", 125 -> "2 min 05 s",
/// 3725 -> "1 h 02 min"; negative or not finite -> "?".
std::string duration_text(double seconds);
/// count_text(1, "rule") -> "1 rule", count_text(2, "rule") -> "2 rules"; `plural` when the
/// plural is not singular + "s" ("property", "properties").
std::string count_text(std::uint64_t n, const std::string& singular, const std::string& plural = "");

}  // namespace vmc
