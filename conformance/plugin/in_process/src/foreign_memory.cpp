// foreign_memory.cpp - the situation probes, the worker's own blocks and the second target
// (vmconform/plugin/foreign_memory.hpp).
//
// The probes use only the plugin's own operations plus one direct read of the worker's memory
// (process_vm_readv on itself, which fails cleanly on an unmapped address), so they work for
// any plugin: one that maps real memory of the worker, one that drives another process, one
// that simulates an address space. Every probe call is noted on the step log first.
#include "vmconform/plugin/foreign_memory.hpp"

#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "vmconform/constants.hpp"

namespace vmc::plugin {
namespace {

void* g_stack_buffer = nullptr;
std::size_t g_stack_size = 0;

/// A target opened for a probe and closed at the end of the scope.
struct ProbeTarget {
  ProbeTarget(const PluginApi& api, const std::string& options, StepRecorder& steps) : api(api), steps(steps) {
    steps.note("probe: open()");
    t = api.open(options.c_str());
  }
  ~ProbeTarget() {
    if (t == nullptr) return;
    steps.note("probe: close()");
    api.close(t);
  }
  hresult alloc(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint64_t* out) {
    steps.note("probe: allocate_virtual_memory(" + hex(address) + ", " + hex(size) + ", " + alloc_type_name(type) +
               ", PAGE_READWRITE)");
    *out = 0;
    return api.allocate_virtual_memory(t, address, size, type, PAGE_READWRITE, out);
  }
  void release(std::uint64_t address) {
    steps.note("probe: virtual_free(" + hex(address) + ", 0, MEM_RELEASE)");
    api.virtual_free(t, address, 0, MEM_RELEASE);
  }
  ProbeTarget(const ProbeTarget&) = delete;
  ProbeTarget& operator=(const ProbeTarget&) = delete;
  const PluginApi& api;
  StepRecorder& steps;
  vmc_target* t = nullptr;
};

/// Bytes nobody else would have put at that address.
void fill_unlikely(std::uint8_t* bytes, std::size_t n, std::uint64_t salt) {
  std::uint64_t x = salt ^ static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                    (static_cast<std::uint64_t>(::getpid()) << 32);
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    bytes[i] = static_cast<std::uint8_t>(x >> 56);
  }
}

/// True if `n` bytes at `address` of this process equal `expected` (false if unmapped).
bool worker_memory_holds(std::uint64_t address, const std::uint8_t* expected, std::size_t n) {
  std::uint8_t seen[64];
  if (n > sizeof seen) return false;
  iovec local{seen, n};
  iovec remote{reinterpret_cast<void*>(address), n};
  return ::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n) &&
         std::memcmp(seen, expected, n) == 0;
}

bool probe_in_worker(const PluginApi& api, const std::string& options, StepRecorder& steps) {
  ProbeTarget p(api, options, steps);
  if (p.t == nullptr) return false;
  std::uint64_t x = 0;
  if (p.alloc(0, api.page_size(p.t), MEM_COMMIT | MEM_RESERVE, &x) != S_OK || x == 0) return false;
  std::uint8_t pattern[32];
  fill_unlikely(pattern, sizeof pattern, x);
  steps.note("probe: write_virtual(" + hex(x) + ", 32 bytes)");
  const bool in_worker = api.write_virtual(p.t, x, pattern, sizeof pattern) == S_OK &&
                         worker_memory_holds(x, pattern, sizeof pattern);
  p.release(x);
  return in_worker;
}

bool probe_shared_space(const PluginApi& api, const std::string& options, StepRecorder& steps) {
  ProbeTarget one(api, options, steps), two(api, options, steps);
  if (one.t == nullptr || two.t == nullptr) return false;
  std::uint64_t x = 0, y = 0;
  if (one.alloc(0, api.allocation_granularity(one.t), MEM_RESERVE, &x) != S_OK || x == 0) return false;
  if (two.alloc(x, api.page_size(two.t), MEM_RESERVE, &y) == S_OK) {  // independent address spaces
    two.release(y);
    one.release(x);
    return false;
  }
  // Refused: because the first target holds the range, or for some other reason? Free it, retry.
  one.release(x);
  if (two.alloc(x, api.page_size(two.t), MEM_RESERVE, &y) != S_OK) return false;  // inconclusive
  two.release(y);
  return true;
}

}  // namespace

std::string Situation::describe() const {
  const std::string where = !declared            ? ""
                            : process == VMC_MEMORY_THIS_PROCESS ? " (memory_process(): this process)"
                                                                 : " (memory_process(): process " + std::to_string(process) + ")";
  if (!frees)
    return "the plugin provides no VirtualFree, so VF-FOREIGN does not apply; its memory lives in " +
           std::string(process == VMC_MEMORY_THIS_PROCESS ? "the worker's address space" : "process " + std::to_string(process)) +
           ", where the suite arranges it";
  if (declared && in_worker)
    return "the target lives in the worker's address space" + where +
           ": VF-FOREIGN also frees memory the worker allocated itself (a malloc'd block, an mmap'd page, a stack "
           "buffer) and memory of a second target opened from the plugin";
  if (declared)
    return "the target lives in another process" + where +
           ", which the plugin's targets share: VF-FOREIGN also frees memory of a second target opened from the plugin";
  if (in_worker)
    return "the target lives in the worker's address space: VF-FOREIGN also frees memory the worker allocated "
           "itself (a malloc'd block, an mmap'd page, a stack buffer) and memory of a second target opened from "
           "the plugin";
  if (shared_space)
    return "the target lives outside the worker (another process or an emulator) and the plugin's targets share "
           "one address space: VF-FOREIGN also frees memory of a second target opened from the plugin";
  return "every target is an address space of its own outside the worker (a simulator, or one process per "
         "target): VF-FOREIGN uses never-allocated, granule-tail and released addresses only, since neither the "
         "worker's memory nor a second target's exists in the target";
}

Situation probe_situation(const PluginApi& api, const std::string& options, StepRecorder& steps) {
  Situation s;
  s.frees = api.virtual_free != nullptr;
  if (api.memory_process != nullptr) {  // ABI version 2: the plugin says where its memory lives
    ProbeTarget p(api, options, steps);
    steps.note("probe: memory_process()");
    s.process = p.t == nullptr ? VMC_MEMORY_ELSEWHERE : api.memory(p.t);
    s.declared = s.process >= 0;
    s.in_worker = s.process == VMC_MEMORY_THIS_PROCESS;
    s.shared_space = s.process >= 0;  // every target of the plugin reaches the same process
    if (s.declared || !api.complete()) return s;
  }
  if (!s.frees || !api.complete()) return s;
  s.in_worker = probe_in_worker(api, options, steps);
  s.shared_space = s.in_worker || probe_shared_space(api, options, steps);
  return s;
}

WorkerBlocks::WorkerBlocks() {
  heap_ = std::malloc(4096);
  if (heap_ != nullptr) std::memset(heap_, 0xA5, 4096);
  page_size_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, page_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) {
    page_ = p;
    std::memset(page_, 0x5A, page_size_);
  }
}

WorkerBlocks::~WorkerBlocks() {
  if (page_ != nullptr) ::munmap(page_, page_size_);
  std::free(heap_);
}

std::vector<ForeignMemory> WorkerBlocks::memory() const {
  std::vector<ForeignMemory> out;
  if (heap_ != nullptr)
    out.push_back({reinterpret_cast<std::uint64_t>(heap_), 4096, "a block the worker allocated with malloc"});
  if (page_ != nullptr)
    out.push_back({reinterpret_cast<std::uint64_t>(page_), page_size_, "a page the worker mapped with mmap itself"});
  if (g_stack_buffer != nullptr)
    out.push_back({reinterpret_cast<std::uint64_t>(g_stack_buffer), g_stack_size, "a buffer on the worker's stack"});
  return out;
}

void WorkerBlocks::set_stack_buffer(void* buffer, std::size_t size) {
  g_stack_buffer = buffer;
  g_stack_size = size;
}

std::unique_ptr<SecondTarget> SecondTarget::open(const PluginApi& api, const std::string& options,
                                                 StepRecorder& steps) {
  steps.note("second target: open()");
  vmc_target* t = api.open(options.c_str());
  if (t == nullptr) {
    steps.note("second target: open() returned NULL; VF-FOREIGN goes without it");
    return nullptr;
  }
  std::unique_ptr<SecondTarget> second(new SecondTarget(api, t, steps));
  const std::uint32_t size = 2 * api.page_size(t);
  std::uint64_t base = 0;
  steps.note("second target: allocate_virtual_memory(0, " + hex(size) + ", MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE)");
  if (api.allocate_virtual_memory(t, 0, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &base) != S_OK || base == 0) {
    steps.note("second target: the allocation failed; VF-FOREIGN goes without it");
    return nullptr;
  }
  if (api.write_virtual != nullptr) {
    std::uint8_t bytes[64];
    fill_unlikely(bytes, sizeof bytes, base);
    steps.note("second target: write_virtual(" + hex(base) + ", 64 bytes)");
    api.write_virtual(t, base, bytes, sizeof bytes);
  }
  second->memory_ = {base, size, "memory allocated through a second target opened from the same plugin"};
  return second;
}

SecondTarget::~SecondTarget() {
  steps_.note("second target: close()");
  api_.close(t_);
}

}  // namespace vmc::plugin
