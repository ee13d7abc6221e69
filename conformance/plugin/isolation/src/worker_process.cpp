// worker_process.cpp - spawning, reading and reaping a worker (vmconform/plugin/worker_process.hpp).
#include "vmconform/plugin/worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "vmconform/plugin/worker.hpp"

extern char** environ;

namespace vmc::plugin {
namespace {

/// Moves `fd` to a descriptor >= 10 (close-on-exec), so that the child's dup2 onto 0..4 never
/// meets a descriptor that is already there.
int high_fd(int fd) {
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  ::close(fd);
  if (moved < 0) throw std::runtime_error(std::string("fcntl(F_DUPFD_CLOEXEC): ") + std::strerror(errno));
  return moved;
}

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  fds[0] = high_fd(fds[0]);
  fds[1] = high_fd(fds[1]);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (!signaled) return "exited with status " + std::to_string(exit_code);
  const char* abbrev = ::sigabbrev_np(signal);
  const char* text = ::strsignal(signal);
  return "was killed by signal " + std::to_string(signal) + " (" + (abbrev ? std::string("SIG") + abbrev : "?") +
         (text ? std::string(": ") + text : "") + ")";
}

WorkerProcess WorkerProcess::spawn(const std::string& exe) {
  std::string arg0 = exe, arg1 = "worker";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  return spawn_argv(exe, argv, /*agent=*/false);
}

WorkerProcess WorkerProcess::spawn_agent(const std::string& command) {
  std::string arg0 = "/bin/sh", arg1 = "-c", arg2 = "exec " + command;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  return spawn_argv(arg0, argv, /*agent=*/true);
}

WorkerProcess WorkerProcess::spawn_argv(const std::string& exe, char* const argv[], bool agent) {
  // A worker that died must not kill its parent through the request pipe: from the first worker
  // on, writing to a pipe nobody reads fails with EPIPE instead of raising SIGPIPE.
  static const bool sigpipe_ignored = ::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)sigpipe_ignored;
  int request[2], message[2], output[2];
  make_pipe(request);
  make_pipe(message);
  make_pipe(output);
  ::fcntl(message[0], F_SETPIPE_SZ, 1 << 20);  // room for steps while the parent sleeps (best effort)

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (agent) {  // requests on stdin, responses on stdout, logs on stderr
    posix_spawn_file_actions_adddup2(&actions, request[0], 0);
    posix_spawn_file_actions_adddup2(&actions, message[1], 1);
    posix_spawn_file_actions_adddup2(&actions, output[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  } else {
    posix_spawn_file_actions_adddup2(&actions, request[0], kRequestFd);
    posix_spawn_file_actions_adddup2(&actions, message[1], kMessageFd);
    posix_spawn_file_actions_adddup2(&actions, output[1], 1);
    posix_spawn_file_actions_adddup2(&actions, output[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, kMessageFd + 1);  // nothing else of ours leaks in
  }
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group: killed as a whole
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(request[0]);
  ::close(message[1]);
  ::close(output[1]);
  if (rc != 0) {
    ::close(request[1]);
    ::close(message[0]);
    ::close(output[0]);
    throw std::runtime_error("cannot start " + std::string(agent ? "the agent " : "the worker ") + exe + ": " +
                             std::strerror(rc));
  }
  WorkerProcess w;
  w.pid_ = pid;
  w.request_fd_ = request[1];
  w.message_fd_ = message[0];
  w.output_fd_ = output[0];
  w.interactive_ = agent;
  set_nonblocking(w.message_fd_);
  set_nonblocking(w.output_fd_);
  if (agent) set_nonblocking(w.request_fd_);
  return w;
}

WorkerProcess::WorkerProcess(WorkerProcess&& o) noexcept
    : pid_(o.pid_), request_fd_(o.request_fd_), message_fd_(o.message_fd_), output_fd_(o.output_fd_),
      reaped_(o.reaped_), status_(o.status_), pending_(std::move(o.pending_)), returned_(o.returned_),
      tail_(std::move(o.tail_)),
      message_eof_(o.message_eof_), streaming_(o.streaming_), echo_(o.echo_), interactive_(o.interactive_) {
  o.pid_ = -1;
  o.request_fd_ = o.message_fd_ = o.output_fd_ = -1;
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0 && !reaped_) {
    kill_group();
    ::waitpid(pid_, nullptr, 0);
  }
  close_fd(request_fd_);
  close_fd(message_fd_);
  close_fd(output_fd_);
}

bool WorkerProcess::send(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(request_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close_fd(request_fd_);
  return done == line.size();
}

bool WorkerProcess::write_line(const std::string& line, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(request_fd_, line.data() + done, line.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return false;  // EPIPE: the agent is gone
    // The pipe is full: wait until it drains, reading what the agent says meanwhile so that it
    // cannot block on its own output.
    const auto now = Clock::now();
    if (now >= deadline) return false;
    pollfd fds[3] = {{request_fd_, POLLOUT, 0}, {message_fd_, POLLIN, 0}, {output_fd_, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (::poll(fds, 3, static_cast<int>(std::clamp<long long>(left, 1, 100))) < 0 && errno != EINTR) return false;
    if (fds[1].revents && !read_messages()) message_eof_ = true;
    if (fds[2].revents) drain_output();
    if (fds[0].revents & (POLLERR | POLLHUP)) return false;
  }
  return true;
}

void WorkerProcess::drain_output() {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(output_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (ssize_t done = 0; echo_ && done < n;) {  // --no-capture: the plugin's output, as it comes
      const ssize_t w = ::write(2, buffer + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += w;
    }
    tail_.append(buffer, static_cast<std::size_t>(n));
    if (tail_.size() > 2 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
  }
}

bool WorkerProcess::read_messages() {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(message_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return true;  // EAGAIN: nothing more for now
    if (n == 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

WorkerProcess::Event WorkerProcess::next_line(std::string& line, Clock::time_point deadline, std::size_t max_line) {
  for (;;) {
    // Lines are taken from the front of pending_ by moving an offset: erasing each one would move
    // every byte after it, and a streaming worker leaves up to a pipe's worth (64 KiB) of lines
    // there at once (that erasing was 8 % of a plugin run under ASan).
    const auto newline = pending_.find('\n', returned_);
    if (newline != std::string::npos) {
      if (newline - returned_ > max_line) return Event::too_long;
      line.assign(pending_, returned_, newline - returned_);
      returned_ = newline + 1;
      return Event::line;
    }
    pending_.erase(0, returned_);  // every complete line is returned: keep the partial one
    returned_ = 0;
    if (pending_.size() > max_line) return Event::too_long;
    if (message_eof_) {
      if (pending_.empty()) return Event::eof;
      line.swap(pending_);  // a last line without its newline
      pending_.clear();
      return Event::line;
    }
    const auto now = Clock::now();
    if (now >= deadline) return Event::timeout;
    // A worker streaming steps fills the pipe faster than one wake-up per line is worth.
    if (streaming_ && !interactive_) std::this_thread::sleep_for(std::chrono::microseconds(500));
    pollfd fds[2] = {{message_fd_, POLLIN, 0}, {output_fd_, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const int rc = ::poll(fds, 2, static_cast<int>(std::clamp<long long>(left, 1, 100)));
    if (rc < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents) drain_output();
    streaming_ = fds[0].revents != 0;
    if (fds[0].revents) {
      if (!read_messages()) message_eof_ = true;
    } else if (rc == 0) {
      // Nothing for a while: if the worker is gone (and a child it left holds the pipe open),
      // stop waiting for an end of file that may never come.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_) {
        read_messages();
        message_eof_ = true;
      }
    }
  }
}

void WorkerProcess::kill_group() {
  if (pid_ > 0 && !reaped_) ::kill(-pid_, SIGKILL);
}

ExitStatus WorkerProcess::finish(Clock::time_point deadline) {
  if (reaped_) return status_;
  for (;;) {
    siginfo_t info{};
    const bool exited =
        ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
    if (exited || Clock::now() >= deadline) break;
    drain_output();
    read_messages();  // keep the pipes flowing so the worker cannot block on them
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill_group();  // the worker if it is still running, and whatever it left behind
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  drain_output();
  status_.signaled = WIFSIGNALED(status);
  status_.signal = status_.signaled ? WTERMSIG(status) : 0;
  status_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  return status_;
}

std::string WorkerProcess::output_tail() const {
  std::string t = tail_.size() > kTailBytes ? tail_.substr(tail_.size() - kTailBytes) : tail_;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.pop_back();
  return t;
}

WorkerProcess::Clock::time_point deadline_after(double seconds) {
  using Clock = WorkerProcess::Clock;
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::string excerpt(std::string_view s, std::size_t limit) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out += c == '\n' || c == '\r' || c == '\t' ? ' ' : (c < 0x20 || c >= 0x7F) ? '?' : static_cast<char>(c);
  }
  return out;
}

}  // namespace vmc::plugin
