// fuzz_baseline.cpp - libFuzzer target for the baseline parser (vmc::parse_baseline,
// vmconform-baseline/1): on arbitrary text it returns a baseline or throws std::runtime_error
// with a message; any other exception, or a crash, is a bug.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "vmconform/baseline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const vmc::Baseline b = vmc::parse_baseline(text, "fuzz-input");
    for (const vmc::BaselineEntry& e : b.expected_failures)
      if (e.rule.empty()) throw std::logic_error("accepted an entry without a rule");
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).empty()) {
      std::fprintf(stderr, "==vmconform== parse_baseline threw std::runtime_error without a message\n");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "==vmconform== parse_baseline threw something other than std::runtime_error: %s\n", e.what());
    std::abort();
  }
  return 0;
}
