// native_target.hpp - the `native` backend's target: the region table over this process's memory.
//
// A RegionTableTarget with LocalPrimitives (inside an arena of their own with the backend option
// `arena`: arena_primitives.hpp), plus the foreign memory the suite needs for rule VF-FOREIGN: a
// malloc'd block, a buffer embedded in the target object, and a page mapped with mmap outside the
// table. All three live exactly as long as the target.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "host_region_table.hpp"

namespace vmc {

class NativeTarget : public RegionTableTarget {
 public:
  /// `arena`: every reservation inside one PROT_NONE arena (ArenaPrimitives).
  explicit NativeTarget(bool arena = false);
  ~NativeTarget() override;
  std::vector<ForeignMemory> foreign_memory() override;

 private:
  static constexpr std::size_t kHeapBlockSize = 4096;
  void* heap_block_ = nullptr;    // malloc'd
  void* mapped_page_ = nullptr;   // mmap'd by us, not through the table
  std::uint32_t mapped_size_ = 0;
  alignas(64) std::array<std::uint8_t, 512> embedded_buffer_{};
};

}  // namespace vmc
