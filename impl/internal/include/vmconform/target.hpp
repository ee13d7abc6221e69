// target.hpp - the one interface every backend implements.
//
// A Target is "an address space reached through the three documented operations":
// IJsDebugDataTarget::AllocateVirtualMemory, IHostMemoryManager::VirtualFree and
// ICorDebugMutableDataTarget::WriteVirtual, observed through ICorDebugDataTarget::ReadVirtual
// and, where the backend has it, a VirtualQuery-like query. The signatures mirror the
// documented ones (and the plugin ABI): 32-bit sizes for allocation, write and read, a
// 64-bit size for free. The reference model, the native backends and plugins all sit
// behind this interface, so the conformance suite needs no backend-specific code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/constants.hpp"

namespace vmc {

/// As VirtualQuery's MEMORY_BASIC_INFORMATION.
struct RegionInfo {
  std::uint64_t base_address = 0;
  std::uint64_t allocation_base = 0;
  std::uint64_t region_size = 0;
  std::uint32_t allocation_protect = 0;
  std::uint32_t state = 0;  // MEM_COMMIT, MEM_RESERVE or MEM_FREE
  std::uint32_t protect = 0;
  std::uint32_t type = 0;  // MEM_PRIVATE for host allocations
};

/// Memory that exists in the target but was not allocated through this host; the suite
/// passes such addresses to VirtualFree (rule VF-FOREIGN). `what` says where it came from.
struct ForeignMemory {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  std::string what;
};

class Target {
 public:
  virtual ~Target() = default;

  virtual std::uint32_t page_size() const = 0;
  virtual std::uint32_t allocation_granularity() const = 0;

  /// IJsDebugDataTarget::AllocateVirtualMemory.
  virtual hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                          std::uint32_t allocation_type,
                                          std::uint32_t page_protection,
                                          std::uint64_t* allocated_address) = 0;
  /// IHostMemoryManager::VirtualFree.
  virtual hresult virtual_free(std::uint64_t address, std::uint64_t size,
                               std::uint32_t free_type) = 0;
  /// ICorDebugMutableDataTarget::WriteVirtual.
  virtual hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                                std::uint32_t bytes_requested) = 0;
  /// ICorDebugDataTarget::ReadVirtual (partial reads allowed, see RV-FIRST-BYTE).
  virtual hresult read_virtual(std::uint64_t address, std::uint8_t* buffer,
                               std::uint32_t bytes_requested, std::uint32_t* bytes_read) = 0;

  /// VirtualQuery-like; backends without one return false from has_query().
  virtual bool has_query() const { return false; }
  virtual hresult query_virtual(std::uint64_t /*address*/, RegionInfo* /*info*/) {
    return E_NOTIMPL;
  }

  /// Addresses of memory this host did not allocate (malloc'd, stack, mapped by someone
  /// else). May be empty; the suite then uses never-allocated and released addresses only.
  virtual std::vector<ForeignMemory> foreign_memory() { return {}; }

  /// Fault injection for the host-failure rules (VF-EFAIL-STICKY...): when supported, the
  /// next virtual_free returns `code` without doing anything. Returns false if unsupported.
  virtual bool inject_host_fault(hresult /*code*/) { return false; }

  /// True when read_virtual reads whatever the address space holds, not only memory the host
  /// allocated: a data target (ICorDebugDataTarget) checked on memory the suite arranged in a real
  /// process, where other memory is mapped too (under Wine, at 64 KiB). D-NONHOST then requires
  /// unreadability only below 64 KiB: elsewhere, a page outside every host allocation that the
  /// backend reads is not compared (spec/profiles.md).
  virtual bool reads_beyond_host() const { return false; }

  /// Diagnostics, not part of the documented interfaces: "" while the target is usable, else
  /// why it no longer is, in words (e.g. "target process 1234 died (signal 9, Killed)" for a
  /// backend whose memory lives in another process). Runners print it next to the failures it
  /// causes, so a dead target is not mistaken for a conformance bug.
  virtual std::string failure() const { return {}; }
};

/// Makes fresh, independent targets of one backend (one per property case).
class TargetFactory {
 public:
  virtual ~TargetFactory() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<Target> make() = 0;
  /// As Target::failure() for the factory: the most recent failure of a target it made or of
  /// what it makes targets from (a traced process that died), or "".
  virtual std::string failure() const { return {}; }
};

}  // namespace vmc
