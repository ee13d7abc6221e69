// tracee.hpp - one stopped process held under ptrace, and system calls run inside it.
//
// A Tracee is either our own child (fork + PTRACE_TRACEME + exec of /proc/self/exe; it stops
// at the exec trap before its first instruction and never runs its own code) or an existing
// process attached with PTRACE_SEIZE + PTRACE_INTERRUPT (left exactly as found when detached).
// While we hold it, it sits in a ptrace-stop; inject_syscall() makes it execute one system call
// at a `syscall` instruction already present in its code (vdso first) and restores every
// register afterwards. ptrace requests must come from the thread that attached, so every
// request runs on one private worker thread; callers may use a Tracee from any thread. A
// tracee that dies or stops answering turns every later call into a failure with a message
// ("target process N died (signal S)"); nothing here throws after construction or blocks
// longer than a fixed timeout.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vmc::process {

class PtraceThread;

class Tracee {
 public:
  /// Forks and execs a child that stays stopped. Throws std::runtime_error on failure.
  static std::shared_ptr<Tracee> spawn_child();
  /// Attaches to a running process that knows nothing about us. Throws std::runtime_error.
  static std::shared_ptr<Tracee> attach(pid_t pid);

  Tracee(const Tracee&) = delete;
  Tracee& operator=(const Tracee&) = delete;
  /// Own child: killed and reaped. Attached process: detached and left running.
  ~Tracee();

  pid_t pid() const { return pid_; }
  bool own_child() const { return own_child_; }

  /// Runs system call `nr` with up to six arguments in the tracee. Returns the raw kernel
  /// result (a negative errno in [-4095, -1] on failure), or nullopt if the tracee is gone or
  /// unresponsive (see failure()).
  std::optional<std::int64_t> inject_syscall(long nr, const std::array<std::uint64_t, 6>& args);

  /// False once the tracee has died or stopped answering; polls (cheaply) for a death that
  /// happened since the last call.
  bool alive();
  /// Empty while alive; otherwise why not, e.g. "target process 1234 died (signal 9)".
  std::string failure() const;

  /// Runs `job(pid)` on the ptrace thread (the only thread whose ptrace requests the tracee
  /// accepts) while holding the tracee; false, without running it, if the tracee is unusable.
  bool with_ptrace(const std::function<void(pid_t)>& job);

  /// An O_RDWR descriptor of /proc/PID/mem (ignores page protections), or -1.
  int mem_fd() const { return mem_fd_; }

  /// Records that an operation on the tracee failed in a way only a dying or vanished process
  /// explains (ESRCH from process_vm_*): waits briefly for its exit report and updates the state.
  void note_vanishing();

  /// How long a single wait for the tracee may take before it is declared unresponsive.
  static constexpr std::chrono::milliseconds kStopTimeout{3000};

 private:
  Tracee(pid_t pid, bool own_child, std::unique_ptr<PtraceThread> thread);

  // Everything below runs on the ptrace thread with mutex_ held by the caller.
  enum class Wait { stopped, gone, timeout };
  Wait wait_for_stop(int* status);
  void record_exit(int status);
  void mark_failed(const std::string& why);
  std::optional<std::int64_t> inject_on_thread(long nr, const std::array<std::uint64_t, 6>& args);
  bool return_to_event_stop();
  bool find_syscall_instruction();
  void poll_exit_locked();
  void settle_after_esrch();
  void release_on_thread();

  pid_t pid_;
  bool own_child_;
  std::unique_ptr<PtraceThread> thread_;
  mutable std::mutex mutex_;  // serialises every operation on this tracee
  std::atomic<bool> failed_{false};
  std::string failure_;      // guarded by mutex_
  bool reaped_ = false;      // own child already waited for: its pid may be reused
  std::uint64_t syscall_address_ = 0;
  std::vector<int> held_signals_;  // signals the tracee received while we held it
  int mem_fd_ = -1;
  int emergency_slot_ = -1;
};

}  // namespace vmc::process
