// local_primitives.hpp - VmPrimitives for the memory of this very process (backend `native`).
//
// mmap / mprotect / madvise / munmap on the calling process, and memcpy for reads and writes of
// ranges the region table has already checked. Linux only (MAP_FIXED_NOREPLACE, MADV_DONTNEED).
#pragma once

#include "vm_primitives.hpp"

namespace vmc {

class LocalPrimitives final : public VmPrimitives {
 public:
  LocalPrimitives();
  std::uint32_t os_page_size() const override { return page_size_; }
  std::uint64_t map_none(std::uint64_t address, std::uint64_t size, bool fixed,
                         int* error) override;
  std::uint64_t map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot,
                         int* error) override;
  int protect(std::uint64_t address, std::uint64_t size, int prot) override;
  int discard(std::uint64_t address, std::uint64_t size) override;
  int unmap(std::uint64_t address, std::uint64_t size) override;
  std::size_t read(std::uint64_t address, void* buffer, std::size_t n) override;
  std::size_t write(std::uint64_t address, const void* buffer, std::size_t n) override;

 private:
  std::uint32_t page_size_;
};

}  // namespace vmc
