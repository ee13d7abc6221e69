// procfs_memory.cpp - WriteVirtual and ReadVirtual through /proc/PID/maps and /proc/PID/mem
// (vmconform/plugin/procfs_memory.hpp).
#include "vmconform/plugin/procfs_memory.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "vmconform/constants.hpp"

namespace vmc::plugin {
namespace {

// PROCMAP_QUERY, from Linux's uapi <linux/fs.h> (6.11 and later; Debian 12's kernel headers
// predate it, so its layout is declared here): the mapping that covers an address, or the next one.
struct ProcmapQuery {
  std::uint64_t size;
  std::uint64_t query_flags;
  std::uint64_t query_addr;
  std::uint64_t vma_start;
  std::uint64_t vma_end;
  std::uint64_t vma_flags;
  std::uint64_t vma_page_size;
  std::uint64_t vma_offset;
  std::uint64_t inode;
  std::uint32_t dev_major;
  std::uint32_t dev_minor;
  std::uint32_t vma_name_size;
  std::uint32_t build_id_size;
  std::uint64_t vma_name_addr;
  std::uint64_t build_id_addr;
};
static_assert(sizeof(ProcmapQuery) == 104);
constexpr unsigned long kProcmapQuery = 0xC0686611;  // _IOWR('f', 17, struct procmap_query)
constexpr std::uint64_t kVmaReadable = 0x01, kVmaWritable = 0x02, kVmaExecutable = 0x04;
constexpr std::uint64_t kCoveringOrNextVma = 0x10;

/// The mapping covering `address` or the first one after it: 0 when found, else the errno
/// (ENOENT: no mapping at or after it; ENOTTY or EINVAL: the kernel has no PROCMAP_QUERY).
int query(int maps_fd, std::uint64_t address, ProcmapQuery* q) {
  *q = ProcmapQuery{};
  q->size = sizeof *q;
  q->query_flags = kCoveringOrNextVma;
  q->query_addr = address;
  return ::ioctl(maps_fd, kProcmapQuery, q) == 0 ? 0 : errno;
}

bool has(ProcfsMemory::Access access, std::uint64_t vma_flags) {
  return access == ProcfsMemory::Access::read ? (vma_flags & kVmaReadable) != 0
                                              : (vma_flags & (kVmaWritable | kVmaExecutable)) != 0;
}

/// One maps line's "LOW-HIGH PERMS" in hexadecimal, parsed by hand (no locale, no allocation).
bool parse_line(const char* p, const char* end, std::uint64_t* low, std::uint64_t* high, std::uint64_t* flags) {
  const auto hex = [&](std::uint64_t* v) {
    const char* start = p;
    *v = 0;
    for (; p < end; ++p) {
      const char c = *p;
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) break;
      *v = *v << 4 | static_cast<std::uint64_t>(digit);
    }
    return p > start;
  };
  if (!hex(low) || p == end || *p++ != '-' || !hex(high) || p == end || *p++ != ' ' || end - p < 3) return false;
  *flags = (p[0] == 'r' ? kVmaReadable : 0) | (p[1] == 'w' ? kVmaWritable : 0) | (p[2] == 'x' ? kVmaExecutable : 0);
  return true;
}

}  // namespace

ProcfsMemory::ProcfsMemory(std::int64_t process, Maps maps)
    : pid_(process == 0 ? ::getpid() : static_cast<pid_t>(process)),
      maps_path_("/proc/" + std::to_string(pid_) + "/maps") {
  const std::string mem = "/proc/" + std::to_string(pid_) + "/mem";
  mem_fd_ = ::open(mem.c_str(), O_RDWR | O_CLOEXEC);
  if (mem_fd_ < 0)
    throw std::runtime_error("cannot open " + mem + " to observe the plugin's memory: " + std::strerror(errno));
  if (maps == Maps::query_if_available) {
    maps_fd_ = ::open(maps_path_.c_str(), O_RDONLY | O_CLOEXEC);
    ProcmapQuery q;
    const int error = maps_fd_ < 0 ? 0 : query(maps_fd_, 0, &q);
    if (error != 0 && error != ENOENT) {
      ::close(maps_fd_);  // no PROCMAP_QUERY here: the text it is
      maps_fd_ = -1;
    }
  }
}

ProcfsMemory::~ProcfsMemory() {
  if (mem_fd_ >= 0) ::close(mem_fd_);
  if (maps_fd_ >= 0) ::close(maps_fd_);
}

std::uint64_t ProcfsMemory::accessible_prefix(std::uint64_t address, std::uint64_t n, Access access) const {
  const std::uint64_t end = address + n < address ? ~std::uint64_t{0} : address + n;
  const std::uint64_t at = uses_query() ? prefix_by_query(address, end, access) : prefix_by_text(address, end, access);
  return at - address;
}

// Both walk the mappings in address order from `address`: the prefix ends at a hole, at a mapping
// without the access, or at `end`; they return where it ends.
std::uint64_t ProcfsMemory::prefix_by_query(std::uint64_t address, std::uint64_t end, Access access) const {
  std::uint64_t at = address;
  ProcmapQuery q;
  while (at < end && query(maps_fd_, at, &q) == 0 && q.vma_start <= at && has(access, q.vma_flags))
    at = std::min<std::uint64_t>(q.vma_end, end);
  return at;
}

// Line by line, so that the kernel renders the maps only up to where the prefix ends.
std::uint64_t ProcfsMemory::prefix_by_text(std::uint64_t address, std::uint64_t end, Access access) const {
  std::FILE* maps = std::fopen(maps_path_.c_str(), "re");
  if (maps == nullptr) return address;
  std::uint64_t at = address;
  char* line = nullptr;
  std::size_t capacity = 0;
  for (ssize_t length; at < end && (length = ::getline(&line, &capacity, maps)) > 0;) {
    std::uint64_t low = 0, high = 0, flags = 0;
    if (!parse_line(line, line + length, &low, &high, &flags) || high <= at) continue;
    if (low > at || !has(access, flags)) break;  // a hole, or a mapping without the access
    at = std::min<std::uint64_t>(high, end);
  }
  std::free(line);
  std::fclose(maps);
  return at;
}

hresult ProcfsMemory::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                                   std::uint32_t* bytes_read) {
  if (bytes_read == nullptr) return E_POINTER;
  *bytes_read = 0;
  if (bytes_requested == 0) return S_OK;
  if (buffer == nullptr) return E_POINTER;
  const std::uint64_t readable = accessible_prefix(address, bytes_requested, Access::read);
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
  if (accessible_prefix(address, bytes_requested, Access::write) < bytes_requested) return HR_NOACCESS;
  const ssize_t n = ::pwrite(mem_fd_, buffer, bytes_requested, static_cast<off_t>(address));
  return n == static_cast<ssize_t>(bytes_requested) ? S_OK : HR_NOACCESS;
}

}  // namespace vmc::plugin
