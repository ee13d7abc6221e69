// process_differential_test.cpp - `process` against the reference model, operation by operation.
//
// Fixed seeds, a few thousand operations each, on a private child. A mismatch prints the
// operation, its arguments, both results and the seed; the statistics check that the sequence
// really exercised allocation at both kinds of address, writes and reads.
#include <gtest/gtest.h>

#include "process_differential.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

void run_seed(std::uint64_t seed, int operations) {
  auto factory = make_factory("process");
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
