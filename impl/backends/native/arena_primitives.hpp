// arena_primitives.hpp - VmPrimitives that keep every mapping inside one reserved arena.
//
// The region table (host_region_table.hpp) keeps Win32's view of its reservations, and only its
// own accesses consult that view. When something else reads and writes the same memory as the
// operating system maps it - a plugin's data target that the suite hands memory it arranged
// (conformance/plugin/in_process/arranged_target.hpp) - every address the rules call free (the
// page after a reservation, a granule tail, a released range) must be unmapped or PROT_NONE for
// that reader too, yet the process around the reservations is full of other mappings (libraries,
// the heap, the sanitizers' own) that can land anywhere free at any time. ArenaPrimitives wraps
// another VmPrimitives (LocalPrimitives for `native`, RemotePrimitives for `process`), maps one
// PROT_NONE, MAP_NORESERVE arena of kArenaSize bytes through it at construction, and then serves
// every map from inside the arena by its own bookkeeping (top-down, deterministic, a margin kept
// free at both ends): a map protects pages already mapped, an unmap makes them PROT_NONE and zero
// again (protect, discard) instead of returning them to the OS. Nothing else can then map there,
// and every page the table does not hold reads as PROT_NONE. An explicit address outside the arena
// is refused as occupied (EEXIST: the table then says ERROR_INVALID_ADDRESS, decision D-OCCUPIED).
// Backend option `arena` of `native` and `process` selects it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "vm_primitives.hpp"

namespace vmc {

class ArenaPrimitives final : public VmPrimitives {
 public:
  static constexpr std::uint64_t kArenaSize = std::uint64_t{64} << 30;  // 64 GiB of address space
  static constexpr std::uint64_t kMargin = std::uint64_t{256} << 20;    // kept free at each end

  /// Maps the arena through `inner`. Throws std::runtime_error if it cannot.
  explicit ArenaPrimitives(std::unique_ptr<VmPrimitives> inner);
  /// Unmaps the arena.
  ~ArenaPrimitives() override;
  ArenaPrimitives(const ArenaPrimitives&) = delete;
  ArenaPrimitives& operator=(const ArenaPrimitives&) = delete;

  VmPrimitives& inner() { return *inner_; }
  std::uint64_t arena_begin() const { return begin_; }
  std::uint64_t arena_end() const { return end_; }

  std::uint32_t os_page_size() const override { return inner_->os_page_size(); }
  std::uint64_t map_none(std::uint64_t address, std::uint64_t size, bool fixed, int* error) override;
  std::uint64_t map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot, int* error) override;
  int protect(std::uint64_t address, std::uint64_t size, int prot) override;
  int discard(std::uint64_t address, std::uint64_t size) override { return inner_->discard(address, size); }
  int unmap(std::uint64_t address, std::uint64_t size) override;
  std::size_t read(std::uint64_t address, void* buffer, std::size_t n) override { return inner_->read(address, buffer, n); }
  std::size_t write(std::uint64_t address, const void* buffer, std::size_t n) override {
    return inner_->write(address, buffer, n);
  }

 private:
  bool in_use(std::uint64_t address, std::uint64_t size) const;   // any byte of the range is mapped
  bool all_used(std::uint64_t address, std::uint64_t size) const;  // every byte of the range is mapped
  /// The highest page-aligned free range of `size` bytes inside the margins, or 0.
  std::uint64_t find_free(std::uint64_t size) const;

  std::unique_ptr<VmPrimitives> inner_;
  std::uint64_t begin_ = 0, end_ = 0;
  std::map<std::uint64_t, std::uint64_t> used_;  // begin -> end of what the table holds mapped
};

}  // namespace vmc
