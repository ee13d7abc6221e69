// process_test_support.hpp - helpers the process-backend tests share: helper processes we
// start ourselves, and views of another process from outside (/proc, process_vm_readv).
//
// Every wait here is bounded, so a broken backend makes a test fail, never hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote_maps.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc::process::test {

/// A `sleep SECONDS` process we started; killed and reaped by the destructor if still there.
class SleepProcess {
 public:
  explicit SleepProcess(const std::string& seconds);
  ~SleepProcess();
  SleepProcess(const SleepProcess&) = delete;
  SleepProcess& operator=(const SleepProcess&) = delete;
  pid_t pid() const { return pid_; }
  /// Waits (bounded) for it to exit; its wait status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  /// Has not exited (a stopped process counts as alive); reaps it if it has.
  bool running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// A field of /proc/PID/status ("TracerPid", "State"...), trimmed; "" if absent.
std::string status_field(pid_t pid, const std::string& name);
/// The one-letter state of /proc/PID/stat ('S', 'R', 't', 'Z'...), or 0.
char process_state(pid_t pid);

/// Bytes of another process read with process_vm_readv (empty on failure).
std::vector<std::uint8_t> peek(pid_t pid, std::uint64_t address, std::size_t n);
/// Bytes of another process read through /proc/PID/mem, whatever their protection (empty if
/// unmapped).
std::vector<std::uint8_t> peek_force(pid_t pid, std::uint64_t address, std::size_t n);
/// Waits (bounded) until `pid` runs the program `comm` (its exec is done).
bool wait_for_comm(pid_t pid, const std::string& comm, std::chrono::milliseconds timeout);
/// The permissions of the mapping holding `address` in `pid` ("rw-p"...), or "" if unmapped.
std::string permissions_at(pid_t pid, std::uint64_t address);

/// A factory of a registered backend, with options.
std::unique_ptr<TargetFactory> make_factory(const std::string& backend,
                                            const std::string& options = "");

}  // namespace vmc::process::test
