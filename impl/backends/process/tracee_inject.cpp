// tracee_inject.cpp - making a stopped tracee execute one system call of ours.
//
// The recipe (x86-64): save all registers; set RIP to a `syscall` instruction (bytes 0F 05)
// found in the tracee's vdso or another executable mapping, RAX to the call number, RDI, RSI,
// RDX, R10, R8, R9 to the arguments and ORIG_RAX to -1 (so the kernel does not treat the
// resumption as the restart of a system call the tracee was blocked in); PTRACE_SINGLESTEP;
// the kernel reports the step with a SIGTRAP stop after the system call returns, with RIP just
// past the instruction and the result in RAX; then restore the saved registers exactly.
// Signals that reach the tracee meanwhile are kept and handed back on detach. An attached
// (SEIZEd) tracee is then put back into a PTRACE_EVENT_STOP (PTRACE_INTERRUPT + PTRACE_CONT,
// which re-stops before any user instruction runs) so that if we die, the kernel's automatic
// detach does not deliver the single-step SIGTRAP to it.
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "emergency_cleanup.hpp"
#include "remote_maps.hpp"
#include "tracee.hpp"

namespace vmc::process {

#if defined(__x86_64__)

namespace {
// -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK: the call was
// interrupted before doing anything and would be restarted; we simply run it again.
bool restart_code(std::int64_t rax) { return rax <= -512 && rax >= -516 && rax != -515; }
}  // namespace

std::optional<std::int64_t> Tracee::inject_on_thread(long nr,
                                                     const std::array<std::uint64_t, 6>& args) {
  const std::string who = "target process " + std::to_string(pid_);
  auto ptrace_failed = [&](const char* what) -> std::optional<std::int64_t> {
    const int err = errno;
    if (err == ESRCH) settle_after_esrch();
    poll_exit_locked();
    if (!failed_.load())
      mark_failed(std::string(what) + " on " + who + " failed: " + std::strerror(err));
    return std::nullopt;
  };
  if (!emergency::begin_injection(emergency_slot_)) {
    mark_failed("the suite is terminating; " + who + " is left untouched");
    return std::nullopt;
  }
  struct EndInjection {
    const int& slot;  // the current slot: a death during the call unregisters it
    ~EndInjection() { emergency::end_injection(slot); }
  } end_injection{emergency_slot_};

  user_regs_struct saved{};
  if (ptrace(PTRACE_GETREGS, pid_, nullptr, &saved) != 0) return ptrace_failed("PTRACE_GETREGS");

  std::optional<std::int64_t> result;
  for (int attempt = 0; attempt < 8 && !result; ++attempt) {
    user_regs_struct regs = saved;
    regs.rip = syscall_address_;
    regs.rax = static_cast<std::uint64_t>(nr);
    regs.orig_rax = ~0ull;
    regs.rdi = args[0];
    regs.rsi = args[1];
    regs.rdx = args[2];
    regs.r10 = args[3];
    regs.r8 = args[4];
    regs.r9 = args[5];
    regs.eflags &= ~0x100ull;  // TF is the kernel's business during PTRACE_SINGLESTEP
    if (ptrace(PTRACE_SETREGS, pid_, nullptr, &regs) != 0) return ptrace_failed("PTRACE_SETREGS");
    for (int step = 0; step < 64; ++step) {
      if (ptrace(PTRACE_SINGLESTEP, pid_, nullptr, nullptr) != 0)
        return ptrace_failed("PTRACE_SINGLESTEP");
      int status = 0;
      if (wait_for_stop(&status) != Wait::stopped) return std::nullopt;
      if ((status >> 16) != 0) continue;  // a group stop or other event stop: go on
      const int sig = WSTOPSIG(status);
      user_regs_struct now{};
      if (ptrace(PTRACE_GETREGS, pid_, nullptr, &now) != 0) return ptrace_failed("PTRACE_GETREGS");
      if (now.rip == syscall_address_ + 2 && sig == SIGTRAP) {
        const auto rax = static_cast<std::int64_t>(now.rax);
        if (!restart_code(rax)) result = rax;
        break;
      }
      if (sig != SIGTRAP) held_signals_.push_back(sig);  // delivered on detach
      if (now.rip != syscall_address_) {
        mark_failed("the injected system call in " + who + " went astray");
        return std::nullopt;
      }
    }
  }
  if (ptrace(PTRACE_SETREGS, pid_, nullptr, &saved) != 0) return ptrace_failed("PTRACE_SETREGS");
  if (!result) {
    mark_failed("the injected system call in " + who + " did not complete");
    return std::nullopt;
  }
  if (!own_child_ && !return_to_event_stop()) return std::nullopt;
  return result;
}

bool Tracee::return_to_event_stop() {
  const std::string who = "target process " + std::to_string(pid_);
  if (ptrace(PTRACE_INTERRUPT, pid_, nullptr, nullptr) != 0 ||
      ptrace(PTRACE_CONT, pid_, nullptr, nullptr) != 0) {
    const int err = errno;
    if (err == ESRCH) settle_after_esrch();
    poll_exit_locked();
    if (!failed_.load()) mark_failed("cannot re-stop " + who + ": " + std::strerror(err));
    return false;
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    int status = 0;
    if (wait_for_stop(&status) != Wait::stopped) return false;
    if ((status >> 16) == PTRACE_EVENT_STOP) return true;
    held_signals_.push_back(WSTOPSIG(status));
    if (ptrace(PTRACE_CONT, pid_, nullptr, nullptr) != 0) break;
  }
  mark_failed("cannot re-stop " + who);
  return false;
}

bool Tracee::find_syscall_instruction() {
  std::vector<MapEntry> maps = read_maps(pid_);
  // The vdso first (always there, never unmapped by the program), then other code.
  std::stable_partition(maps.begin(), maps.end(),
                        [](const MapEntry& e) { return e.path == "[vdso]"; });
  const std::string mem = "/proc/" + std::to_string(pid_) + "/mem";
  FILE* f = std::fopen(mem.c_str(), "rb");
  if (f == nullptr) {
    mark_failed("cannot open " + mem + ": " + std::strerror(errno));
    return false;
  }
  std::vector<unsigned char> bytes;
  for (const MapEntry& e : maps) {
    if (!e.exec || !e.read || e.path == "[vsyscall]") continue;
    bytes.assign(std::min<std::uint64_t>(e.end - e.start, 1u << 20), 0);
    const ssize_t n = pread(fileno(f), bytes.data(), bytes.size(), static_cast<off_t>(e.start));
    for (ssize_t i = 0; i + 1 < n; ++i) {
      if (bytes[i] == 0x0F && bytes[i + 1] == 0x05) {
        syscall_address_ = e.start + static_cast<std::uint64_t>(i);
        std::fclose(f);
        return true;
      }
    }
  }
  std::fclose(f);
  mark_failed("no syscall instruction found in the code of target process " +
              std::to_string(pid_));
  return false;
}

#else  // not x86-64: construction already refuses; these only keep the linker happy.

std::optional<std::int64_t> Tracee::inject_on_thread(long, const std::array<std::uint64_t, 6>&) {
  mark_failed("the process backend supports x86-64 Linux only");
  return std::nullopt;
}
bool Tracee::return_to_event_stop() { return false; }
bool Tracee::find_syscall_instruction() { return false; }

#endif

}  // namespace vmc::process
