// procfs_memory.cpp - WriteVirtual and ReadVirtual through /proc/PID/maps and /proc/PID/mem
// (vmconform/plugin/procfs_memory.hpp).
#include "vmconform/plugin/procfs_memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "vmconform/constants.hpp"

namespace vmc::plugin {

ProcfsMemory::ProcfsMemory(std::int64_t process)
    : pid_(process == 0 ? ::getpid() : static_cast<pid_t>(process)),
      maps_path_("/proc/" + std::to_string(pid_) + "/maps") {
  const std::string mem = "/proc/" + std::to_string(pid_) + "/mem";
  mem_fd_ = ::open(mem.c_str(), O_RDWR | O_CLOEXEC);
  if (mem_fd_ < 0)
    throw std::runtime_error("cannot open " + mem + " to observe the plugin's memory: " + std::strerror(errno));
}

ProcfsMemory::~ProcfsMemory() {
  if (mem_fd_ >= 0) ::close(mem_fd_);
}

std::uint64_t ProcfsMemory::accessible_prefix(std::uint64_t address, std::uint64_t n, const char* any_of) const {
  std::ifstream maps(maps_path_);
  std::uint64_t at = address;
  const std::uint64_t end = address + n < address ? ~std::uint64_t{0} : address + n;
  for (std::string line; at < end && std::getline(maps, line);) {
    unsigned long long low = 0, high = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %7s", &low, &high, perms) != 3) continue;
    if (high <= at) continue;
    if (low > at) break;  // a hole: the prefix ends here (the maps are sorted by address)
    if (std::strpbrk(perms, any_of) == nullptr) break;
    at = std::min<std::uint64_t>(high, end);
  }
  return at - address;
}

hresult ProcfsMemory::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                                   std::uint32_t* bytes_read) {
  if (bytes_read == nullptr) return E_POINTER;
  *bytes_read = 0;
  if (bytes_requested == 0) return S_OK;
  if (buffer == nullptr) return E_POINTER;
  const std::uint64_t readable = accessible_prefix(address, bytes_requested, "r");
  if (readable == 0) return HR_PARTIAL_COPY;
  const ssize_t n = ::pread(mem_fd_, buffer, readable, static_cast<off_t>(address));
  if (n <= 0) return HR_PARTIAL_COPY;
  *bytes_read = static_cast<std::uint32_t>(n);
  return S_OK;
}

hresult ProcfsMemory::write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) {
  if (bytes_requested == 0) return S_OK;
  if (buffer == nullptr) return E_POINTER;
  if (address + bytes_requested < address) return HR_NOACCESS;
  if (accessible_prefix(address, bytes_requested, "wx") < bytes_requested) return HR_NOACCESS;
  const ssize_t n = ::pwrite(mem_fd_, buffer, bytes_requested, static_cast<off_t>(address));
  return n == static_cast<ssize_t>(bytes_requested) ? S_OK : HR_NOACCESS;
}

}  // namespace vmc::plugin
