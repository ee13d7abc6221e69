// address_space_probe.cpp - /proc/self/maps parsing and arena probing for the native tests.
//
// os_readable uses process_vm_readv on our own pid: it returns EFAULT instead of
// delivering SIGSEGV, which makes it a safe oracle for "this address really is inaccessible".
#include "address_space_probe.hpp"

#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>

namespace vmc::test {

std::vector<AddressRange> current_mappings() {
  std::vector<AddressRange> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::uint64_t begin = 0, end = 0;
    if (std::sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64, &begin, &end) == 2 && begin < end)
      out.push_back({begin, end});
  }
  return out;
}

std::string os_permissions(std::uint64_t address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::uint64_t begin = 0, end = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64 " %7s", &begin, &end, perms) == 3 &&
        begin <= address && address < end)
      return perms;
  }
  return "";
}

std::vector<AddressRange> foreign_mappings_in(std::uint64_t begin, std::uint64_t end,
                                              const std::vector<AddressRange>& ours) {
  std::vector<AddressRange> sorted_ours = ours;
  std::sort(sorted_ours.begin(), sorted_ours.end(),
            [](const AddressRange& a, const AddressRange& b) { return a.begin < b.begin; });
  std::vector<AddressRange> out;
  for (const AddressRange& m : current_mappings()) {
    std::uint64_t lo = std::max(m.begin, begin);
    const std::uint64_t hi = std::min(m.end, end);
    // Walk the piece [lo, hi) and cut out what is ours.
    for (const AddressRange& o : sorted_ours) {
      if (lo >= hi) break;
      if (o.end <= lo || o.begin >= hi) continue;
      if (o.begin > lo) out.push_back({lo, o.begin});
      lo = std::max(lo, o.end);
    }
    if (lo < hi) out.push_back({lo, hi});
  }
  return out;
}

std::uint64_t find_quiet_arena(std::uint64_t size, std::uint64_t hole) {
  void* p = ::mmap(nullptr, hole, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return 0;
  ::munmap(p, hole);
  const std::uint64_t granule = 0x10000;
  const std::uint64_t base = (reinterpret_cast<std::uint64_t>(p) + granule - 1) / granule * granule;
  return size + granule <= hole ? base : 0;
}

std::optional<bool> os_readable(std::uint64_t address) {
  unsigned char byte = 0;
  iovec local{&byte, 1};
  iovec remote{reinterpret_cast<void*>(address), 1};
  if (::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0) == 1) return true;
  if (errno == EFAULT) return false;
  return std::nullopt;
}

}  // namespace vmc::test
