// process_cost_test.cpp - what the process backend costs, printed for the record.
//
// Rough wall-clock figures on this machine: starting a child (a new factory's first target),
// making a target on a reused child, a 64-byte WriteVirtual (plain and to a code page, which
// needs two injected mprotects), and an allocate + release pair. The bounds are loose: they only
// catch an order-of-magnitude regression (such as a sleep in the wait loop).
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

using Clock = std::chrono::steady_clock;

double micros_per(Clock::duration d, int n) {
  return std::chrono::duration<double, std::micro>(d).count() / n;
}

TEST(ProcessCost, TargetCreationWriteAndAllocateRelease) {
  constexpr int kSpawns = 20, kMakes = 200, kWrites = 2000, kAllocs = 500;
  auto start = Clock::now();
  for (int i = 0; i < kSpawns; ++i) {
    auto factory = make_factory("process");
    auto target = factory->make();
  }
  const double spawn_us = micros_per(Clock::now() - start, kSpawns);

  auto factory = make_factory("process");
  factory->make();  // the child exists from here on
  start = Clock::now();
  for (int i = 0; i < kMakes; ++i) {
    auto target = factory->make();
    std::uint64_t b = 0;
    ASSERT_EQ(target->allocate_virtual_memory(0, 0x1000, MEM_COMMIT | MEM_RESERVE,
                                              PAGE_READWRITE, &b),
              S_OK);
  }
  const double reuse_us = micros_per(Clock::now() - start, kMakes);

  auto target = factory->make();
  std::uint64_t rw = 0, code = 0;
  ASSERT_EQ(target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                            &rw),
            S_OK);
  ASSERT_EQ(target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE,
                                            PAGE_EXECUTE_READ, &code),
            S_OK);
  std::uint8_t bytes[64] = {1, 2, 3};
  start = Clock::now();
  for (int i = 0; i < kWrites; ++i) ASSERT_EQ(target->write_virtual(rw + 64 * (i % 64), bytes, 64), S_OK);
  const double write_us = micros_per(Clock::now() - start, kWrites);
  start = Clock::now();
  for (int i = 0; i < kWrites / 4; ++i)
    ASSERT_EQ(target->write_virtual(code + 64 * (i % 64), bytes, 64), S_OK);
  const double code_write_us = micros_per(Clock::now() - start, kWrites / 4);
  start = Clock::now();
  for (int i = 0; i < kAllocs; ++i) {
    std::uint64_t b = 0;
    ASSERT_EQ(target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE,
                                              PAGE_READWRITE, &b),
              S_OK);
    ASSERT_EQ(target->virtual_free(b, 0, MEM_RELEASE), S_OK);
  }
  const double alloc_us = micros_per(Clock::now() - start, kAllocs);

  std::printf("process backend cost: new child + first target %.0f us; target on a reused child "
              "(make + 1 allocation + teardown) %.0f us; 64-byte WriteVirtual %.1f us (to a code "
              "page %.1f us); allocate+release %.1f us\n",
              spawn_us, reuse_us, write_us, code_write_us, alloc_us);
  RecordProperty("spawn_us", static_cast<int>(spawn_us));
  RecordProperty("write64_us", static_cast<int>(write_us));
  RecordProperty("alloc_release_us", static_cast<int>(alloc_us));
  EXPECT_LT(spawn_us, 200000);
  EXPECT_LT(write_us, 5000);
  EXPECT_LT(alloc_us, 20000);
}

}  // namespace
}  // namespace vmc::process::test
