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
//
// The mappings are looked up one by one with the PROCMAP_QUERY ioctl of /proc/PID/maps (Linux
// 6.11 and later) where the kernel has it, else by parsing the maps text, which the kernel
// renders whole for every read: with hundreds of mappings (a sanitized process has many) the text
// made up most of a plugin run's time. Both give the same answer (plugin_host.ProcfsMemory.*).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "vmconform/target.hpp"

namespace vmc::plugin {

class ProcfsMemory {
 public:
  /// How the mappings are read: PROCMAP_QUERY when the kernel answers it (else the text), or the
  /// text always.
  enum class Maps { query_if_available, text };
  /// Access a prefix must have: readable, or writable ("w" or "x" in the maps: WriteProcessMemory
  /// writes code pages).
  enum class Access { read, write };

  /// `process` 0 is this process. Throws std::runtime_error if /proc/PID/mem cannot be opened.
  explicit ProcfsMemory(std::int64_t process, Maps maps = Maps::query_if_available);
  ~ProcfsMemory();
  ProcfsMemory(const ProcfsMemory&) = delete;
  ProcfsMemory& operator=(const ProcfsMemory&) = delete;

  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested);
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                       std::uint32_t* bytes_read);

  /// How many bytes from `address` (at most n) lie in consecutive mappings with `access`.
  std::uint64_t accessible_prefix(std::uint64_t address, std::uint64_t n, Access access) const;
  /// Whether the mappings are looked up with PROCMAP_QUERY (else parsed from the text).
  bool uses_query() const { return maps_fd_ >= 0; }

 private:
  std::uint64_t prefix_by_query(std::uint64_t address, std::uint64_t end, Access access) const;
  std::uint64_t prefix_by_text(std::uint64_t address, std::uint64_t end, Access access) const;

  pid_t pid_;
  int mem_fd_ = -1;
  int maps_fd_ = -1;  // open only while PROCMAP_QUERY works on it
  std::string maps_path_;
};

}  // namespace vmc::plugin
