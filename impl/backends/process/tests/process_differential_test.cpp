// process_differential_test.cpp - `process` against the reference model, operation by operation.
//
// Fixed seeds, a few thousand operations each, on a private child. A mismatch prints the
// operation, its arguments, both results and the seed; the statistics check that the sequence
// really exercised allocation at both kinds of address, writes and reads.
#include <cstdlib>

#include <gtest/gtest.h>

#include "process_differential.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

void run_seed(std::uint64_t seed, int operations, const std::string& options = "") {
  auto factory = make_factory("process", options);
  auto target = factory->make();
  auto* process_target = dynamic_cast<ProcessTarget*>(target.get());
  ASSERT_NE(process_target, nullptr);
  ProcessDifferential diff(*process_target, seed);
  const std::string mismatch = diff.run(operations);
  EXPECT_EQ(mismatch, "");
  const DifferentialStats& s = diff.stats();
  std::printf("seed %llu: %d ops, %d allocations (%d at the OS's choice, %d refused for foreign "
              "memory), %d writes, %d reads, %d state checks\n",
              static_cast<unsigned long long>(seed), s.operations, s.successful_allocations,
              s.system_choices, s.occupied, s.successful_writes, s.successful_reads,
              s.state_checks);
  if (!mismatch.empty()) return;
  EXPECT_GT(s.successful_allocations, operations / 20);
  EXPECT_GT(s.system_choices, operations / 100);
  EXPECT_GT(s.successful_writes, operations / 100);
  EXPECT_GT(s.successful_reads, operations / 100);
  EXPECT_EQ(process_target->failure(), "");
}

TEST(ProcessDifferential, Seed1) { run_seed(1, 3000); }
TEST(ProcessDifferential, Seed2) { run_seed(2, 3000); }
TEST(ProcessDifferential, Seed20240607) { run_seed(20240607, 3000); }

// VMC_PROCESS_DIFF_SEEDS=N runs seeds 100..100+N-1 as well (for a longer hunt by hand).
TEST(ProcessDifferential, ExtraSeedsFromEnvironment) {
  const char* n = std::getenv("VMC_PROCESS_DIFF_SEEDS");
  if (n == nullptr) GTEST_SKIP() << "set VMC_PROCESS_DIFF_SEEDS=N to run N more seeds";
  const int count = std::atoi(n);
  for (int i = 0; i < count && !HasFailure(); ++i) run_seed(100 + static_cast<std::uint64_t>(i), 3000);
}

// The same on a process we attached to (its own mappings are the foreign memory).
TEST(ProcessDifferential, AttachedSleepSeed3) {
  SleepProcess sleeper("60");
  ASSERT_TRUE(wait_for_comm(sleeper.pid(), "sleep", std::chrono::milliseconds(5000)));
  run_seed(3, 1500, "pid=" + std::to_string(sleeper.pid()));
  EXPECT_TRUE(sleeper.running());
}

}  // namespace
}  // namespace vmc::process::test

namespace vmc::process::test {
namespace {

// The same comparison finds the raw adapters out: it has teeth.
TEST(ProcessDifferential, FindsEveryRawAdapterOut) {
  for (const char* backend : {"raw-pvwritev", "raw-procmem", "raw-ptrace"}) {
    auto factory = make_factory(backend);
    auto target = factory->make();
    auto* process_target = dynamic_cast<ProcessTarget*>(target.get());
    ASSERT_NE(process_target, nullptr);
    ProcessDifferential diff(*process_target, 1);
    const std::string mismatch = diff.run(3000);
    std::printf("%s: %s\n", backend, mismatch.c_str());
    EXPECT_NE(mismatch.find("WriteVirtual"), std::string::npos) << backend << ": " << mismatch;
  }
}

}  // namespace
}  // namespace vmc::process::test
