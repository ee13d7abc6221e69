// host_region_access.cpp - ReadVirtual and WriteVirtual for RegionTableTarget.
//
// Both decide everything from the table before touching memory, so they never fault: a read
// copies only the longest prefix of committed, readable host pages; a write checks every page of
// its range first and then copies all of it or nothing. Pages that are writable in Win32 terms
// but not really writable (PAGE_EXECUTE, PAGE_EXECUTE_READ map to PROT_READ|PROT_EXEC) get
// PROT_WRITE added for the duration of the copy and their protection put back afterwards, as
// WriteProcessMemory does on Windows. The table mutex is held throughout, so no other call
// through this target can observe the temporary protection.
#include <sys/mman.h>

#include <algorithm>
#include <vector>

#include "host_region_table.hpp"

namespace vmc {

std::uint64_t RegionTableTarget::readable_prefix_locked(std::uint64_t address,
                                                        std::uint64_t n) const {
  std::uint64_t done = 0;
  while (done < n) {
    const std::uint64_t at = address + done;
    if (at < address) break;  // wrapped around the address space
    const HostAllocation* a = allocation_containing_locked(at);
    if (a == nullptr) break;
    const std::uint64_t limit = at + std::min(n - done, a->base + a->size - at);
    const Segment s = segment_at(*a, at, limit);
    if (!s.run.committed || !win32_readable_protection(s.run.protect)) break;
    done += s.end - at;  // contiguous allocations continue the prefix
  }
  return done;
}

bool RegionTableTarget::range_writable_locked(std::uint64_t address, std::uint64_t n) const {
  if (n == 0) return true;
  if (address + (n - 1) < address) return false;
  std::uint64_t done = 0;
  while (done < n) {
    const std::uint64_t at = address + done;
    const HostAllocation* a = allocation_containing_locked(at);
    if (a == nullptr) return false;
    const Segment s = segment_at(*a, at, at + std::min(n - done, a->base + a->size - at));
    if (!s.run.committed || !win32_writable_protection(s.run.protect)) return false;
    done += s.end - at;
  }
  return true;
}

hresult RegionTableTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer,
                                        std::uint32_t bytes_requested,
                                        std::uint32_t* bytes_read) {
  if (bytes_read == nullptr) return E_POINTER;
  *bytes_read = 0;
  if (bytes_requested == 0) return S_OK;  // D-ZERO-READ (win32)
  if (buffer == nullptr) return E_POINTER;
  std::lock_guard lock(mutex_);
  // RV-FIRST-BYTE: fail only if the first byte is unreadable, else the longest readable prefix.
  const std::uint64_t readable = readable_prefix_locked(address, bytes_requested);
  if (readable == 0) return HR_PARTIAL_COPY;
  const std::size_t copied = primitives_->read(address, buffer, readable);
  if (copied == 0) return HR_PARTIAL_COPY;
  *bytes_read = static_cast<std::uint32_t>(copied);
  return S_OK;
}

hresult RegionTableTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                                         std::uint32_t bytes_requested) {
  if (bytes_requested == 0) return S_OK;  // WV-ZERO-LENGTH-WRITABLE (win32; S_OK anywhere: D-ZERO-WRITE)
  if (buffer == nullptr) return E_POINTER;
  const std::uint64_t last = address + (bytes_requested - 1);
  if (last < address) return HR_NOACCESS;  // wraps around
  const std::uint64_t page = config_.page_size;
  std::lock_guard lock(mutex_);

  // WV-ATOMIC, WV-UNWRITABLE: every page must be committed and writable before any byte moves.
  struct Lift {
    std::uint64_t begin, length;
    int prot;
  };
  std::vector<Lift> lifts;  // code pages that need PROT_WRITE for the copy
  for (std::uint64_t done = 0; done < bytes_requested;) {
    const std::uint64_t at = address + done;
    const HostAllocation* a = allocation_containing_locked(at);
    if (a == nullptr) return HR_NOACCESS;
    const std::uint64_t limit = at + std::min(bytes_requested - done, a->base + a->size - at);
    const Segment s = segment_at(*a, at, limit);
    if (!s.run.committed || !win32_writable_protection(s.run.protect)) return HR_NOACCESS;
    const int prot = posix_protection(s.run.protect);
    if ((prot & PROT_WRITE) == 0) {
      const std::uint64_t begin = round_down(s.begin, page);
      lifts.push_back({begin, round_down(s.end + page - 1, page) - begin, prot});
    }
    done += s.end - at;
  }

  std::size_t lifted = 0;
  for (; lifted < lifts.size(); ++lifted) {
    const Lift& l = lifts[lifted];
    if (primitives_->protect(l.begin, l.length, l.prot | PROT_WRITE) != 0) break;
  }
  std::size_t written = 0;
  if (lifted == lifts.size()) written = primitives_->write(address, buffer, bytes_requested);
  for (std::size_t i = 0; i < lifted; ++i)
    primitives_->protect(lifts[i].begin, lifts[i].length, lifts[i].prot);
  // WV-ROUNDTRIP: every byte lands (a primitive failure is reported as an access failure).
  return written == bytes_requested ? S_OK : HR_NOACCESS;
}

}  // namespace vmc
