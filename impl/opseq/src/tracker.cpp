// tracker.cpp - Tracker (vmconform/opseq_tracker.hpp): handles from allocation results.
#include "vmconform/opseq_tracker.hpp"

namespace vmc::opseq {

Tracker::Tracker(std::uint32_t page_size, std::vector<ForeignSample> foreign)
    : page_(page_size == 0 ? 0x1000 : page_size), foreign_(std::move(foreign)) {}

void Tracker::restart(std::uint32_t page_size) {
  page_ = page_size == 0 ? 0x1000 : page_size;
  handles_.clear();
}

bool Tracker::makes_reservation(std::uint64_t address, std::uint32_t type) {
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  return (address == 0 && kind != MEM_RESET) || (kind & MEM_RESERVE) != 0;
}

bool Tracker::record_alloc(std::uint64_t address, std::uint32_t size, std::uint32_t type, hresult hr,
                           std::uint64_t allocated) {
  if (hr != S_OK || !makes_reservation(address, type)) return false;
  // The reservation runs from its base (the system's choice, or the address rounded down to the
  // granularity) to the end of the page holding the last byte asked for.
  const std::uint64_t end = (address == 0 ? allocated : address) + size;
  const std::uint64_t rounded_end = (end + page_ - 1) / page_ * page_;
  handles_.push_back({allocated, rounded_end > allocated ? rounded_end - allocated : page_});
  return true;
}

}  // namespace vmc::opseq
