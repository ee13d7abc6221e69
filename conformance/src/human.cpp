// human.cpp - durations and counts for people (vmconform/human.hpp).
#include "vmconform/human.hpp"

#include <cmath>
#include <cstdio>

namespace vmc {

std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char b[64];
  if (s < 0.01) {
    std::snprintf(b, sizeof b, "%.1f ms", s * 1e3);
  } else if (s < 1) {
    std::snprintf(b, sizeof b, "%.0f ms", s * 1e3);
  } else if (s < 10) {
    std::snprintf(b, sizeof b, "%.1f s", s);
  } else if (s < 60) {
    std::snprintf(b, sizeof b, "%.0f s", s);
  } else if (s < 3600) {
    const auto t = static_cast<long long>(std::llround(s));
    std::snprintf(b, sizeof b, "%lld min %02lld s", t / 60, t % 60);
  } else {
    const auto t = static_cast<long long>(std::llround(s / 60));
    std::snprintf(b, sizeof b, "%lld h %02lld min", t / 60, t % 60);
  }
  std::string out = b;
  if (out == "1000 ms") out = "1.0 s";
  if (out == "60 s") out = "1 min 00 s";
  return out;
}

std::string count_text(std::uint64_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural.empty() ? singular + "s" : plural);
}

}  // namespace vmc
