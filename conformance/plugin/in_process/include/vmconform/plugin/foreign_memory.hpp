// foreign_memory.hpp - memory a plugin's host did not allocate, for rule VF-FOREIGN.
//
// VirtualFree must refuse memory that lies in no live host allocation; the properties already
// generate never-allocated, granule-tail, interior and released addresses. What else exists
// depends on where the plugin's targets live, which the worker finds out once by asking the
// plugin itself (probe_situation): if a target's memory is the worker's own memory (checked by
// writing through the plugin and reading the worker's memory directly), the worker's malloc'd,
// mmap'd and stack memory are foreign to it, and so is memory allocated through a second target
// opened from the same plugin; if targets live elsewhere (another process, an emulator) but
// share one address space (a reservation through one blocks the same range in another), only
// the second target's memory is meaningful; if every target is its own address space, nothing
// else exists and none is invented. A plugin of ABI version 2 that says where its memory lives
// (memory_process) is believed instead of probed; one without VirtualFree needs no foreign memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/plugin/plugin_library.hpp"
#include "vmconform/plugin/step_log.hpp"
#include "vmconform/plugin.h"
#include "vmconform/target.hpp"

namespace vmc::plugin {

struct Situation {
  bool in_worker = false;     // a target's memory is the worker process's memory
  bool shared_space = false;  // targets opened from the plugin share one address space
  bool frees = true;          // the plugin provides virtual_free (else VF-FOREIGN does not apply)
  bool declared = false;      // the plugin said where its memory lives (memory_process), not probed
  std::int64_t process = VMC_MEMORY_ELSEWHERE;  // what memory_process() said
  std::string describe() const;
};

/// Opens probe targets through `api` (their calls are noted on `steps`) and closes them again.
Situation probe_situation(const PluginApi& api, const std::string& options, StepRecorder& steps);

/// Blocks the worker allocates itself: a malloc'd block, an mmap'd page, and (when the worker
/// registered one) a buffer on its stack. Filled with recognisable bytes; freed on destruction.
class WorkerBlocks {
 public:
  WorkerBlocks();
  ~WorkerBlocks();
  WorkerBlocks(const WorkerBlocks&) = delete;
  WorkerBlocks& operator=(const WorkerBlocks&) = delete;
  std::vector<ForeignMemory> memory() const;
  /// A buffer on the stack of the worker's main function, valid while the worker runs.
  static void set_stack_buffer(void* buffer, std::size_t size);

 private:
  void* heap_ = nullptr;
  void* page_ = nullptr;
  std::size_t page_size_ = 0;
};

/// A second target opened from the same plugin, holding one committed reservation.
class SecondTarget {
 public:
  /// nullptr (with the reason noted on `steps`) if the plugin cannot open or allocate it.
  static std::unique_ptr<SecondTarget> open(const PluginApi& api, const std::string& options, StepRecorder& steps);
  ~SecondTarget();
  SecondTarget(const SecondTarget&) = delete;
  SecondTarget& operator=(const SecondTarget&) = delete;
  ForeignMemory memory() const { return memory_; }

 private:
  SecondTarget(const PluginApi& api, vmc_target* t, StepRecorder& steps) : api_(api), t_(t), steps_(steps) {}
  const PluginApi& api_;
  vmc_target* t_;
  StepRecorder& steps_;
  ForeignMemory memory_;
};

}  // namespace vmc::plugin
