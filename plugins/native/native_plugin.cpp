// native_plugin.cpp - the `native` backend as a plugin: real memory of the process that loads it.
//
// Every open() makes a vmc::NativeTarget (mmap/mprotect/madvise/munmap behind the host region
// table, impl/backends/native), so the target lives in the address space of the vmconform worker
// that loaded the plugin. It is the plugin-side twin of `--backend native` and the suite's check
// that the plugin path (loader, worker, adapter, foreign memory of the worker) works for a
// target that shares the worker's memory. Options are ignored.
#include <exception>

#include "native_target.hpp"
#include "vmconform/plugin.h"

struct vmc_target {
  vmc::NativeTarget native;
};

namespace {

vmc::NativeTarget& native(vmc_target* t) { return t->native; }

const vmc_plugin_v1 plugin = {
    VMC_PLUGIN_ABI_VERSION,
    "native",
    [](const char*) -> vmc_target* {
      try {
        return new vmc_target();
      } catch (const std::exception&) {
        return nullptr;
      }
    },
    [](vmc_target* t) { delete t; },
    [](vmc_target* t) { return native(t).page_size(); },
    [](vmc_target* t) { return native(t).allocation_granularity(); },
    [](vmc_target* t, std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
       std::uint64_t* allocated) { return native(t).allocate_virtual_memory(address, size, type, protect, allocated); },
    [](vmc_target* t, std::uint64_t address, std::uint64_t size, std::uint32_t type) {
      return native(t).virtual_free(address, size, type);
    },
    [](vmc_target* t, std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) {
      return native(t).write_virtual(address, buffer, n);
    },
    [](vmc_target* t, std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) {
      return native(t).read_virtual(address, buffer, n, bytes_read);
    },
    [](vmc_target* t, std::uint64_t address, vmc_region_info* info) -> vmc_hresult {
      if (info == nullptr) return vmc::E_POINTER;
      vmc::RegionInfo r;
      const vmc::hresult hr = native(t).query_virtual(address, &r);
      *info = vmc_region_info{r.base_address, r.allocation_base, r.region_size,
                              r.allocation_protect, r.state, r.protect, r.type};
      return hr;
    },
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vmc_plugin_v1* vmc_plugin_v1_entry(void) { return &plugin; }
