// worker_process.hpp - one child process with the worker's pipes, a deadline and a clean kill.
//
// spawn() starts `exe worker` with posix_spawn in a new process group: the request pipe on fd
// 3, the message pipe on fd 4, stdout and stderr on a capture pipe, stdin from /dev/null and
// default signal dispositions. next_line() returns the worker's messages one line at a time,
// draining the capture pipe on the way (its last kTailBytes are kept for failure messages) and
// sleeping briefly between polls so that a worker streaming steps is not woken up against on
// every line; echo_output() also copies the captured output to stderr (`--no-capture`). finish()
// reaps the worker, first killing its whole process group if it is still running, so nothing a
// plugin started outlives its property. spawn_agent() starts an agent instead
// (spec/agent-protocol.md): `/bin/sh -c 'exec COMMAND'` in its own process group, with requests on
// its stdin (write_line, which never blocks past a deadline), responses on its stdout (next_line,
// without the pause between lines) and its stderr on the capture pipe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

namespace vmc::plugin {

struct ExitStatus {
  bool signaled = false;
  int signal = 0;     // when signaled
  int exit_code = 0;  // otherwise
  std::string describe() const;  // "killed by signal 11 (SIGSEGV, Segmentation fault)", "exited with status 3"
};

class WorkerProcess {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kTailBytes = 4096;

  /// Throws std::runtime_error if the process cannot be started.
  static WorkerProcess spawn(const std::string& exe);
  /// An agent: `/bin/sh -c 'exec COMMAND'`; throws std::runtime_error if it cannot be started.
  static WorkerProcess spawn_agent(const std::string& command);
  WorkerProcess(WorkerProcess&& other) noexcept;
  WorkerProcess& operator=(WorkerProcess&&) = delete;
  ~WorkerProcess();  // kills and reaps a worker still running

  /// Writes the request line and closes the request pipe; false if the worker is gone.
  bool send(const std::string& line);
  /// Writes `line` (with its newline) and keeps the request pipe open; false if the process is
  /// gone or the deadline passed before it took the whole line.
  bool write_line(const std::string& line, Clock::time_point deadline);

  enum class Event { line, eof, timeout, too_long };
  /// The next complete message line (without '\n'), eof once the worker closed its end, timeout
  /// at the deadline, too_long for a line over `max_line` bytes.
  Event next_line(std::string& line, Clock::time_point deadline, std::size_t max_line);

  /// Waits for the worker to exit until `deadline`, then kills its process group; reaps it.
  ExitStatus finish(Clock::time_point deadline);
  /// The end of what the worker printed on stdout and stderr (trimmed, may be empty).
  std::string output_tail() const;
  pid_t pid() const { return pid_; }
  /// Also copies everything the worker prints to this process's stderr as it arrives
  /// (`--no-capture`); the tail is kept all the same.
  void echo_output(bool on) { echo_ = on; }

 private:
  WorkerProcess() = default;
  static WorkerProcess spawn_argv(const std::string& exe, char* const argv[], bool agent);
  void drain_output();
  bool read_messages();  // false at EOF
  void kill_group();

  pid_t pid_ = -1;
  int request_fd_ = -1, message_fd_ = -1, output_fd_ = -1;
  bool reaped_ = false;
  ExitStatus status_;
  std::string pending_;  // message bytes read; those from `returned_` on are not yet returned
  std::size_t returned_ = 0;  // bytes of pending_ already returned as lines (erased in one go later)
  std::string tail_;     // the last kTailBytes of output
  bool message_eof_ = false;
  bool streaming_ = false;  // the last poll found messages: sleep a little before the next one
  bool echo_ = false;       // --no-capture: copy the worker's output to stderr as it comes
  bool interactive_ = false;  // an agent: one response per request, no pause between lines
};

/// The time point `seconds` from now, on the clock of every deadline here.
WorkerProcess::Clock::time_point deadline_after(double seconds);

/// `s` as printable ASCII on one line (line breaks and tabs become spaces, other bytes '?'), at
/// most `limit` characters then "...": how a worker's or an agent's words are quoted in reports,
/// which stay valid UTF-8.
std::string excerpt(std::string_view s, std::size_t limit);

}  // namespace vmc::plugin
