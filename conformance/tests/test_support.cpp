// test_support.cpp - environment knobs and failure reporting for the GoogleTest executables.
#include "test_support.hpp"

#include <cctype>
#include <cstdlib>

namespace vmc::testing_support {

std::uint64_t seed_from_env() {
  const char* s = std::getenv("VMCONFORM_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 1;
}

int cases_from_env(int fallback) {
  const char* s = std::getenv("VMCONFORM_CASES");
  const int n = s ? std::atoi(s) : fallback;
  return n > 0 ? n : fallback;
}

std::string camel(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

void report_outcome(const PropertyOutcome& o, const std::string& reproducer_line) {
  if (o.status == Status::skip) GTEST_SKIP() << o.message;
  if (o.status == Status::fail)
    ADD_FAILURE() << o.message << "\ncounterexample:\n" << o.counterexample << "reproduce: " << reproducer_line;
}

}  // namespace vmc::testing_support
