// process_death_test.cpp - a tracee killed under our feet.
//
// Every later call must fail with E_UNEXPECTED (out-parameters zeroed), quickly and without a
// crash, and both the target and the factory must say "target process N died (signal 9...)".
// An own-child factory then starts a fresh child for the next target.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "process_factory.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

using namespace std::chrono_literals;

void expect_all_calls_fail(Target& t, std::uint64_t base) {
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t out = 0x1234;
  EXPECT_EQ(t.allocate_virtual_memory(0, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &out),
            E_UNEXPECTED);
  EXPECT_EQ(out, 0u);
  out = 0x1234;
  EXPECT_EQ(t.allocate_virtual_memory(base, 0x1000, MEM_COMMIT, PAGE_READWRITE, &out),
            E_UNEXPECTED);
  EXPECT_EQ(out, 0u);
  const std::uint8_t bytes[4] = {1, 2, 3, 4};
  EXPECT_EQ(t.write_virtual(base, bytes, 4), E_UNEXPECTED);
  std::uint8_t back[4];
  std::uint32_t n = 77;
  EXPECT_EQ(t.read_virtual(base, back, 4, &n), E_UNEXPECTED);
  EXPECT_EQ(n, 0u);
  RegionInfo info{};
  info.region_size = 5;
  EXPECT_EQ(t.query_virtual(base, &info), E_UNEXPECTED);
  EXPECT_EQ(info.region_size, 0u);
  EXPECT_EQ(t.virtual_free(base, 0x1000, MEM_DECOMMIT), E_UNEXPECTED);
  EXPECT_EQ(t.virtual_free(base, 0, MEM_RELEASE), E_UNEXPECTED);
  EXPECT_FALSE(t.inject_host_fault(E_FAIL));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST(ProcessDeath, KilledChildFailsEveryCallWithAClearMessage) {
  auto factory = make_factory("process");
  auto target = factory->make();
  auto* pt = dynamic_cast<ProcessTarget*>(target.get());
  ASSERT_NE(pt, nullptr);
  std::uint64_t base = 0;
  ASSERT_EQ(target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                            &base),
            S_OK);
  const pid_t pid = pt->pid();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  expect_all_calls_fail(*target, base);
  const std::string expected = "target process " + std::to_string(pid) + " died (signal 9";
  EXPECT_EQ(pt->failure().rfind(expected, 0), 0u) << pt->failure();
  EXPECT_EQ(failure_message(*target), pt->failure());
  EXPECT_EQ(failure_message(*factory).rfind(expected, 0), 0u) << failure_message(*factory);
  target.reset();  // must not hang or throw
  // The next target gets a new, healthy child.
  auto next = factory->make();
  auto* np = dynamic_cast<ProcessTarget*>(next.get());
  ASSERT_NE(np, nullptr);
  EXPECT_NE(np->pid(), pid);
  EXPECT_EQ(next->allocate_virtual_memory(0, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                          &base),
            S_OK);
  EXPECT_EQ(np->failure(), "");
}

TEST(ProcessDeath, KilledAttachedProcessFailsEveryCall) {
  SleepProcess sleeper("60");
  ASSERT_TRUE(wait_for_comm(sleeper.pid(), "sleep", 5000ms));
  auto factory = make_factory("process", "pid=" + std::to_string(sleeper.pid()));
  auto target = factory->make();
  std::uint64_t base = 0;
  ASSERT_EQ(target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                            &base),
            S_OK);
  ASSERT_EQ(kill(sleeper.pid(), SIGKILL), 0);
  expect_all_calls_fail(*target, base);
  EXPECT_NE(failure_message(*target).find("died (signal 9"), std::string::npos)
      << failure_message(*target);
  // The factory cannot bring an attached process back: new targets fail the same way.
  auto again = factory->make();
  expect_all_calls_fail(*again, base);
  EXPECT_NE(failure_message(*factory).find("died (signal 9"), std::string::npos);
}

TEST(ProcessDeath, KillDuringABusySequenceNeverHangsOrCrashes) {
  auto factory = make_factory("process");
  auto target = factory->make();
  const pid_t pid = dynamic_cast<ProcessTarget&>(*target).pid();
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(20ms);
    kill(pid, SIGKILL);
    killed = true;
  });
  int failures_after_kill = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::uint8_t bytes[256] = {7};
  while (failures_after_kill < 50 && std::chrono::steady_clock::now() < deadline) {
    std::uint64_t b = 0;
    const hresult a = target->allocate_virtual_memory(0, 0x20000, MEM_COMMIT | MEM_RESERVE,
                                                      PAGE_EXECUTE_READ, &b);
    const hresult w = target->write_virtual(b, bytes, sizeof bytes);
    const hresult f = target->virtual_free(b, 0, MEM_RELEASE);
    if (killed && failed(a) && failed(w) && failed(f)) ++failures_after_kill;
  }
  killer.join();
  EXPECT_EQ(failures_after_kill, 50);
  EXPECT_NE(failure_message(*target).find("died (signal 9"), std::string::npos)
      << failure_message(*target);
}

TEST(ProcessDeath, OtherBackendsHaveNoFailureMessage) {
  auto factory = make_factory("sim");
  auto target = factory->make();
  EXPECT_EQ(failure_message(*factory), "");
  EXPECT_EQ(failure_message(*target), "");
}

}  // namespace
}  // namespace vmc::process::test
