// page_bytes.hpp - the stored bytes of one page of the reference model, shared by its copies.
//
// Purpose: a copy of the model (the checker snapshots it before some operations) shares every
// stored page with the original, and a write to a shared page copies the page first (copy on
// write, ReferenceModel::own_page). A PageBytes is a counted reference to one heap block that
// holds the count of its owners and then the page's bytes, what a
// std::shared_ptr<std::uint8_t[]> from std::make_shared did; the layout is ours so that the count
// sits right before the bytes, in the same block and usually the same 4 KiB page of memory. One
// address (block()) then names everything an access to the page touches, and the allocation
// index keeps it to prefetch the page while the allocation's record is on its way
// (AllocationTable, reference_model.hpp; reports/benchmarks/model-lookup.md).
//
// The count is atomic: copies of a model may be used and destroyed on different threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace vmc {

class PageBytes {
 public:
  /// No bytes (the page reads as zero).
  PageBytes() noexcept = default;
  /// A page of `size` zero bytes, owned by this reference alone.
  static PageBytes zeroed(std::uint32_t size);
  /// A new page holding a copy of `other`'s bytes, owned by this reference alone.
  static PageBytes copy_of(const PageBytes& other);

  PageBytes(const PageBytes& other) noexcept;  // one more owner of the same bytes
  PageBytes(PageBytes&& other) noexcept;       // `other` is left without bytes
  PageBytes& operator=(PageBytes other) noexcept;
  ~PageBytes();

  explicit operator bool() const noexcept { return block_ != nullptr; }
  /// The bytes (nullptr if there are none).
  std::uint8_t* data() const noexcept;
  std::uint32_t size() const noexcept;
  /// How many references own the bytes (0 if there are none).
  std::uint32_t owners() const noexcept;
  /// More than one reference owns the bytes: a write must copy them first.
  bool shared() const noexcept { return owners() > 1; }

  /// The block holding the count and the bytes, for prefetch() (nullptr if there are no bytes).
  const void* block() const noexcept { return block_; }
  /// Asks the processor to fetch the count and the bytes [first, last] of the page whose block
  /// is `block`; a hint with no effect on the program (nothing is read). `first` <= `last` <
  /// the page's size.
  static void prefetch(const void* block, std::uint32_t first, std::uint32_t last) noexcept;

 private:
  struct Header {
    std::atomic<std::uint32_t> owners;
    std::uint32_t size;
    std::uint64_t reserved;  // keeps the bytes 16-byte aligned
  };
  static_assert(sizeof(Header) == 16);
  static std::uint8_t* bytes_of(Header* h) noexcept { return reinterpret_cast<std::uint8_t*>(h + 1); }
  static PageBytes allocate(std::uint32_t size);

  Header* block_ = nullptr;
};

}  // namespace vmc
