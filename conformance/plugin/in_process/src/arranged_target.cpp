// arranged_target.cpp - ArrangedTarget: the plugin's operations, and the suite's for the rest
// (vmconform/plugin/arranged_target.hpp).
#include "vmconform/plugin/arranged_target.hpp"

#include <stdexcept>

#include "vmconform/constants.hpp"

namespace vmc::plugin {

std::string describe_arrangement(const PluginApi& api, std::int64_t process) {
  if (api.complete()) return "";
  const std::string where =
      process == VMC_MEMORY_THIS_PROCESS ? "in the worker process" : "in process " + std::to_string(process);
  if (!api.allocates()) {
    std::string what = "AllocateVirtualMemory, VirtualFree";
    if (!api.writes()) what += ", WriteVirtual";
    if (!api.reads()) what += ", ReadVirtual";
    what += ", the query and host-fault injection";
    return what + " by the suite: its " + (process == VMC_MEMORY_THIS_PROCESS ? "native" : "process") +
           " backend " + where + " (coverage cells of those calls were reached by the suite, not the plugin)";
  }
  std::string what = !api.writes() && !api.reads() ? "WriteVirtual and ReadVirtual"
                     : !api.writes()               ? "WriteVirtual"
                                                   : "ReadVirtual";
  return what + " by the suite: /proc/PID/maps and /proc/PID/mem " + where +
         " (coverage cells of those calls were reached by the suite, not the plugin)";
}

ArrangedTarget::ArrangedTarget(PluginSession& session, std::unique_ptr<PluginTarget> plugin)
    : session_(session), plugin_(std::move(plugin)) {
  const PluginApi& api = session_.api();
  const std::int64_t process = api.memory(plugin_->handle());
  if (process < 0)
    throw std::runtime_error("memory_process() returned " + std::to_string(process) +
                             ": the suite cannot arrange or observe memory it cannot reach");
  if (!api.allocates()) {
    arranger_ = session_.arranger(process).make();
    if (arranger_->page_size() != plugin_->page_size() ||
        arranger_->allocation_granularity() != plugin_->allocation_granularity())
      throw std::runtime_error("the plugin's page size and allocation granularity differ from those of the memory "
                               "the suite arranges (" + hex(arranger_->page_size()) + ", " +
                               hex(arranger_->allocation_granularity()) + ")");
  } else {
    observer_ = std::make_unique<ProcfsMemory>(process);
  }
}

ArrangedTarget::~ArrangedTarget() {
  arranger_.reset();  // the suite's reservations go first, then the plugin's target closes
  plugin_.reset();
}

hresult ArrangedTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                                std::uint32_t protect, std::uint64_t* allocated_address) {
  if (!arranger_) return plugin_->allocate_virtual_memory(address, size, type, protect, allocated_address);
  plugin_->locked_steps()->alloc(address, size, type, protect);
  const hresult hr = arranger_->allocate_virtual_memory(address, size, type, protect, allocated_address);
  plugin_->locked_steps()->alloc_done(address, size, type, hr, allocated_address ? *allocated_address : 0);
  return hr;
}

hresult ArrangedTarget::virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) {
  if (!arranger_) return plugin_->virtual_free(address, size, free_type);
  plugin_->locked_steps()->free(address, size, free_type);
  return arranger_->virtual_free(address, size, free_type);
}

hresult ArrangedTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) {
  if (session_.api().writes()) return plugin_->write_virtual(address, buffer, bytes_requested);
  plugin_->locked_steps()->write(address, buffer, bytes_requested);
  return arranger_ ? arranger_->write_virtual(address, buffer, bytes_requested)
                   : observer_->write_virtual(address, buffer, bytes_requested);
}

hresult ArrangedTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                                     std::uint32_t* bytes_read) {
  if (session_.api().reads()) return plugin_->read_virtual(address, buffer, bytes_requested, bytes_read);
  plugin_->locked_steps()->read(address, bytes_requested);
  return arranger_ ? arranger_->read_virtual(address, buffer, bytes_requested, bytes_read)
                   : observer_->read_virtual(address, buffer, bytes_requested, bytes_read);
}

bool ArrangedTarget::has_query() const { return arranger_ ? arranger_->has_query() : plugin_->has_query(); }

hresult ArrangedTarget::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (!arranger_) return plugin_->query_virtual(address, info);
  plugin_->locked_steps()->query(address);
  return arranger_->query_virtual(address, info);
}

std::vector<ForeignMemory> ArrangedTarget::foreign_memory() {
  // Without VirtualFree of its own the plugin has no use for foreign memory (VF-FOREIGN does not
  // apply), and the arranger's foreign blocks are ordinary readable memory to a plugin that reads
  // the process as the OS maps it: offer none.
  if (!arranger_) return plugin_->foreign_memory();
  plugin_->locked_steps()->set_foreign({});
  return {};
}

bool ArrangedTarget::inject_host_fault(hresult code) {
  if (!arranger_) return plugin_->inject_host_fault(code);
  plugin_->locked_steps()->note("the suite's inject_host_fault(" + hresult_name(code) + ")");
  return arranger_->inject_host_fault(code);
}

std::string ArrangedTarget::failure() const {
  if (arranger_) return arranger_->failure();
  return "";
}

}  // namespace vmc::plugin
