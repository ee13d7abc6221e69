// splitmix64.hpp - SplitMix64 (Steele, Lea, Flood 2014), the seeded generator of the generated
// op blocks (the coverage sweep, the concurrent workload): what they draw depends on nothing but
// their seed, on every compiler and machine.
#pragma once

#include <cstdint>

namespace vmc {

struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform-ish in [0, n) (0 when n is 0).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  /// In [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
};

}  // namespace vmc
