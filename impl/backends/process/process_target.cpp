// process_target.cpp - RegionTableTarget over a tracee, failing cleanly once the tracee is gone.
//
// Each operation checks the tracee before and after delegating: before, so that a process that
// died between calls makes even table-only calls (query, validation failures) fail; after, so
// that a call during which it died does not report a success it cannot have had. Out-parameters
// are zeroed on those failures, as the model does on its own failures.
#include "process_target.hpp"

#include "arena_primitives.hpp"
#include "remote_maps.hpp"


namespace vmc::process {

namespace {
std::unique_ptr<VmPrimitives> remote_primitives(const std::shared_ptr<Tracee>& tracee, bool arena, RemotePrimitives** remote) {
  auto primitives = std::make_unique<RemotePrimitives>(tracee);
  *remote = primitives.get();
  if (!arena) return primitives;
  return std::make_unique<ArenaPrimitives>(std::move(primitives));
}
}  // namespace

ProcessTarget::ProcessTarget(std::shared_ptr<Tracee> tracee, bool arena)
    : RegionTableTarget(remote_primitives(tracee, arena, &remote_)), tracee_(std::move(tracee)) {}

hresult ProcessTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                               std::uint32_t allocation_type,
                                               std::uint32_t page_protection,
                                               std::uint64_t* allocated_address) {
  if (!tracee_->alive()) {
    if (allocated_address != nullptr) *allocated_address = 0;
    return E_UNEXPECTED;
  }
  const hresult hr = RegionTableTarget::allocate_virtual_memory(
      address, size, allocation_type, page_protection, allocated_address);
  if (!tracee_->alive()) {
    if (allocated_address != nullptr) *allocated_address = 0;
    return E_UNEXPECTED;
  }
  return hr;
}

hresult ProcessTarget::virtual_free(std::uint64_t address, std::uint64_t size,
                                    std::uint32_t free_type) {
  if (!tracee_->alive()) return E_UNEXPECTED;
  const hresult hr = RegionTableTarget::virtual_free(address, size, free_type);
  return tracee_->alive() ? hr : E_UNEXPECTED;
}

hresult ProcessTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                                     std::uint32_t bytes_requested) {
  if (!tracee_->alive()) return E_UNEXPECTED;
  const hresult hr = RegionTableTarget::write_virtual(address, buffer, bytes_requested);
  return tracee_->alive() ? hr : E_UNEXPECTED;
}

hresult ProcessTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer,
                                    std::uint32_t bytes_requested, std::uint32_t* bytes_read) {
  if (!tracee_->alive()) {
    if (bytes_read != nullptr) *bytes_read = 0;
    return E_UNEXPECTED;
  }
  const hresult hr = RegionTableTarget::read_virtual(address, buffer, bytes_requested, bytes_read);
  if (!tracee_->alive()) {
    if (bytes_read != nullptr) *bytes_read = 0;
    return E_UNEXPECTED;
  }
  return hr;
}

hresult ProcessTarget::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (!tracee_->alive()) {
    if (info != nullptr) *info = RegionInfo{};
    return E_UNEXPECTED;
  }
  return RegionTableTarget::query_virtual(address, info);
}

bool ProcessTarget::inject_host_fault(hresult code) {
  return tracee_->alive() && RegionTableTarget::inject_host_fault(code);
}

std::vector<ForeignMemory> ProcessTarget::foreign_memory() {
  std::vector<ForeignMemory> out;
  if (!tracee_->alive()) return out;
  bool have_image = false, have_stack = false, have_vdso = false;
  for (const MapEntry& e : read_maps(pid())) {
    if (remote().owns(e.start, e.end - e.start)) continue;  // ours, not foreign
    const std::string who = "process " + std::to_string(pid()) + ": ";
    if (!have_image && !e.path.empty() && e.path[0] == '/') {
      out.push_back({e.start, e.end - e.start, who + "first mapping of " + e.path});
      have_image = true;
    } else if (!have_stack && e.path == "[stack]") {
      out.push_back({e.start, e.end - e.start, who + "the main thread's stack"});
      have_stack = true;
    } else if (!have_vdso && e.path == "[vdso]") {
      out.push_back({e.start, e.end - e.start, who + "the kernel's vdso"});
      have_vdso = true;
    }
  }
  return out;
}

std::string failure_message(const Target& target) {
  const auto* p = dynamic_cast<const ProcessTarget*>(&target);
  return p == nullptr ? std::string() : p->failure();
}

}  // namespace vmc::process
