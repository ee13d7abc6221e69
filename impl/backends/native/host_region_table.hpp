// host_region_table.hpp - Win32 reservation semantics kept by the host, memory reached through
// VmPrimitives.
//
// RegionTableTarget is the half of a native backend that does not depend on where the memory
// lives: it keeps the host's own table of reservations (allocation base, size, the granule tail it
// holds, per-page reserved/committed state and protection including PAGE_GUARD), performs every
// Win32 validation of AllocateVirtualMemory / VirtualFree / WriteVirtual / ReadVirtual in the
// order of the reference model (profile `win32`), and touches memory only through a VmPrimitives
// object (local system calls for `native`, injected system calls for `process`). Memory that is
// not inside a live host allocation is never read, written or freed through it. Every public
// operation holds one mutex for the table and the primitive calls it makes.
//
// What the primitives can rely on: read() and write() are only called for ranges that are
// accessible with their current real protection - for a write to PAGE_EXECUTE(_READ) pages the
// table first adds PROT_WRITE with protect() and restores the protection afterwards. Reserved
// pages are always PROT_NONE and zero (decommit calls protect(PROT_NONE) and then discard()), so
// a commit is a single protect(). Every reservation is one map_none() (address 0: the OS picks,
// then the table trims to a granularity-aligned base; explicit: fixed) covering its granule tail.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "vmconform/target.hpp"
#include "vm_primitives.hpp"

namespace vmc {

struct RegionTableConfig {
  std::uint32_t page_size = 0x1000;
  std::uint32_t allocation_granularity = 0x10000;
  std::uint64_t lowest_address = 0x10000;                 // first usable byte
  std::uint64_t highest_address = 0x00007FFFFFFEFFFFull;  // last usable byte
};

/// Consecutive pages of one allocation with the same state and protection.
struct HostPageRun {
  bool committed = false;
  std::uint32_t protect = 0;  // the Win32 protection while committed, 0 while reserved
  bool operator==(const HostPageRun&) const = default;
};

/// One reservation made through AllocateVirtualMemory, as the host's table records it.
struct HostAllocation {
  std::uint64_t base = 0;         // granularity-aligned
  std::uint64_t size = 0;         // page multiple; [base, base + size) is the reservation
  std::uint64_t mapped_size = 0;  // what the host holds mapped: size, plus the granule tail
                                  // [base + size, round_up(base + size, G)) when it was free and
                                  // the reservation was not committed in one mmap
  std::uint32_t allocation_protect = 0;
  /// First page index of a run -> the run. Every page belongs to one run; neighbours differ.
  std::map<std::uint64_t, HostPageRun> runs;
};

/// The PROT_* bits a Win32 protection maps to (any PAGE_GUARD, PAGE_NOACCESS -> PROT_NONE;
/// PAGE_EXECUTE and PAGE_EXECUTE_READ -> PROT_READ|PROT_EXEC; NOCACHE/WRITECOMBINE ignored).
int posix_protection(std::uint32_t protect);
/// ReadVirtual may read a committed page with this protection.
bool win32_readable_protection(std::uint32_t protect);
/// WriteVirtual may write a committed page with this protection (profile win32: READWRITE,
/// EXECUTE_READWRITE, and EXECUTE / EXECUTE_READ which WriteProcessMemory re-protects).
bool win32_writable_protection(std::uint32_t protect);

class RegionTableTarget : public Target {
 public:
  /// Owns the primitives. Throws std::invalid_argument if the OS page size does not divide
  /// config.page_size or the granularity is not a page multiple.
  explicit RegionTableTarget(std::unique_ptr<VmPrimitives> primitives,
                             RegionTableConfig config = {});
  /// Borrows the primitives; they must outlive the target.
  explicit RegionTableTarget(VmPrimitives& primitives, RegionTableConfig config = {});
  /// Releases (unmaps) every reservation still in the table.
  ~RegionTableTarget() override;
  RegionTableTarget(const RegionTableTarget&) = delete;
  RegionTableTarget& operator=(const RegionTableTarget&) = delete;

  std::uint32_t page_size() const override { return config_.page_size; }
  std::uint32_t allocation_granularity() const override { return config_.allocation_granularity; }

  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                  std::uint32_t allocation_type, std::uint32_t page_protection,
                                  std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size,
                       std::uint32_t free_type) override;
  /// All-or-nothing; subclasses may replace it (for example by one raw primitive call).
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                        std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer,
                       std::uint32_t bytes_requested, std::uint32_t* bytes_read) override;
  bool has_query() const override { return true; }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  bool inject_host_fault(hresult code) override;

  /// A copy of the table, ordered by base (for tests and diagnostics).
  std::vector<HostAllocation> allocations() const;
  const RegionTableConfig& config() const { return config_; }

 protected:
  // For subclasses. The *_locked helpers expect table_mutex() to be held by the caller.
  VmPrimitives& primitives() { return *primitives_; }
  std::mutex& table_mutex() const { return mutex_; }
  const HostAllocation* allocation_containing_locked(std::uint64_t address) const;
  /// Every byte of [address, address + n) is in committed, win32-writable host pages.
  bool range_writable_locked(std::uint64_t address, std::uint64_t n) const;
  /// How many bytes from `address` (at most n) lie in committed, readable host pages.
  std::uint64_t readable_prefix_locked(std::uint64_t address, std::uint64_t n) const;

 private:
  /// A piece of an allocation's run clipped to a range: [begin, end) in bytes.
  struct Segment {
    std::uint64_t begin;
    std::uint64_t end;
    HostPageRun run;
  };

  std::uint64_t round_down(std::uint64_t v, std::uint64_t to) const { return v - v % to; }
  std::uint64_t page_index(const HostAllocation& a, std::uint64_t address) const {
    return (address - a.base) / config_.page_size;
  }
  HostAllocation* find_allocation(std::uint64_t address);
  bool conflicts_with_table(std::uint64_t base, std::uint64_t end) const;
  HostPageRun run_at(const HostAllocation& a, std::uint64_t page) const;
  /// The run containing the byte `address` of allocation a, clipped to [address, limit).
  Segment segment_at(const HostAllocation& a, std::uint64_t address, std::uint64_t limit) const;
  void set_runs(HostAllocation& a, std::uint64_t first_page, std::uint64_t count, HostPageRun run);
  /// Re-applies the table's protection to pages [first, first + count) of `a` after a failed
  /// primitive left them in an unknown state (best effort).
  void restore_protection(const HostAllocation& a, std::uint64_t first, std::uint64_t count);
  hresult hresult_from_errno(int error) const;
  void check_configuration() const;

  // AllocateVirtualMemory, after validation (host_region_allocate.cpp).
  hresult reserve_at_system_choice(std::uint64_t size, bool commit, std::uint32_t protect,
                                   std::uint64_t* allocated_address);
  hresult reserve_at(std::uint64_t base, std::uint64_t size, bool commit, std::uint32_t protect,
                     std::uint64_t* allocated_address);
  hresult finish_reservation(std::uint64_t base, std::uint64_t size, std::uint64_t mapped_size,
                             bool commit, std::uint32_t protect, std::uint64_t* allocated_address);
  /// Enters a reservation whose pages are already mapped with their final protection.
  hresult record_reservation(std::uint64_t base, std::uint64_t size, std::uint64_t mapped_size,
                             bool commit, std::uint32_t protect, std::uint64_t* allocated_address);
  hresult commit_existing(std::uint64_t address, std::uint32_t size, std::uint32_t protect,
                          std::uint64_t* allocated_address);
  hresult reset(std::uint64_t address, std::uint32_t size, std::uint64_t* allocated_address);
  // VirtualFree's effects (host_region_free.cpp).
  hresult release(HostAllocation& a);
  hresult decommit(HostAllocation& a, std::uint64_t first, std::uint64_t count);

  std::unique_ptr<VmPrimitives> owned_primitives_;
  VmPrimitives* primitives_;
  RegionTableConfig config_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, HostAllocation> allocations_;  // by base
  std::optional<hresult> pending_fault_;
  bool clr_unavailable_ = false;
  /// Where the next system-choice reservation tries a single fixed, no-replace mapping first
  /// (0: no guess): just below the last one made. Never a released base: callers (and tests) may
  /// still free by that address, and reusing it at once would turn their stale frees into hits.
  std::uint64_t next_guess_ = 0;
};

}  // namespace vmc
