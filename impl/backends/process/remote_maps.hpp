// remote_maps.hpp - the mappings of a process as /proc/PID/maps lists them.
//
// Used to find a `syscall` instruction in the tracee, to name the tracee's own memory as
// foreign memory for VirtualFree (VF-FOREIGN), and by the tests to check from outside what the
// backend did. Reading fails softly: a vanished process yields an empty list.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vmc::process {

struct MapEntry {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // one past the last byte
  bool read = false, write = false, exec = false, shared = false;
  std::string path;  // file path, "[stack]", "[vdso]"..., or empty for anonymous memory
};

/// The mappings of `pid` in address order; empty if /proc/PID/maps cannot be read.
std::vector<MapEntry> read_maps(pid_t pid);

/// The mapping holding `address`, or nullptr.
const MapEntry* find_mapping(const std::vector<MapEntry>& maps, std::uint64_t address);

}  // namespace vmc::process
