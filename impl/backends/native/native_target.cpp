// native_target.cpp - NativeTarget: LocalPrimitives under the region table, and its foreign memory.
//
// The foreign blocks are filled with a recognisable pattern so that a test reading them directly
// can tell that nothing reached them through the target (every access through the target to
// memory outside the table must fail).
#include "native_target.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "arena_primitives.hpp"
#include "local_primitives.hpp"

namespace vmc {

namespace {
std::unique_ptr<VmPrimitives> local_primitives(bool arena) {
  if (arena) return std::make_unique<ArenaPrimitives>(std::make_unique<LocalPrimitives>());
  return std::make_unique<LocalPrimitives>();
}
}  // namespace

NativeTarget::NativeTarget(bool arena) : RegionTableTarget(local_primitives(arena)) {
  heap_block_ = std::malloc(kHeapBlockSize);
  if (heap_block_ == nullptr) throw std::bad_alloc();
  std::memset(heap_block_, 0xA5, kHeapBlockSize);
  mapped_size_ = page_size();
  void* page = ::mmap(nullptr, mapped_size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    std::free(heap_block_);
    throw std::bad_alloc();
  }
  mapped_page_ = page;
  std::memset(mapped_page_, 0x5A, mapped_size_);
  embedded_buffer_.fill(0xC3);
}

NativeTarget::~NativeTarget() {
  ::munmap(mapped_page_, mapped_size_);
  std::free(heap_block_);
}

std::vector<ForeignMemory> NativeTarget::foreign_memory() {
  return {
      {reinterpret_cast<std::uint64_t>(heap_block_), kHeapBlockSize,
       "a block from malloc (the C heap of this process)"},
      {reinterpret_cast<std::uint64_t>(embedded_buffer_.data()), embedded_buffer_.size(),
       "a buffer embedded in the target object (stands in for a stack buffer: memory of the "
       "process that the host never allocated)"},
      {reinterpret_cast<std::uint64_t>(mapped_page_), mapped_size_,
       "a page mapped with mmap by the backend outside the host's table (someone else's mapping)"},
  };
}

}  // namespace vmc
