// procfs_memory.hpp - the suite's own WriteVirtual and ReadVirtual over a process's memory as the
// operating system maps it, for plugins that allocate but do not read or write.
//
// A plugin of ABI version 2 may provide allocate_virtual_memory and virtual_free without
// write_virtual or read_virtual (a CLR host's IHostMemoryManager has no read). The properties still
// need to fill memory and to observe it, so the suite does both itself, in the process the plugin
// names (memory_process), with Win32's rules applied to the protections /proc/PID/maps shows: a
// write succeeds only when every page of its range is mapped writable or executable
// (WriteProcessMemory writes code pages) and then writes every byte through /proc/PID/mem, else it
// fails with HRESULT_FROM_WIN32(ERROR_NOACCESS) having written nothing; a read returns the longest
// prefix of readable pages (HRESULT_FROM_WIN32(ERROR_PARTIAL_COPY) when the first byte is not
// readable). So PROT_NONE pages - reserved, PAGE_NOACCESS, PAGE_GUARD - are neither, as the rules
// say. /proc/PID/mem writes through any protection (the kernel forces them), which is why the maps
// are checked first, and why a plugin that maps a protection unnaturally is observed as it maps it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "vmconform/target.hpp"

namespace vmc::plugin {

class ProcfsMemory {
 public:
  /// `process` 0 is this process. Throws std::runtime_error if /proc/PID/mem cannot be opened.
  explicit ProcfsMemory(std::int64_t process);
  ~ProcfsMemory();
  ProcfsMemory(const ProcfsMemory&) = delete;
  ProcfsMemory& operator=(const ProcfsMemory&) = delete;

  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested);
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                       std::uint32_t* bytes_read);

 private:
  /// How many bytes from `address` (at most n) lie in consecutive mappings whose permissions
  /// contain one of the characters of `any_of` ("r" for reading, "wx" for writing).
  std::uint64_t accessible_prefix(std::uint64_t address, std::uint64_t n, const char* any_of) const;

  pid_t pid_;
  int mem_fd_ = -1;
  std::string maps_path_;
};

}  // namespace vmc::plugin
