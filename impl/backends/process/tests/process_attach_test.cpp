// process_attach_test.cpp - attaching to a process that does not cooperate (`sleep`), by pid.
//
// After the target and factory are gone the process must still be running, no longer traced,
// not stopped, and hold exactly the mappings it had before we came; a short sleep must also
// finish normally, which shows that its registers (and the restart of the nanosleep we
// interrupted) survived dozens of injected system calls.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "process_factory.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> mapping_lines(pid_t pid) {
  std::vector<std::string> out;
  for (const MapEntry& e : read_maps(pid))
    out.push_back(hex(e.start) + "-" + hex(e.end) + " " + permissions_at(pid, e.start) + " " +
                  e.path);
  return out;
}

// Some allocations, writes (plain and to code pages), reads and frees; leaves some allocated.
std::vector<std::uint64_t> exercise(Target& t, pid_t pid) {
  std::vector<std::uint64_t> bases;
  std::uint64_t base = 0;
  EXPECT_EQ(t.allocate_virtual_memory(0, 0x30000, MEM_RESERVE, PAGE_NOACCESS, &base), S_OK);
  bases.push_back(base);
  std::uint64_t out = 0;
  EXPECT_EQ(t.allocate_virtual_memory(base, 0x2000, MEM_COMMIT, PAGE_READWRITE, &out), S_OK);
  EXPECT_EQ(t.allocate_virtual_memory(base + 0x2000, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ, &out),
            S_OK);
  const std::uint8_t bytes[] = {0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4};
  EXPECT_EQ(t.write_virtual(base + 0xFFC, bytes, sizeof bytes), S_OK);
  EXPECT_EQ(t.write_virtual(base + 0x2000, bytes, sizeof bytes), S_OK);  // code page
  EXPECT_EQ(peek(pid, base + 0xFFC, sizeof bytes), std::vector<std::uint8_t>(bytes, bytes + 8));
  EXPECT_EQ(peek(pid, base + 0x2000, sizeof bytes), std::vector<std::uint8_t>(bytes, bytes + 8));
  EXPECT_EQ(permissions_at(pid, base + 0x2000), "r-xp");
  std::uint8_t back[8] = {};
  std::uint32_t n = 0;
  EXPECT_EQ(t.read_virtual(base + 0xFFC, back, sizeof back, &n), S_OK);
  EXPECT_EQ(n, sizeof back);
  EXPECT_EQ(t.write_virtual(base + 0x3000, bytes, 1), HR_NOACCESS);  // reserved only
  EXPECT_EQ(t.virtual_free(base + 0x1000, 0x1000, MEM_DECOMMIT), S_OK);
  for (int i = 0; i < 20; ++i) {
    std::uint64_t b = 0;
    EXPECT_EQ(t.allocate_virtual_memory(0, 0x1000 * (i + 1), MEM_COMMIT | MEM_RESERVE,
                                        PAGE_READWRITE, &b),
              S_OK);
    if (i % 2) EXPECT_EQ(t.virtual_free(b, 0, MEM_RELEASE), S_OK);
    else bases.push_back(b);
  }
  std::uint64_t fixed = 0;
  EXPECT_EQ(t.allocate_virtual_memory(0x300000000ull, 0x10000, MEM_COMMIT | MEM_RESERVE,
                                      PAGE_EXECUTE_READWRITE, &fixed),
            S_OK);
  bases.push_back(fixed);
  return bases;
}

TEST(ProcessAttach, UncooperativeProcessIsLeftRunningUntracedAndClean) {
  SleepProcess sleeper("60");
  const pid_t pid = sleeper.pid();
  ASSERT_TRUE(wait_for_comm(pid, "sleep", 5000ms));
  const std::vector<std::string> before = mapping_lines(pid);
  std::vector<std::uint64_t> bases;
  {
    auto factory = make_factory("process", "pid=" + std::to_string(pid));
    auto target = factory->make();
    // Traced by one of our threads (the backend's ptrace thread).
    const std::string tracer = status_field(pid, "TracerPid");
    EXPECT_NE(tracer, "0");
    EXPECT_EQ(access(("/proc/self/task/" + tracer).c_str(), F_OK), 0) << "tracer " << tracer;
    bases = exercise(*target, pid);
    for (std::uint64_t b : bases) EXPECT_NE(permissions_at(pid, b), "") << hex(b);
    // A second target of the same factory shares the process and starts with an empty table.
    target.reset();
    auto second = factory->make();
    std::uint64_t b = 0;
    EXPECT_EQ(second->allocate_virtual_memory(0, 0x10000, MEM_RESERVE, PAGE_READWRITE, &b), S_OK);
    EXPECT_EQ(failure_message(*factory), "");
  }
  EXPECT_TRUE(sleeper.running());
  EXPECT_EQ(status_field(pid, "TracerPid"), "0");
  bool sleeping = false;
  for (int i = 0; i < 500 && !sleeping; ++i) {
    sleeping = process_state(pid) == 'S';
    if (!sleeping) std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(sleeping) << "state " << process_state(pid);
  for (std::uint64_t b : bases) EXPECT_EQ(permissions_at(pid, b), "") << "left over: " << hex(b);
  EXPECT_EQ(mapping_lines(pid), before);
}

TEST(ProcessAttach, InterruptedSleepResumesAndExitsNormally) {
  SleepProcess sleeper("1");
  const pid_t pid = sleeper.pid();
  ASSERT_TRUE(wait_for_comm(pid, "sleep", 5000ms));
  const auto start = std::chrono::steady_clock::now();
  {
    auto factory = make_factory("process", "pid=" + std::to_string(pid));
    auto target = factory->make();
    exercise(*target, pid);
  }
  const auto status = sleeper.wait_exit(10000ms);
  ASSERT_TRUE(status.has_value()) << "sleep 1 did not finish";
  EXPECT_TRUE(WIFEXITED(*status)) << "status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5000ms);
}

TEST(ProcessAttach, RefusesBadOptionsClearly) {
  EXPECT_THROW(make_factory("process", "pid=abc"), std::invalid_argument);
  EXPECT_THROW(make_factory("process", "pid=-3"), std::invalid_argument);
  EXPECT_THROW(make_factory("process", "colour=blue"), std::invalid_argument);
  EXPECT_THROW(make_factory("raw-procmem", "pid=1"), std::invalid_argument);
  try {
    make_factory("process", "pid=nope");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pid=nope"), std::string::npos) << e.what();
  }
}

TEST(ProcessAttach, ReportsWhyItCannotAttach) {
  // A pid that does not exist (above pid_max).
  auto factory = make_factory("process", "pid=" + std::to_string(0x3FFFFFF0));
  try {
    factory->make();
    ADD_FAILURE() << "attached to a process that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot attach"), std::string::npos) << e.what();
  }
  // A process somebody already traces: us.
  SleepProcess sleeper("60");
  ASSERT_TRUE(wait_for_comm(sleeper.pid(), "sleep", 5000ms));
  auto first = make_factory("process", "pid=" + std::to_string(sleeper.pid()));
  auto held = first->make();
  auto second = make_factory("process", "pid=" + std::to_string(sleeper.pid()));
  try {
    second->make();
    ADD_FAILURE() << "attached twice";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Operation not permitted"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vmc::process::test
