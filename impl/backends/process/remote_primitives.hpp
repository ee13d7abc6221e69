// remote_primitives.hpp - vmc::VmPrimitives for another process, reached through ptrace.
//
// mmap, mprotect and munmap run inside the tracee as injected system calls (tracee.hpp); bytes
// move with process_vm_readv / process_vm_writev, and through /proc/PID/mem (which ignores page
// protections, as WriteProcessMemory does for code pages) for whatever those refuse. The object
// remembers every range it mapped and refuses to touch anything else - protect, discard, read
// and write outside its own mappings fail without reaching the tracee, and unmap only removes
// its own pieces - so a bug above it can never damage a process we attached to. Destroying it
// unmaps whatever it still holds, leaving the tracee as it was.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "tracee.hpp"
#include "vm_primitives.hpp"

namespace vmc::process {

class RemotePrimitives final : public VmPrimitives {
 public:
  explicit RemotePrimitives(std::shared_ptr<Tracee> tracee);
  ~RemotePrimitives() override;
  RemotePrimitives(const RemotePrimitives&) = delete;
  RemotePrimitives& operator=(const RemotePrimitives&) = delete;

  std::uint32_t os_page_size() const override { return page_size_; }
  std::uint64_t map_none(std::uint64_t address, std::uint64_t size, bool fixed,
                         int* error) override;
  int protect(std::uint64_t address, std::uint64_t size, int prot) override;
  int discard(std::uint64_t address, std::uint64_t size) override;
  int unmap(std::uint64_t address, std::uint64_t size) override;
  std::size_t read(std::uint64_t address, void* buffer, std::size_t n) override;
  std::size_t write(std::uint64_t address, const void* buffer, std::size_t n) override;

  Tracee& tracee() const { return *tracee_; }
  const std::shared_ptr<Tracee>& shared_tracee() const { return tracee_; }
  /// The ranges mapped through this object and not yet unmapped (start -> end).
  const std::map<std::uint64_t, std::uint64_t>& mapped() const { return mapped_; }
  /// True if [address, address + size) lies inside ranges mapped through this object.
  bool owns(std::uint64_t address, std::uint64_t size) const;
  /// Unmaps everything mapped through this object; false if the tracee refused or is gone.
  bool release_all();

 private:
  /// Runs a system call; returns the result or a negative errno (-ESRCH if the tracee is gone).
  std::int64_t call(long nr, std::uint64_t a0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                    std::uint64_t a3 = 0, std::uint64_t a4 = 0, std::uint64_t a5 = 0);
  void remember(std::uint64_t start, std::uint64_t end);
  void forget(std::uint64_t start, std::uint64_t end);

  std::shared_ptr<Tracee> tracee_;
  std::uint32_t page_size_;
  std::map<std::uint64_t, std::uint64_t> mapped_;
};

}  // namespace vmc::process
