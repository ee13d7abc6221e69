// address_space_probe.hpp - facts about this process's address space that the native tests need.
//
// The differential tests reserve at explicit addresses; they must pick places the kernel (and the
// sanitizers' runtimes) will leave alone during the run, and when the OS refuses a reservation
// they must find out what foreign mapping was in the way to tell the reference model about it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmc::test {

struct AddressRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // exclusive
};

/// The permissions column of /proc/self/maps for the mapping holding `address` ("r-xp"...),
/// or "" if nothing is mapped there.
std::string os_permissions(std::uint64_t address);

/// Every mapping of this process, from /proc/self/maps (empty if it cannot be read).
std::vector<AddressRange> current_mappings();

/// The parts of [begin, end) that are mapped but not inside any of `ours` (sorted, disjoint).
std::vector<AddressRange> foreign_mappings_in(std::uint64_t begin, std::uint64_t end,
                                              const std::vector<AddressRange>& ours);

/// A free, 64 KiB-aligned range of `size` bytes at the bottom of a much larger hole the kernel
/// found (`hole` bytes). The kernel fills holes from the top, so its own choices - and those of
/// malloc and the sanitizers - are unlikely to reach this range while a test runs.
std::uint64_t find_quiet_arena(std::uint64_t size, std::uint64_t hole = 16ull << 30);

/// Whether reading one byte at `address` works, checked without touching it (nullopt if the
/// system does not let this process use process_vm_readv on itself).
std::optional<bool> os_readable(std::uint64_t address);

}  // namespace vmc::test
