// vm_primitives.hpp - the raw memory-mapping primitives a native backend stands on.
//
// The native backends keep the Win32 semantics (regions, granularity, commit state, the host's
// own allocation table) in one place and reach real memory only through this small interface:
// local system calls for `native`, system calls injected into a stopped child for `process`.
// Every call is a plain POSIX operation with no Win32 meaning; errors are errno values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmc {

class VmPrimitives {
 public:
  virtual ~VmPrimitives() = default;
  /// The OS page size (sysconf(_SC_PAGESIZE)) of the address space.
  virtual std::uint32_t os_page_size() const = 0;
  /// mmap(address, size, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE [|MAP_FIXED_NOREPLACE
  /// when fixed]). Returns the mapped address, or 0 with *error set.
  virtual std::uint64_t map_none(std::uint64_t address, std::uint64_t size, bool fixed,
                                 int* error) = 0;
  /// As map_none, but the pages get `prot` (PROT_* bits) at once: a committed reservation in one
  /// system call where the primitives can do that. This default is map_none then protect (two
  /// calls); on a failure nothing stays mapped and *error says why.
  virtual std::uint64_t map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot,
                                 int* error) {
    const std::uint64_t at = map_none(address, size, fixed, error);
    if (at == 0 || prot == 0) return at;
    if (const int e = protect(at, size, prot); e != 0) {
      unmap(at, size);
      if (error != nullptr) *error = e;
      return 0;
    }
    return at;
  }
  /// mprotect(address, size, prot). Returns 0 or an errno value.
  virtual int protect(std::uint64_t address, std::uint64_t size, int prot) = 0;
  /// Drops the contents of the pages so they read as zero when next made accessible
  /// (for example mmap MAP_FIXED over them with PROT_NONE). Returns 0 or an errno value.
  virtual int discard(std::uint64_t address, std::uint64_t size) = 0;
  /// munmap(address, size). Returns 0 or an errno value.
  virtual int unmap(std::uint64_t address, std::uint64_t size) = 0;
  /// Copies bytes the caller has already checked are readable / writable. Returns the number of
  /// bytes transferred (less than n only on a failure of the primitive itself).
  virtual std::size_t read(std::uint64_t address, void* buffer, std::size_t n) = 0;
  virtual std::size_t write(std::uint64_t address, const void* buffer, std::size_t n) = 0;
};

}  // namespace vmc
