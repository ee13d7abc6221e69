// emergency_cleanup.cpp - the signal handler that leaves tracees alive or dead, never broken.
//
// Slots are plain atomics so the handler can read them at any moment. The handler runs on any
// thread but never on a ptrace thread (those block all signals), so waiting for an injection
// flag to clear cannot deadlock. After cleaning up it restores the disposition that was there
// before us and re-raises, so Ctrl-C still ends the suite. If the program installed its own
// handler first, we only chain to it: the program stays in charge and cleans up normally.
#include "emergency_cleanup.hpp"

#include <signal.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace vmc::process::emergency {
namespace {

constexpr int kSlots = 64;
struct Slot {
  std::atomic<pid_t> pid{0};  // 0: free
  std::atomic<bool> own_child{false};
  std::atomic<bool> injecting{false};
};
Slot g_slots[kSlots];
std::atomic<bool> g_terminating{false};

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[sizeof(kSignals) / sizeof(kSignals[0])];

int signal_index(int sig) {
  for (int i = 0; i < static_cast<int>(sizeof(kSignals) / sizeof(kSignals[0])); ++i)
    if (kSignals[i] == sig) return i;
  return -1;
}

void sleep_ms(long ms) {
  timespec ts{0, ms * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

void handler(int sig, siginfo_t* info, void* context) {
  const int i = signal_index(sig);
  if (i < 0) return;
  const struct sigaction& previous = g_previous[i];
  // The program handles this signal itself: it stays in control and will destroy its targets
  // normally, which is the cleanest ending; we only pass the signal on.
  if (previous.sa_flags & SA_SIGINFO) {
    if (previous.sa_sigaction != nullptr) previous.sa_sigaction(sig, info, context);
    return;
  }
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler != SIG_DFL) {
    previous.sa_handler(sig);
    return;
  }
  // The default action is about to end the process: leave every tracee in a sound state.
  const int saved_errno = errno;
  g_terminating.store(true);
  for (Slot& slot : g_slots) {
    const pid_t pid = slot.pid.load();
    if (pid <= 0) continue;
    if (slot.own_child.load()) {
      kill(pid, SIGKILL);
      continue;
    }
    // An attached process: let a running injection put its registers back (bounded wait).
    for (int waited = 0; slot.injecting.load() && waited < 2000; ++waited) sleep_ms(1);
  }
  errno = saved_errno;
  sigaction(sig, &previous, nullptr);  // default action: re-raised once we return
  raise(sig);
}

void install_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int i = 0; i < static_cast<int>(sizeof(kSignals) / sizeof(kSignals[0])); ++i) {
      struct sigaction current {};
      if (sigaction(kSignals[i], nullptr, &current) != 0) continue;
      g_previous[i] = current;
      if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) continue;
      struct sigaction ours {};
      ours.sa_sigaction = handler;
      ours.sa_flags = SA_SIGINFO | SA_RESTART;
      sigemptyset(&ours.sa_mask);
      for (int other : kSignals) sigaddset(&ours.sa_mask, other);
      sigaction(kSignals[i], &ours, nullptr);
    }
  });
}

}  // namespace

int register_tracee(pid_t pid, bool own_child) {
  install_once();
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = 0;
    if (!g_slots[i].pid.compare_exchange_strong(expected, -1)) continue;  // -1: being filled
    g_slots[i].own_child.store(own_child);
    g_slots[i].injecting.store(false);
    g_slots[i].pid.store(pid);
    return i;
  }
  return -1;
}

void unregister_tracee(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].injecting.store(false);
  g_slots[slot].pid.store(0);
}

bool begin_injection(int slot) {
  if (slot >= 0 && slot < kSlots) g_slots[slot].injecting.store(true);
  if (g_terminating.load()) {
    end_injection(slot);
    return false;
  }
  return true;
}

void end_injection(int slot) {
  if (slot >= 0 && slot < kSlots) g_slots[slot].injecting.store(false);
}

bool terminating() { return g_terminating.load(); }

}  // namespace vmc::process::emergency
