// arguments.cpp - strict number parsing for the command line (arguments.hpp).
#include "arguments.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "command.hpp"

namespace vmc::cli {
namespace {

std::string shown(const std::string& text) {
  std::string out;
  for (unsigned char c : text.substr(0, 40)) out += c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?';
  return "'" + out + (text.size() > 40 ? "...'" : "'");
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::uint64_t parse_u64(const std::string& text, const std::string& option) {
  const std::string takes = option + " takes a whole number from 0 to 18446744073709551615";
  if (!all_digits(text)) throw UsageError(takes + ", not " + shown(text));
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) throw UsageError(takes + "; " + shown(text) + " is too large");
  return v;
}

int parse_int(const std::string& text, const std::string& option, int min, int max) {
  const std::string takes =
      option + " takes a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!all_digits(text)) throw UsageError(takes + ", not " + shown(text));
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    throw UsageError(takes + "; " + shown(text) + " is out of range");
  return static_cast<int>(v);
}

double parse_seconds(const std::string& text, const std::string& option, double max) {
  const std::string takes = option + " takes a number of seconds greater than 0 and at most " +
                            std::to_string(static_cast<long long>(max)) + " (e.g. 60 or 0.5)";
  // Digits, one point, an exponent: no sign, no "inf", "nan" or hexadecimal.
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos ||
      !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '.'))
    throw UsageError(takes + ", not " + shown(text));
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) throw UsageError(takes + ", not " + shown(text));
  if (!std::isfinite(v) || !(v > 0) || v > max) throw UsageError(takes + "; " + shown(text) + " is out of range");
  return v;
}

}  // namespace vmc::cli
