// tracee.cpp - starting, attaching, watching and letting go of a traced process.
//
// Own child: fork on the ptrace thread (so PR_SET_PDEATHSIG follows that thread's life), then
// in the child PTRACE_TRACEME and execve("/proc/self/exe"): the kernel stops it with SIGTRAP
// right after the exec, before the dynamic loader runs, so its address space holds only the
// executable, the loader, the vdso and a stack, and it never executes an instruction of its
// own. If the exec fails it stops itself with SIGSTOP as a plain copy of us. Attached process:
// PTRACE_SEIZE (no EXITKILL: it must survive us) then PTRACE_INTERRUPT; it then rests in a
// PTRACE_EVENT_STOP, which resumes without side effects when we detach or die.
#include "tracee.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <elf.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "emergency_cleanup.hpp"
#include "ptrace_thread.hpp"

namespace vmc::process {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

void sleep_us(long us) {
  timespec ts{us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

std::string tracer_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("TracerPid:", 0) == 0) return line.substr(10);
  return "?";
}

// Injection uses the x86-64 system call convention: refuse 32-bit (or foreign) programs.
std::string not_x86_64(pid_t pid) {
  std::ifstream exe("/proc/" + std::to_string(pid) + "/exe", std::ios::binary);
  unsigned char ident[EI_NIDENT + 4] = {};  // e_ident, e_type, e_machine
  if (!exe.read(reinterpret_cast<char*>(ident), sizeof ident)) return "";  // cannot tell: try
  const unsigned machine = ident[EI_NIDENT + 2] | (ident[EI_NIDENT + 3] << 8);
  if (ident[EI_CLASS] != ELFCLASS64 || machine != EM_X86_64)
    return "process " + std::to_string(pid) + " is not a 64-bit x86-64 program";
  return "";
}

}  // namespace

Tracee::Tracee(pid_t pid, bool own_child, std::unique_ptr<PtraceThread> thread)
    : pid_(pid), own_child_(own_child), thread_(std::move(thread)) {}

std::shared_ptr<Tracee> Tracee::spawn_child() {
#if !defined(__x86_64__)
  throw std::runtime_error("the process backend supports x86-64 Linux only");
#else
  auto thread = std::make_unique<PtraceThread>();
  pid_t child = -1;
  int fork_errno = 0;
  const pid_t parent = getpid();
  thread->run([&] {
    char path[] = "/proc/self/exe";
    char name[] = "vmconform-process-target";
    char* const argv[] = {name, nullptr};
    char* const envp[] = {nullptr};
    child = fork();
    if (child == 0) {  // async-signal-safe calls only from here on
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(120);
      syscall(SYS_close_range, 3u, ~0u, 0u);  // hold none of our pipes open (best effort)
      if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(121);
      execve(path, argv, envp);
      raise(SIGSTOP);  // exec failed: stay stopped as a copy of the parent
      _exit(122);
    }
    if (child < 0) fork_errno = errno;
  });
  if (child < 0) throw std::runtime_error("process backend: fork failed: " + errno_text(fork_errno));
  std::shared_ptr<Tracee> t(new Tracee(child, true, std::move(thread)));
  std::string error;
  t->thread_->run([&] {
    int status = 0;
    if (t->wait_for_stop(&status) != Wait::stopped) {
      error = t->failure_;
      return;
    }
    if (ptrace(PTRACE_SETOPTIONS, child, nullptr, reinterpret_cast<void*>(PTRACE_O_EXITKILL)) != 0) {
      error = "PTRACE_SETOPTIONS on child " + std::to_string(child) + ": " + errno_text(errno);
      return;
    }
    if (!t->find_syscall_instruction()) error = t->failure_;
  });
  if (!error.empty()) throw std::runtime_error("process backend: cannot start a child: " + error);
  t->mem_fd_ = open(("/proc/" + std::to_string(child) + "/mem").c_str(), O_RDWR | O_CLOEXEC);
  t->emergency_slot_ = emergency::register_tracee(child, true);
  return t;
#endif
}

std::shared_ptr<Tracee> Tracee::attach(pid_t pid) {
#if !defined(__x86_64__)
  (void)pid;
  throw std::runtime_error("the process backend supports x86-64 Linux only");
#else
  const std::string who = "process " + std::to_string(pid);
  if (pid <= 0) throw std::runtime_error("process backend: invalid pid " + std::to_string(pid));
  if (pid == getpid()) throw std::runtime_error("process backend: cannot attach to ourselves");
  if (const std::string why = not_x86_64(pid); !why.empty())
    throw std::runtime_error("process backend: " + why);
  auto thread = std::make_unique<PtraceThread>();
  std::string error;
  thread->run([&] {
    if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) {
      const int err = errno;
      error = "cannot attach to " + who + ": " + errno_text(err);
      if (err == EPERM)
        error += " (TracerPid:" + tracer_of(pid) +
                 "; check /proc/sys/kernel/yama/ptrace_scope and CAP_SYS_PTRACE)";
      return;
    }
    if (ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0)
      error = "PTRACE_INTERRUPT on " + who + ": " + errno_text(errno);
  });
  if (!error.empty()) throw std::runtime_error("process backend: " + error);
  std::shared_ptr<Tracee> t(new Tracee(pid, false, std::move(thread)));
  t->emergency_slot_ = emergency::register_tracee(pid, false);
  t->thread_->run([&] {
    int status = 0;
    for (int attempt = 0; attempt < 16; ++attempt) {
      if (t->wait_for_stop(&status) != Wait::stopped) {
        error = t->failure_;
        return;
      }
      if ((status >> 16) == PTRACE_EVENT_STOP) break;
      // A signal arrived first: keep it for later and go on to the interrupt stop.
      t->held_signals_.push_back(WSTOPSIG(status));
      if (ptrace(PTRACE_CONT, pid, nullptr, nullptr) != 0) {
        error = "PTRACE_CONT on " + who + ": " + errno_text(errno);
        return;
      }
    }
    if ((status >> 16) != PTRACE_EVENT_STOP) {
      error = who + " would not stop";
      return;
    }
    if (!t->find_syscall_instruction()) error = t->failure_;
  });
  if (!error.empty()) throw std::runtime_error("process backend: " + error);
  t->mem_fd_ = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDWR | O_CLOEXEC);
  return t;
#endif
}

Tracee::~Tracee() {
  {
    std::lock_guard lock(mutex_);
    thread_->run([this] { release_on_thread(); });
  }
  emergency::unregister_tracee(emergency_slot_);
  if (mem_fd_ >= 0) close(mem_fd_);
  // Joining the ptrace thread ends any tracing that is left (the kernel detaches, or kills an
  // own child through PTRACE_O_EXITKILL).
  thread_.reset();
}

void Tracee::release_on_thread() {
  if (own_child_) {
    emergency::unregister_tracee(emergency_slot_);  // before its pid can be reused
    emergency_slot_ = -1;
    if (reaped_) return;
    kill(pid_, SIGKILL);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t r = waitpid(pid_, &status, __WALL | WNOHANG);
      if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) break;
      if (r < 0 && errno != EINTR) break;
      if (r == 0) sleep_us(200);
    }
    reaped_ = true;
    return;
  }
  if (failed_.load()) {
    // Dead, or left in an unknown state after a timeout: try to detach anyway; the kernel
    // also detaches when this thread ends.
    ptrace(PTRACE_DETACH, pid_, nullptr, nullptr);
    return;
  }
  // Hand back the signals that arrived while we held it, then let it run on.
  std::sort(held_signals_.begin(), held_signals_.end());
  held_signals_.erase(std::unique(held_signals_.begin(), held_signals_.end()), held_signals_.end());
  for (int sig : held_signals_)
    if (sig != SIGTRAP && sig != SIGSTOP) kill(pid_, sig);
  ptrace(PTRACE_DETACH, pid_, nullptr, nullptr);
}

Tracee::Wait Tracee::wait_for_stop(int* status) {
  // A stop normally arrives within microseconds, but on a loaded machine the tracee may wait
  // for a CPU: yield (cheap, and it lets the tracee run) for a few milliseconds before sleeping,
  // so a busy machine costs scheduling latency, not oversleeping.
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const pid_t r = waitpid(pid_, status, __WALL | WNOHANG);
    if (r == pid_) {
      if (WIFSTOPPED(*status)) return Wait::stopped;
      if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
        record_exit(*status);
        return Wait::gone;
      }
      continue;  // WIFCONTINUED: keep waiting
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      mark_failed("target process " + std::to_string(pid_) + " is gone (" + errno_text(errno) + ")");
      return Wait::gone;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= kStopTimeout) {
      mark_failed("target process " + std::to_string(pid_) + " did not stop within " +
                  std::to_string(kStopTimeout.count()) + " ms");
      return Wait::timeout;
    }
    if (waited < std::chrono::milliseconds(5)) sched_yield();
    else if (waited < std::chrono::milliseconds(50)) sleep_us(50);
    else sleep_us(1000);
  }
}

void Tracee::record_exit(int status) {
  if (own_child_) {
    reaped_ = true;  // its pid may be reused from now on: the signal handler must forget it
    emergency::unregister_tracee(emergency_slot_);
    emergency_slot_ = -1;
  }
  if (WIFSIGNALED(status))
    mark_failed("target process " + std::to_string(pid_) + " died (signal " +
                std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")");
  else
    mark_failed("target process " + std::to_string(pid_) + " exited (status " +
                std::to_string(WEXITSTATUS(status)) + ")");
}

void Tracee::mark_failed(const std::string& why) {
  if (failure_.empty()) failure_ = why;
  failed_.store(true);
}

void Tracee::poll_exit_locked() {
  if (failed_.load()) return;
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid_, &status, __WALL | WNOHANG);
    if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) {
      record_exit(status);
      return;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == ECHILD)
      mark_failed("target process " + std::to_string(pid_) + " is no longer traced by us");
    return;  // 0 (still there) or a stop report (we are resting it anyway)
  }
}

void Tracee::settle_after_esrch() {
  // ptrace said ESRCH: the tracee is dying or gone. Give the kernel a moment to report how.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  while (!failed_.load() && std::chrono::steady_clock::now() < deadline) {
    poll_exit_locked();
    if (!failed_.load()) sleep_us(500);
  }
}

bool Tracee::alive() {
  if (failed_.load()) return false;
  std::lock_guard lock(mutex_);
  poll_exit_locked();
  return !failed_.load();
}

void Tracee::note_vanishing() {
  std::lock_guard lock(mutex_);
  settle_after_esrch();
  if (!failed_.load() && kill(pid_, 0) != 0 && errno == ESRCH)
    mark_failed("target process " + std::to_string(pid_) + " vanished");
}

std::string Tracee::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

std::optional<std::int64_t> Tracee::inject_syscall(long nr,
                                                   const std::array<std::uint64_t, 6>& args) {
  std::lock_guard lock(mutex_);
  if (failed_.load()) return std::nullopt;
  std::optional<std::int64_t> result;
  thread_->run([&] { result = inject_on_thread(nr, args); });
  return result;
}

bool Tracee::with_ptrace(const std::function<void(pid_t)>& job) {
  std::lock_guard lock(mutex_);
  if (failed_.load()) return false;
  thread_->run([&] { job(pid_); });
  return true;
}

}  // namespace vmc::process
