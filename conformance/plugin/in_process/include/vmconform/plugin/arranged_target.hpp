// arranged_target.hpp - a target whose missing operations the suite provides itself (ABI v2).
//
// A plugin of ABI version 2 may lack operations. ArrangedTarget is the vmc::Target of such a
// plugin: every operation the plugin provides goes to its PluginTarget, everything else to the
// suite, over the same memory (the process memory_process() names):
// - no allocate_virtual_memory / virtual_free (a debugger's data target): the suite's arranger, a
//   target of its `native` backend (this process) or `process` backend (process N) made by
//   PluginSession::arranger, takes AllocateVirtualMemory, VirtualFree, the query and host-fault
//   injection, and whatever of WriteVirtual and ReadVirtual the plugin lacks as well; so every
//   reservation, commit, protection, decommit and release a property or the state machine asks
//   for really happens in the memory the plugin writes and reads;
// - allocate and free but no write_virtual or read_virtual (a CLR host's memory manager): the
//   suite writes and reads that memory itself as the OS maps it (procfs_memory.hpp).
// Every call is announced on the step log as the plugin's are, so a counterexample lists the
// suite's steps too (its text replays the same way: allocation steps to the suite again). The
// rules of the missing operations are skipped by the runner before any target is made
// (vmc::Operations); the properties that remain see one ordinary target.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/plugin/plugin_target.hpp"
#include "vmconform/plugin/procfs_memory.hpp"
#include "vmconform/target.hpp"

namespace vmc::plugin {

/// Who provides what a plugin lacks, in words, for the reports ("" when it lacks nothing), e.g.
/// "AllocateVirtualMemory and VirtualFree by the suite (its native backend, in the worker process)".
std::string describe_arrangement(const PluginApi& api, std::int64_t process);

class ArrangedTarget final : public Target {
 public:
  /// Throws std::runtime_error if the plugin's memory location cannot be arranged or observed.
  ArrangedTarget(PluginSession& session, std::unique_ptr<PluginTarget> plugin);
  ~ArrangedTarget() override;

  std::uint32_t page_size() const override { return plugin_->page_size(); }
  std::uint32_t allocation_granularity() const override { return plugin_->allocation_granularity(); }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t allocation_type,
                                  std::uint32_t page_protection, std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                       std::uint32_t* bytes_read) override;
  bool has_query() const override;
  /// A data target on memory the suite arranged reads the whole process (D-NONHOST).
  bool reads_beyond_host() const override { return arranger_ != nullptr && session_.api().read_virtual != nullptr; }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  std::vector<ForeignMemory> foreign_memory() override;
  bool inject_host_fault(hresult code) override;
  std::string failure() const override;

 private:
  PluginSession& session_;
  std::unique_ptr<PluginTarget> plugin_;
  std::unique_ptr<Target> arranger_;       // the suite's target over the same memory (no allocate)
  std::unique_ptr<ProcfsMemory> observer_;  // the suite's write and read (allocate, no write or read)
};

}  // namespace vmc::plugin
