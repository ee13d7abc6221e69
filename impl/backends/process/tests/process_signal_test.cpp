// process_signal_test.cpp - SIGTERM or SIGINT arriving while we hold tracees.
//
// A forked copy of this test process holds an own child and an attached `sleep`, then receives
// SIGTERM or SIGINT. The copy must die of that signal as usual, its own child must die with it, and the
// attached process must be left running, untraced and not stopped.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "process_factory.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

using namespace std::chrono_literals;

[[noreturn]] void runner(int report_fd, pid_t sleeper, int sig) {
  try {
    auto own = make_factory("process");
    auto own_target = own->make();
    auto attached = make_factory("process", "pid=" + std::to_string(sleeper));
    auto attached_target = attached->make();
    std::uint64_t b = 0;
    own_target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &b);
    attached_target->allocate_virtual_memory(0, 0x10000, MEM_COMMIT | MEM_RESERVE,
                                             PAGE_READWRITE, &b);
    const pid_t child = dynamic_cast<ProcessTarget&>(*own_target).pid();
    if (write(report_fd, &child, sizeof child) != sizeof child) _exit(3);
    kill(getpid(), sig);
    for (int i = 0; i < 1000; ++i) usleep(1000);
  } catch (...) {
    _exit(2);
  }
  _exit(1);  // the signal did not end us
}

void interrupt_and_check(int sig) {
  // A shell may start us with SIGINT ignored (background jobs): the default is what we test.
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) signal(sig, SIG_DFL);
  SleepProcess sleeper("60");
  ASSERT_TRUE(wait_for_comm(sleeper.pid(), "sleep", 5000ms));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t copy = fork();
  ASSERT_GE(copy, 0);
  if (copy == 0) {
    close(fds[0]);
    runner(fds[1], sleeper.pid(), sig);
  }
  close(fds[1]);
  pid_t own_child = -1;
  pollfd p{fds[0], POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1);
  ASSERT_EQ(read(fds[0], &own_child, sizeof own_child), static_cast<ssize_t>(sizeof own_child));
  close(fds[0]);
  int status = 0;
  pid_t r = 0;
  for (int i = 0; i < 1000 && r == 0; ++i) {
    r = waitpid(copy, &status, WNOHANG);
    if (r == 0) std::this_thread::sleep_for(5ms);
  }
  if (r == 0) kill(copy, SIGKILL);
  ASSERT_EQ(r, copy) << "the interrupted process did not end";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
  // The own child is gone (or a zombie waiting for init).
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = kill(own_child, 0) != 0 || process_state(own_child) == 'Z';
    if (!gone) std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(gone) << "own child " << own_child << " survived";
  // The attached process runs on, untraced.
  EXPECT_TRUE(sleeper.running());
  EXPECT_EQ(status_field(sleeper.pid(), "TracerPid"), "0");
  bool sleeping = false;
  for (int i = 0; i < 500 && !sleeping; ++i) {
    sleeping = process_state(sleeper.pid()) == 'S';
    if (!sleeping) std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(sleeping) << "state " << process_state(sleeper.pid());
}

TEST(ProcessSignals, SigtermKillsOwnChildrenAndReleasesAttachedProcesses) {
  interrupt_and_check(SIGTERM);
}

TEST(ProcessSignals, SigintKillsOwnChildrenAndReleasesAttachedProcesses) {
  interrupt_and_check(SIGINT);
}

}  // namespace
}  // namespace vmc::process::test
