// page_bytes.cpp - the counted page blocks of the reference model (see page_bytes.hpp).
#include "vmconform/page_bytes.hpp"

#include <cstring>
#include <new>
#include <utility>

namespace vmc {

PageBytes PageBytes::allocate(std::uint32_t size) {
  void* memory = ::operator new(sizeof(Header) + size);
  PageBytes page;
  page.block_ = new (memory) Header{{1}, size, 0};
  return page;
}

PageBytes PageBytes::zeroed(std::uint32_t size) {
  PageBytes page = allocate(size);
  std::memset(page.data(), 0, size);
  return page;
}

PageBytes PageBytes::copy_of(const PageBytes& other) {
  if (!other) return {};
  PageBytes page = allocate(other.size());
  std::memcpy(page.data(), other.data(), other.size());
  return page;
}

PageBytes::PageBytes(const PageBytes& other) noexcept : block_(other.block_) {
  if (block_ != nullptr) block_->owners.fetch_add(1, std::memory_order_relaxed);
}

PageBytes::PageBytes(PageBytes&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}

PageBytes& PageBytes::operator=(PageBytes other) noexcept {
  std::swap(block_, other.block_);
  return *this;  // `other` drops what this reference held
}

PageBytes::~PageBytes() {
  if (block_ == nullptr) return;
  // The last owner frees the block; acquire-release so that every other owner's writes to the
  // bytes happen before the free (as std::shared_ptr does).
  if (block_->owners.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    block_->~Header();
    ::operator delete(block_);
  }
}

std::uint8_t* PageBytes::data() const noexcept { return block_ == nullptr ? nullptr : bytes_of(block_); }

std::uint32_t PageBytes::size() const noexcept { return block_ == nullptr ? 0 : block_->size; }

std::uint32_t PageBytes::owners() const noexcept {
  return block_ == nullptr ? 0 : block_->owners.load(std::memory_order_relaxed);
}

void PageBytes::prefetch(const void* block, std::uint32_t first, std::uint32_t last) noexcept {
  const auto* bytes = static_cast<const std::uint8_t*>(block) + sizeof(Header);
  __builtin_prefetch(block);  // the count (and the first bytes)
  __builtin_prefetch(bytes + first);
  __builtin_prefetch(bytes + last);
}

}  // namespace vmc
