// shadow_target.cpp - ShadowTarget: forward, classify on the shadow model, follow the target.
#include "vmconform/shadow_target.hpp"

namespace vmc::coverage {
namespace {
ModelConfig shadow_config(const Target& t) {
  ModelConfig c;
  c.page_size = t.page_size();
  c.allocation_granularity = t.allocation_granularity();
  c.foreign_image = false;  // the target's own foreign memory is what counts
  return c;
}
}  // namespace

ShadowTarget::ShadowTarget(Target& target, Counts& counts)
    : target_(target), shadow_(shadow_config(target)), tracker_(counts) {}

hresult ShadowTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                              std::uint32_t protect, std::uint64_t* allocated) {
  tracker_.allocate(shadow_, address, size, type, protect);
  const hresult hr = target_.allocate_virtual_memory(address, size, type, protect, allocated);
  // Follow the target: its choice of base, its refusals (the shadow never judges).
  std::uint64_t ignored = 0;
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  if (hr == S_OK && allocated != nullptr && address == 0 && kind != MEM_RESET) {
    if (shadow_.allocate_at_system_choice(*allocated, size, type, protect, &ignored) != S_OK) shadow_.occupy(*allocated, size);
  } else if (hr == S_OK) {
    shadow_.allocate_virtual_memory(address, size, type, protect, &ignored);
  } else if (address != 0 && (kind & MEM_RESERVE) && shadow_.allocation_violations(address, size, type, protect).empty()) {
    tracker_.occupied_refusal(address);  // refused where the shadow saw free memory (D-OCCUPIED)
  }
  return hr;
}

hresult ShadowTarget::virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) {
  tracker_.free(shadow_, address, size, type, is_foreign_sample(address));
  const hresult hr = target_.virtual_free(address, size, type);
  // The shadow's own fault logic runs on every call (a pending fault is consumed by this free).
  if (hr == S_OK || shadow_.clr_unavailable() || shadow_.host_fault_pending()) shadow_.virtual_free(address, size, type);
  return hr;
}

hresult ShadowTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) {
  tracker_.write(shadow_, address, n);
  return target_.write_virtual(address, buffer, n);
}

hresult ShadowTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                                   std::uint32_t* bytes_read) {
  tracker_.read(shadow_, address, n);
  return target_.read_virtual(address, buffer, n, bytes_read);
}

std::vector<ForeignMemory> ShadowTarget::foreign_memory() {
  if (!foreign_) {
    foreign_ = target_.foreign_memory();
    if (foreign_->empty()) tracker_.no_foreign_memory();
  }
  return *foreign_;
}

bool ShadowTarget::inject_host_fault(hresult code) {
  const bool injected = target_.inject_host_fault(code);
  tracker_.inject_fault(code, injected);
  if (injected) shadow_.inject_host_fault(code);
  return injected;
}

bool ShadowTarget::is_foreign_sample(std::uint64_t address) {
  for (const ForeignMemory& f : foreign_memory())
    if (address >= f.address && address - f.address < std::max<std::uint64_t>(f.size, 1)) return true;
  return false;
}

}  // namespace vmc::coverage
