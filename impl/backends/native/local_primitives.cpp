// local_primitives.cpp - the mapping primitives of this process: plain system calls and memcpy.
//
// Writes into pages whose real protection is not writable (PAGE_EXECUTE and PAGE_EXECUTE_READ are
// PROT_READ|PROT_EXEC) never reach write() that way: RegionTableTarget adds PROT_WRITE around the
// copy through protect() and restores it, holding its table lock. That was chosen over
// pwrite(/proc/self/mem) because it needs no /proc, does not depend on the kernel allowing
// FOLL_FORCE writes (proc_mem.force_override, lockdown), keeps the copy visible to the sanitizers
// (a write through /proc is invisible to ASan/TSan), is what WriteProcessMemory itself does on
// Windows, and works unchanged for any VmPrimitives (the `process` backend reuses it). So read()
// and write() here copy ranges the table has proven accessible - with memmove, because a caller
// may legitimately pass a buffer that itself lies in (or overlaps) host memory.
#include "local_primitives.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmc {

namespace {
// ThreadSanitizer's mmap interceptor replaces a hint outside its application ranges by 0 unless
// MAP_FIXED is set, and MAP_FIXED_NOREPLACE at address 0 would then mean "map page 0". Under
// TSan a fixed request is therefore a plain hint, and a result elsewhere counts as "occupied".
#if defined(__SANITIZE_THREAD__)
constexpr int kNoReplace = 0;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr int kNoReplace = 0;
#else
constexpr int kNoReplace = MAP_FIXED_NOREPLACE;
#endif
#else
constexpr int kNoReplace = MAP_FIXED_NOREPLACE;
#endif

void* pointer(std::uint64_t address) { return reinterpret_cast<void*>(address); }
}  // namespace

LocalPrimitives::LocalPrimitives()
    : page_size_(static_cast<std::uint32_t>(::sysconf(_SC_PAGESIZE))) {}

std::uint64_t LocalPrimitives::map_none(std::uint64_t address, std::uint64_t size, bool fixed,
                                        int* error) {
  return map_with(address, size, fixed, PROT_NONE, error);
}

std::uint64_t LocalPrimitives::map_with(std::uint64_t address, std::uint64_t size, bool fixed,
                                        int prot, int* error) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  if (fixed) flags |= kNoReplace;
  void* mapped = ::mmap(pointer(address), size, prot, flags, -1, 0);
  if (mapped == MAP_FAILED) {
    if (error != nullptr) *error = errno;
    return 0;
  }
  if (fixed && mapped != pointer(address)) {
    // A kernel older than 4.17 (or a hint-only request, see above) placed it elsewhere.
    ::munmap(mapped, size);
    if (error != nullptr) *error = EEXIST;
    return 0;
  }
  return reinterpret_cast<std::uint64_t>(mapped);
}

int LocalPrimitives::protect(std::uint64_t address, std::uint64_t size, int prot) {
  return ::mprotect(pointer(address), size, prot) == 0 ? 0 : errno;
}

int LocalPrimitives::discard(std::uint64_t address, std::uint64_t size) {
  // Private anonymous pages read as zero after MADV_DONTNEED, whatever their protection.
  return ::madvise(pointer(address), size, MADV_DONTNEED) == 0 ? 0 : errno;
}

int LocalPrimitives::unmap(std::uint64_t address, std::uint64_t size) {
  return ::munmap(pointer(address), size) == 0 ? 0 : errno;
}

std::size_t LocalPrimitives::read(std::uint64_t address, void* buffer, std::size_t n) {
  std::memmove(buffer, pointer(address), n);
  return n;
}

std::size_t LocalPrimitives::write(std::uint64_t address, const void* buffer, std::size_t n) {
  std::memmove(pointer(address), buffer, n);
  return n;
}

}  // namespace vmc
