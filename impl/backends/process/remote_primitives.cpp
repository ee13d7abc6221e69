// remote_primitives.cpp - the POSIX primitives, executed in the tracee.
//
// Results follow VmPrimitives: errno values, 0 on success. A dead tracee gives ESRCH from every
// call. Byte transfers try process_vm_readv/writev first (one system call, honours
// protections) and finish through /proc/PID/mem for pages those refused (read-only or
// execute-only protections: the table above has already decided the access is allowed).
#include "remote_primitives.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace vmc::process {

namespace {
constexpr long kMmap = SYS_mmap, kMprotect = SYS_mprotect, kMunmap = SYS_munmap;
constexpr int kAnonFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
bool is_error(std::int64_t r) { return r < 0 && r >= -4095; }
}  // namespace

RemotePrimitives::RemotePrimitives(std::shared_ptr<Tracee> tracee)
    : tracee_(std::move(tracee)), page_size_(static_cast<std::uint32_t>(sysconf(_SC_PAGESIZE))) {}

RemotePrimitives::~RemotePrimitives() { release_all(); }

std::int64_t RemotePrimitives::call(long nr, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                                    std::uint64_t a3, std::uint64_t a4, std::uint64_t a5) {
  const auto r = tracee_->inject_syscall(nr, {a0, a1, a2, a3, a4, a5});
  return r ? *r : -ESRCH;
}

bool RemotePrimitives::owns(std::uint64_t address, std::uint64_t size) const {
  if (size == 0 || address + size < address) return false;
  auto it = mapped_.upper_bound(address);
  if (it == mapped_.begin()) return false;
  --it;
  return it->first <= address && address + size <= it->second;
}

void RemotePrimitives::remember(std::uint64_t start, std::uint64_t end) {
  // Merge with touching neighbours so that owns() sees one range.
  auto next = mapped_.lower_bound(start);
  if (next != mapped_.begin()) {
    auto prev = std::prev(next);
    if (prev->second >= start) {
      start = prev->first;
      end = std::max(end, prev->second);
      mapped_.erase(prev);
    }
  }
  next = mapped_.lower_bound(start);
  while (next != mapped_.end() && next->first <= end) {
    end = std::max(end, next->second);
    next = mapped_.erase(next);
  }
  mapped_[start] = end;
}

void RemotePrimitives::forget(std::uint64_t start, std::uint64_t end) {
  auto it = mapped_.lower_bound(start);
  if (it != mapped_.begin() && std::prev(it)->second > start) --it;
  while (it != mapped_.end() && it->first < end) {
    const std::uint64_t s = it->first, e = it->second;
    it = mapped_.erase(it);
    if (s < start) mapped_[s] = start;
    if (e > end) mapped_[end] = e;
  }
}

std::uint64_t RemotePrimitives::map_none(std::uint64_t address, std::uint64_t size, bool fixed,
                                         int* error) {
  int ignored = 0;
  if (error == nullptr) error = &ignored;
  *error = 0;
  if (size == 0) {
    *error = EINVAL;
    return 0;
  }
  const int flags = kAnonFlags | (fixed ? MAP_FIXED_NOREPLACE : 0);
  const std::int64_t r = call(kMmap, address, size, PROT_NONE, static_cast<std::uint64_t>(flags),
                              static_cast<std::uint64_t>(-1), 0);
  if (is_error(r)) {
    *error = static_cast<int>(-r);
    return 0;
  }
  const auto got = static_cast<std::uint64_t>(r);
  if (fixed && got != address) {  // a kernel without MAP_FIXED_NOREPLACE treated it as a hint
    call(kMunmap, got, size);
    *error = EEXIST;
    return 0;
  }
  remember(got, got + size);
  return got;
}

int RemotePrimitives::protect(std::uint64_t address, std::uint64_t size, int prot) {
  if (!owns(address, size)) return ENOMEM;  // as mprotect on memory that is not ours
  const std::int64_t r = call(kMprotect, address, size, static_cast<std::uint64_t>(prot));
  return is_error(r) ? static_cast<int>(-r) : 0;
}

int RemotePrimitives::discard(std::uint64_t address, std::uint64_t size) {
  if (!owns(address, size)) return EINVAL;  // never map over someone else's memory
  const std::int64_t r = call(kMmap, address, size, PROT_NONE,
                              static_cast<std::uint64_t>(kAnonFlags | MAP_FIXED),
                              static_cast<std::uint64_t>(-1), 0);
  if (is_error(r)) return static_cast<int>(-r);
  return static_cast<std::uint64_t>(r) == address ? 0 : EFAULT;
}

int RemotePrimitives::unmap(std::uint64_t address, std::uint64_t size) {
  if (size == 0 || address + size < address) return EINVAL;
  // Only our own pieces of the range; unmapping nothing succeeds, as munmap does.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;
  for (const auto& [s, e] : mapped_) {
    const std::uint64_t lo = std::max(s, address), hi = std::min(e, address + size);
    if (lo < hi) pieces.emplace_back(lo, hi);
  }
  for (const auto& [lo, hi] : pieces) {
    const std::int64_t r = call(kMunmap, lo, hi - lo);
    if (is_error(r)) return static_cast<int>(-r);
    forget(lo, hi);
  }
  return 0;
}

std::size_t RemotePrimitives::read(std::uint64_t address, void* buffer, std::size_t n) {
  if (n == 0 || !owns(address, n) || !tracee_->alive()) return 0;
  iovec local{buffer, n};
  iovec remote{reinterpret_cast<void*>(address), n};
  ssize_t got = process_vm_readv(tracee_->pid(), &local, 1, &remote, 1, 0);
  std::size_t done = got > 0 ? static_cast<std::size_t>(got) : 0;
  if (got < 0 && errno == ESRCH) tracee_->note_vanishing();
  while (done < n && tracee_->mem_fd() >= 0) {
    got = pread(tracee_->mem_fd(), static_cast<char*>(buffer) + done, n - done,
                static_cast<off_t>(address + done));
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

std::size_t RemotePrimitives::write(std::uint64_t address, const void* buffer, std::size_t n) {
  if (n == 0 || !owns(address, n) || !tracee_->alive()) return 0;
  iovec local{const_cast<void*>(buffer), n};
  iovec remote{reinterpret_cast<void*>(address), n};
  ssize_t put = process_vm_writev(tracee_->pid(), &local, 1, &remote, 1, 0);
  std::size_t done = put > 0 ? static_cast<std::size_t>(put) : 0;
  if (put < 0 && errno == ESRCH) tracee_->note_vanishing();
  while (done < n && tracee_->mem_fd() >= 0) {
    put = pwrite(tracee_->mem_fd(), static_cast<const char*>(buffer) + done, n - done,
                 static_cast<off_t>(address + done));
    if (put <= 0) break;
    done += static_cast<std::size_t>(put);
  }
  return done;
}

bool RemotePrimitives::release_all() {
  bool all = true;
  while (!mapped_.empty()) {
    const auto [s, e] = *mapped_.begin();
    if (!tracee_->alive() || is_error(call(kMunmap, s, e - s))) all = false;
    mapped_.erase(s);  // gone or not, never try again
  }
  return all;
}

}  // namespace vmc::process
