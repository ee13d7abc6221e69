// pattern.cpp - the data a write op writes, derived from its one-byte pattern.
//
// Writes carry a pattern byte instead of data so that sequences stay small and fuzzers
// mutate one byte, yet the data is position-dependent: a write that lands at the wrong
// offset, or a read that returns bytes from the wrong place, shows up as a mismatch.
// Pattern 0 is all zero bytes. The formula is part of format v1 (impl/opseq/FORMAT.md).
#include "vmconform/opseq.hpp"

namespace vmc::opseq {

// Pure arithmetic on the byte index, with no branch worth coverage: under -fsanitize=fuzzer
// its per-byte loop would only feed libFuzzer's comparison tracing (8% of fuzz_sim's time).
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
std::vector<std::uint8_t> pattern_bytes(std::uint8_t pattern, std::uint32_t length) {
  std::vector<std::uint8_t> out(length, 0);
  if (pattern == 0) return out;
  const std::uint32_t step = 2u * pattern + 1u;
  for (std::uint32_t i = 0; i < length; ++i)
    out[i] = static_cast<std::uint8_t>(pattern + step * i + (i >> 8) + (i >> 16));
  return out;
}

}  // namespace vmc::opseq
