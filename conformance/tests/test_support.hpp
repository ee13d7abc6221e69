// test_support.hpp - helpers shared by the GoogleTest executables of the conformance suite.
//
// The suite's tests are registered at run time (one per backend x profile x property), so that
// a backend or property added later is tested without new test code. Seeds and case counts
// come from VMCONFORM_SEED and VMCONFORM_CASES (defaults: 1 and 100), and every failure
// message ends with the one-line reproducer.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "vmconform/runner.hpp"

namespace vmc::testing_support {

std::uint64_t seed_from_env();
int cases_from_env(int fallback = 100);
/// "raw-pvwritev" -> "RawPvwritev", "mutant:partial-write" -> "MutantPartialWrite".
std::string camel(const std::string& name);
/// Fails the current test with the outcome's message, counterexample and reproducer.
void report_outcome(const PropertyOutcome& outcome, const std::string& reproducer_line);

}  // namespace vmc::testing_support
