// host_memory_manager.cpp - example: an IHostMemoryManager (a CLR host's virtual memory), checked
// as it is.
//
// What a CLR host writes: the runtime calls VirtualAlloc (with a criticality level), VirtualFree,
// VirtualQuery and VirtualProtect on it, in process, from any thread; it has no ReadVirtual, so the
// suite reads and writes the memory itself and checks every AllocateVirtualMemory and VirtualFree
// rule and the state machine. Here the memory management is delegated to vmconform's own Win32
// region table over this process's memory (the `native` backend's RegionTableTarget, compiled into
// the plugin, as examples/cpp wraps the reference model), so the example is correct and shows the
// glue alone. Its reservations stay inside one PROT_NONE arena of address space of its own
// (ArenaPrimitives), as a host that hands out address space usually does: the suite sees the
// memory as the OS maps it, and a page just past a reservation that some other component of the
// process mapped would otherwise look like the host's. The rest is the glue: a class declared with vmconform/com/interfaces.h, reference counting, the Win32
// parameters mapped onto the table, MEMORY_BASIC_INFORMATION filled, and the optional fault
// injection hook (VmcInjectFreeFailure) through which VF-EFAIL-STICKY is checked instead of
// skipped. One line, VMC_COM_HOST_MEMORY_MANAGER_PLUGIN(make_host_memory_manager), makes it a
// plugin:
//   vmconform run --plugin build/dev/plugins/libvmc_example_com_host_memory_manager.so
#include <atomic>
#include <cstdint>
#include <memory>

#include "arena_primitives.hpp"
#include "host_region_table.hpp"
#include "local_primitives.hpp"
#include "vmconform/com/adapters.hpp"

using namespace vmc::com;

namespace {

class HostMemoryManager final : public IHostMemoryManager {
 public:
  HostMemoryManager() : table_(std::make_unique<vmc::ArenaPrimitives>(std::make_unique<vmc::LocalPrimitives>())) {}

  // IUnknown
  HRESULT QueryInterface(REFIID riid, void** object) override {
    if (object == nullptr) return kE_POINTER;
    *object = nullptr;
    if (!same_iid(riid, kIID_IUnknown) && !same_iid(riid, kIID_IHostMemoryManager)) return kE_NOINTERFACE;
    AddRef();
    *object = this;
    return kS_OK;
  }
  ULONG AddRef() override { return ++references_; }
  ULONG Release() override {
    const ULONG left = --references_;
    if (left == 0) delete this;
    return left;
  }

  // IHostMemoryManager
  HRESULT CreateMalloc(DWORD, IHostMalloc** malloc) override {
    if (malloc != nullptr) *malloc = nullptr;
    return kE_NOTIMPL;
  }
  HRESULT VirtualAlloc(void* address, SIZE_T size, DWORD type, DWORD protect, EMemoryCriticalLevel,
                       void** memory) override {
    if (memory == nullptr) return kE_POINTER;
    *memory = nullptr;  // null when the request cannot be satisfied
    if (size > 0xFFFFFFFFu) return kE_OUTOFMEMORY;
    std::uint64_t base = 0;
    const HRESULT hr = table_.allocate_virtual_memory(reinterpret_cast<std::uintptr_t>(address),
                                                      static_cast<std::uint32_t>(size), type, protect, &base);
    if (hr == kS_OK) *memory = reinterpret_cast<void*>(static_cast<std::uintptr_t>(base));
    return hr;
  }
  HRESULT VirtualFree(LPVOID address, SIZE_T size, DWORD type) override {
    return table_.virtual_free(reinterpret_cast<std::uintptr_t>(address), size, type);
  }
  HRESULT VirtualQuery(void* address, void* buffer, SIZE_T length, SIZE_T* result) override {
    if (result == nullptr || buffer == nullptr) return kE_POINTER;
    *result = 0;
    if (length < sizeof(MEMORY_BASIC_INFORMATION)) return kE_INVALIDARG;
    vmc::RegionInfo info;
    const HRESULT hr = table_.query_virtual(reinterpret_cast<std::uintptr_t>(address), &info);
    if (hr != kS_OK) return hr;
    MEMORY_BASIC_INFORMATION mbi{};
    mbi.BaseAddress = reinterpret_cast<void*>(static_cast<std::uintptr_t>(info.base_address));
    mbi.AllocationBase = reinterpret_cast<void*>(static_cast<std::uintptr_t>(info.allocation_base));
    mbi.AllocationProtect = info.allocation_protect;
    mbi.RegionSize = info.region_size;
    mbi.State = info.state;
    mbi.Protect = info.protect;
    mbi.Type = info.type;
    *static_cast<MEMORY_BASIC_INFORMATION*>(buffer) = mbi;
    *result = sizeof mbi;
    return kS_OK;
  }
  HRESULT VirtualProtect(void* address, SIZE_T size, DWORD protect, DWORD* old_protect) override {
    // Committing committed pages again gives them the new protection in this table; the old one
    // is that of the first page, as Win32's VirtualProtect reports it.
    if (old_protect == nullptr) return kE_POINTER;
    vmc::RegionInfo info;
    const std::uint64_t at = reinterpret_cast<std::uintptr_t>(address);
    if (table_.query_virtual(at, &info) != kS_OK || info.state != 0x1000 /* MEM_COMMIT */) return kE_INVALIDARG;
    if (size > 0xFFFFFFFFu) return kE_INVALIDARG;
    std::uint64_t base = 0;
    const HRESULT hr = table_.allocate_virtual_memory(at, static_cast<std::uint32_t>(size), 0x1000, protect, &base);
    if (hr == kS_OK) *old_protect = info.protect;
    return hr;
  }
  HRESULT GetMemoryLoad(DWORD* load, SIZE_T* available) override {
    if (load == nullptr || available == nullptr) return kE_POINTER;
    *load = 0;
    *available = 0;
    return kE_NOTIMPL;
  }
  HRESULT RegisterMemoryNotificationCallback(ICLRMemoryNotificationCallback*) override { return kE_NOTIMPL; }
  HRESULT NeedsVirtualAddressSpace(LPVOID, SIZE_T) override { return kS_OK; }
  HRESULT AcquiredVirtualAddressSpace(LPVOID, SIZE_T) override { return kS_OK; }
  HRESULT ReleasedVirtualAddressSpace(LPVOID) override { return kS_OK; }

  /// vmconform's fault-injection hook (adapters.hpp): the next VirtualFree returns `code`.
  bool VmcInjectFreeFailure(HRESULT code) { return table_.inject_host_fault(code); }

 private:
  ~HostMemoryManager() = default;

  std::atomic<ULONG> references_{1};
  vmc::RegionTableTarget table_;
};

}  // namespace

/// The factory: a new host memory manager with one reference and an empty table.
HostMemoryManager* make_host_memory_manager(const char*) { return new HostMemoryManager(); }

VMC_COM_HOST_MEMORY_MANAGER_PLUGIN(make_host_memory_manager)
