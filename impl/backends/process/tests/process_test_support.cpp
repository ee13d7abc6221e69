// process_test_support.cpp - helper processes and outside views for the process tests.
#include "process_test_support.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vmc::process::test {

SleepProcess::SleepProcess(const std::string& seconds) {
  std::string program = "sleep";
  char* const argv[] = {program.data(), const_cast<char*>(seconds.c_str()), nullptr};
  if (posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv, environ) != 0)
    throw std::runtime_error("cannot start sleep");
}

SleepProcess::~SleepProcess() {
  if (pid_ <= 0 || !running()) return;
  kill(pid_, SIGKILL);
  wait_exit(std::chrono::milliseconds(5000));
}

std::optional<int> SleepProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (r < 0) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::nullopt;
}

bool SleepProcess::running() {
  if (reaped_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {  // ECHILD: a tracer of it collected it
    reaped_ = true;
    return false;
  }
  return true;
}

std::string status_field(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) != 0) continue;
    std::string value = line.substr(name.size() + 1);
    const auto first = value.find_first_not_of(" \t");
    return first == std::string::npos ? "" : value.substr(first);
  }
  return "";
}

char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = all.rfind(')');
  return paren == std::string::npos || paren + 2 >= all.size() ? 0 : all[paren + 2];
}

std::vector<std::uint8_t> peek(pid_t pid, std::uint64_t address, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  iovec local{out.data(), n};
  iovec remote{reinterpret_cast<void*>(address), n};
  if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(n)) return {};
  return out;
}

std::vector<std::uint8_t> peek_force(pid_t pid, std::uint64_t address, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  std::ifstream mem("/proc/" + std::to_string(pid) + "/mem", std::ios::binary);
  mem.seekg(static_cast<std::streamoff>(address));
  if (!mem.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n))) return {};
  return out;
}

std::string permissions_at(pid_t pid, std::uint64_t address) {
  for (const MapEntry& e : read_maps(pid)) {
    if (e.start <= address && address < e.end) {
      std::string p = "----";
      if (e.read) p[0] = 'r';
      if (e.write) p[1] = 'w';
      if (e.exec) p[2] = 'x';
      p[3] = e.shared ? 's' : 'p';
      return p;
    }
  }
  return "";
}

bool wait_for_comm(pid_t pid, const std::string& comm, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(in, name);
    if (name == comm && process_state(pid) == 'S') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

std::unique_ptr<TargetFactory> make_factory(const std::string& backend,
                                            const std::string& options) {
  const BackendInfo* info = find_backend(backend);
  if (info == nullptr) throw std::runtime_error("no backend " + backend);
  BackendOptions o;
  o.options = options;
  return info->make_factory(o);
}

}  // namespace vmc::process::test
