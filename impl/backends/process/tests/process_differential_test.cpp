// process_differential_test.cpp - `process` against the reference model, operation by operation.
//
// Fixed seeds, a few thousand ops each from the suite's generators, through the suite's checker
// with the host table and every region compared along the way (region_table_differential.hpp),
// on a private child and on a process we attached to (whose own mappings are the foreign memory).
// The same comparison finds every raw WriteVirtual adapter out: it has teeth.
#include <cstdlib>

#include <gtest/gtest.h>

#include <algorithm>

#include "process_target.hpp"
#include "process_test_support.hpp"
#include "region_table_differential.hpp"
#include "vmconform/baseline.hpp"

namespace vmc::process::test {
namespace {

vmc::test::DifferentialRun run_seed(const std::string& backend, std::uint64_t seed, std::size_t ops,
                                    const std::string& options = "") {
  auto factory = make_factory(backend, options);
  auto target = factory->make();
  auto* process_target = dynamic_cast<ProcessTarget*>(target.get());
  EXPECT_NE(process_target, nullptr);
  if (process_target == nullptr) return {};
  vmc::test::DifferentialRun run = vmc::test::run_random_sequence(*process_target, seed, ops);
  EXPECT_EQ(process_target->failure(), "");
  return run;
}

void expect_match(std::uint64_t seed, std::size_t ops, const std::string& options = "") {
  const vmc::test::DifferentialRun run = run_seed("process", seed, ops, options);
  EXPECT_EQ(run.failure, "");
  std::printf("seed %llu: %zu ops, %zu reservations, %d successful writes, %d successful reads\n",
              static_cast<unsigned long long>(seed), ops, run.reservations,
              run.tally.count("write S_OK") ? run.tally.at("write S_OK") : 0,
              run.tally.count("read S_OK") ? run.tally.at("read S_OK") : 0);
  if (!run.failure.empty()) return;
  EXPECT_GT(run.reservations, ops / 20);
  EXPECT_GT(run.tally.count("write S_OK") ? run.tally.at("write S_OK") : 0, static_cast<int>(ops / 100));
  EXPECT_GT(run.tally.count("read S_OK") ? run.tally.at("read S_OK") : 0, static_cast<int>(ops / 100));
}

TEST(ProcessDifferential, Seed1) { expect_match(1, 3000); }
TEST(ProcessDifferential, Seed2) { expect_match(2, 3000); }
TEST(ProcessDifferential, Seed20240607) { expect_match(20240607, 3000); }

// VMC_PROCESS_DIFF_SEEDS=N runs seeds 100..100+N-1 as well (for a longer hunt by hand).
TEST(ProcessDifferential, ExtraSeedsFromEnvironment) {
  const char* n = std::getenv("VMC_PROCESS_DIFF_SEEDS");
  if (n == nullptr) GTEST_SKIP() << "set VMC_PROCESS_DIFF_SEEDS=N to run N more seeds";
  const int count = std::atoi(n);
  for (int i = 0; i < count && !HasFailure(); ++i) expect_match(100 + static_cast<std::uint64_t>(i), 3000);
}

// The same on a process we attached to (its own mappings are the foreign memory).
TEST(ProcessDifferential, AttachedSleepSeed3) {
  SleepProcess sleeper("60");
  ASSERT_TRUE(wait_for_comm(sleeper.pid(), "sleep", std::chrono::milliseconds(5000)));
  expect_match(3, 1500, "pid=" + std::to_string(sleeper.pid()));
  EXPECT_TRUE(sleeper.running());
}

// The raw adapters write with one unchecked transfer: the comparison must catch them breaking a
// rule their baseline (conformance/baselines/) declares.
TEST(ProcessDifferential, FindsEveryRawAdapterOut) {
  for (const std::string backend : {"raw-pvwritev", "raw-procmem", "raw-ptrace"}) {
    const vmc::test::DifferentialRun run = run_seed(backend, 1, 3000);
    std::printf("%s: %s\n", backend.c_str(), run.failure.c_str());
    const Baseline baseline =
        load_baseline(VMCONFORM_SOURCE_DIR "/conformance/baselines/" + backend + ".win32.json");
    const auto& declared = baseline.expected_failures;
    EXPECT_TRUE(std::any_of(declared.begin(), declared.end(), [&](const BaselineEntry& e) { return e.rule == run.rule; }))
        << backend << " is not caught breaking a rule of its baseline: " << run.failure;
  }
}

}  // namespace
}  // namespace vmc::process::test
