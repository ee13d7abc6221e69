// com_objects.cpp - example Windows DLL (vmc_com_objects.dll): the three COM interfaces, checked
// unchanged by the Windows agent's dll mode (agents/windows/dll.c), on Windows or under Wine:
//
//   wine vmc_agent.exe dll self --dll vmc_com_objects.dll --interface ICorDebugMutableDataTarget
//       --factory CreateDataTarget
//
// Each factory, `void* Factory(const char* options)`, returns a new object with one reference.
// The classes are declared with vmconform/com/interfaces.h (C++, compiled with mingw-w64's g++,
// whose vtables have the COM layout); a class declared with the Windows SDK's headers is called the
// same way.
// - CreateDataTarget: an ICorDebugMutableDataTarget over this process's memory, written the way a
//   debugger's local data target is: WriteVirtual checks every page of the whole range with
//   VirtualQuery before it writes one byte (code pages count as writable: they are made writable for
//   the copy, as WriteProcessMemory does), ReadVirtual returns the readable prefix page run by page
//   run. Option `bug=partial-write` makes WriteVirtual copy page by page without that check, so a
//   write that meets an unwritable page has changed the pages before it (WV-ATOMIC's teeth).
// - CreateHostMemoryManager: an IHostMemoryManager whose VirtualAlloc and VirtualFree are the agent's
//   conformant reference implementation (reference.c: a table of the host's reservations, arguments
//   checked in the win32 profile's order), and VirtualQuery Win32's.
// - CreateJsDataTarget: an IJsDebugDataTarget over the same reference implementation; WriteMemory
//   fails with E_JsDEBUG_INVALID_MEMORY_ADDRESS, its documented code, where a byte is unwritable.
// Win32 and reference.c are reached through host_shim.h: this file includes interfaces.h alone.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>

#include "host_shim.h"
#include "vmconform/com/interfaces.h"

namespace com = vmc::com;

namespace {

constexpr com::HRESULT kNoAccess = static_cast<com::HRESULT>(0x800703E6u);  // HRESULT_FROM_WIN32(ERROR_NOACCESS)

bool has_option(const char* options, const char* wanted) {
  return options != nullptr && std::strstr(options, wanted) != nullptr;
}

/// IUnknown for one interface IID (besides IUnknown itself and, for a mutable data target, its base).
template <class Interface>
class Object : public Interface {
 public:
  com::HRESULT QueryInterface(com::REFIID riid, void** object) override {
    if (object == nullptr) return com::kE_POINTER;
    *object = nullptr;
    if (!com::same_iid(riid, com::kIID_IUnknown) && !accepts(riid)) return com::kE_NOINTERFACE;
    this->AddRef();
    *object = this;
    return com::kS_OK;
  }
  com::ULONG AddRef() override { return ++references_; }
  com::ULONG Release() override {
    const com::ULONG left = --references_;
    if (left == 0) delete this;
    return left;
  }
  virtual ~Object() = default;

 protected:
  virtual bool accepts(const com::IID& iid) const = 0;

 private:
  std::atomic<com::ULONG> references_{1};
};

// ---- ICorDebugMutableDataTarget over this process ------------------------------------------------

constexpr std::uint32_t kGuard = 0x100, kNoAccessPage = 0x01;
bool writable(std::uint32_t protect) {
  if (protect & kGuard) return false;
  const std::uint32_t base = protect & 0xFF;  // PAGE_READWRITE, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ
  return base == 0x04 || base == 0x40 || base == 0x10 || base == 0x20;
}
bool readable(std::uint32_t protect) { return !(protect & kGuard) && (protect & 0xFF) != kNoAccessPage && protect != 0; }

class DataTarget final : public Object<com::ICorDebugMutableDataTarget> {
 public:
  explicit DataTarget(bool partial_write_bug) : partial_write_bug_(partial_write_bug) {}

  com::HRESULT GetPlatform(com::CorDebugPlatform* platform) override {
    if (platform == nullptr) return com::kE_POINTER;
    *platform = com::CORDB_PLATFORM_WINDOWS_AMD64;
    return com::kS_OK;
  }
  com::HRESULT ReadVirtual(com::CORDB_ADDRESS address, com::BYTE* buffer, com::ULONG32 requested,
                           com::ULONG32* read) override {
    if (read == nullptr) return com::kE_POINTER;
    *read = 0;
    if (requested == 0) return com::kS_OK;
    com::ULONG32 done = 0;
    while (done < requested) {  // one run of pages with the same state at a time
      const std::uint64_t at = address + done;
      if (at < address) break;
      std::uint64_t run_end = 0;
      std::uint32_t state = 0, protect = 0;
      if (!shim_query(at, &run_end, &state, &protect) || state != SHIM_MEM_COMMIT || !readable(protect)) break;
      const std::uint64_t chunk = run_end - at < requested - done ? run_end - at : requested - done;
      std::memcpy(buffer + done, reinterpret_cast<const void*>(at), chunk);
      done += static_cast<com::ULONG32>(chunk);
    }
    if (done == 0) return com::kCORDBG_E_READVIRTUAL_FAILURE;  // the first byte is unreadable
    *read = done;
    return com::kS_OK;
  }
  com::HRESULT GetThreadContext(com::DWORD, com::ULONG32, com::ULONG32, com::BYTE*) override { return com::kE_NOTIMPL; }

  com::HRESULT WriteVirtual(com::CORDB_ADDRESS address, const com::BYTE* buffer, com::ULONG32 requested) override {
    if (requested == 0) return com::kS_OK;
    const std::uint64_t last = address + requested - 1;
    if (last < address) return kNoAccess;
    if (partial_write_bug_) return write_page_by_page(address, buffer, requested);
    // Every page of the whole range first: nothing is written unless all of them can be.
    for (std::uint64_t a = address; a <= last;) {
      std::uint64_t run_end = 0;
      std::uint32_t state = 0, protect = 0;
      if (!shim_query(a, &run_end, &state, &protect) || state != SHIM_MEM_COMMIT || !writable(protect) || run_end <= a)
        return kNoAccess;
      a = run_end;
    }
    // WriteProcessMemory on this process writes code pages too (it makes them writable for the copy).
    return shim_write(address, buffer, requested) ? com::kS_OK : kNoAccess;
  }
  com::HRESULT SetThreadContext(com::DWORD, com::ULONG32, const com::BYTE*) override { return com::kE_NOTIMPL; }
  com::HRESULT ContinueStatusChanged(com::DWORD, com::CORDB_CONTINUE_STATUS) override { return com::kE_NOTIMPL; }

 protected:
  bool accepts(const com::IID& iid) const override {
    return com::same_iid(iid, com::kIID_ICorDebugDataTarget) || com::same_iid(iid, com::kIID_ICorDebugMutableDataTarget);
  }

 private:
  /// The bug: each page is checked and written in turn, so a failure leaves the earlier pages written.
  com::HRESULT write_page_by_page(std::uint64_t address, const com::BYTE* buffer, com::ULONG32 requested) {
    com::ULONG32 done = 0;
    while (done < requested) {
      const std::uint64_t at = address + done;
      const std::uint64_t page_end = (at | 0xFFF) + 1;
      const com::ULONG32 chunk =
          static_cast<com::ULONG32>(page_end - at < requested - done ? page_end - at : requested - done);
      std::uint64_t run_end = 0;
      std::uint32_t state = 0, protect = 0;
      if (!shim_query(at, &run_end, &state, &protect) || state != SHIM_MEM_COMMIT || !writable(protect))
        return kNoAccess;
      if (!shim_write(at, buffer + done, chunk)) return kNoAccess;
      done += chunk;
    }
    return com::kS_OK;
  }

  bool partial_write_bug_;
};

// ---- the reference implementation behind IHostMemoryManager and IJsDebugDataTarget -------------

/// One host over reference.c, released with its object.
struct ReferenceHost {
  ReferenceHost() : host(shim_host_new()) {}
  ~ReferenceHost() { shim_host_delete(host); }
  ReferenceHost(const ReferenceHost&) = delete;
  ReferenceHost& operator=(const ReferenceHost&) = delete;
  shim_host* host;
};

class HostMemoryManager final : public Object<com::IHostMemoryManager> {
 public:
  com::HRESULT CreateMalloc(com::DWORD, com::IHostMalloc** out) override {
    if (out != nullptr) *out = nullptr;
    return com::kE_NOTIMPL;
  }
  com::HRESULT VirtualAlloc(void* address, com::SIZE_T size, com::DWORD type, com::DWORD protect,
                            com::EMemoryCriticalLevel, void** out) override {
    if (out == nullptr) return com::kE_POINTER;
    std::uint64_t allocated = 0;
    const com::HRESULT hr = size > 0xFFFFFFFFu ? static_cast<com::HRESULT>(0x80070008u)  // ERROR_NOT_ENOUGH_MEMORY
                                               : shim_allocate(host_.host, reinterpret_cast<std::uint64_t>(address),
                                                               static_cast<std::uint32_t>(size), type, protect, &allocated);
    *out = reinterpret_cast<void*>(allocated);
    return hr;
  }
  com::HRESULT VirtualFree(com::LPVOID address, com::SIZE_T size, com::DWORD type) override {
    return shim_free(host_.host, reinterpret_cast<std::uint64_t>(address), size, type);
  }
  com::HRESULT VirtualQuery(void* address, void* buffer, com::SIZE_T length, com::SIZE_T* result) override {
    if (result == nullptr) return com::kE_POINTER;
    *result = shim_query_into(reinterpret_cast<std::uint64_t>(address), buffer, length);
    return *result != 0 ? com::kS_OK : shim_last_error();
  }
  com::HRESULT VirtualProtect(void*, com::SIZE_T, com::DWORD, com::DWORD*) override { return com::kE_NOTIMPL; }
  com::HRESULT GetMemoryLoad(com::DWORD*, com::SIZE_T*) override { return com::kE_NOTIMPL; }
  com::HRESULT RegisterMemoryNotificationCallback(com::ICLRMemoryNotificationCallback*) override {
    return com::kE_NOTIMPL;
  }
  com::HRESULT NeedsVirtualAddressSpace(com::LPVOID, com::SIZE_T) override { return com::kS_OK; }
  com::HRESULT AcquiredVirtualAddressSpace(com::LPVOID, com::SIZE_T) override { return com::kS_OK; }
  com::HRESULT ReleasedVirtualAddressSpace(com::LPVOID) override { return com::kS_OK; }

 protected:
  bool accepts(const com::IID& iid) const override { return com::same_iid(iid, com::kIID_IHostMemoryManager); }

 private:
  ReferenceHost host_;
};

class JsDataTarget final : public Object<com::IJsDebugDataTarget> {
 public:
  com::HRESULT ReadMemory(com::UINT64 address, com::JsDebugReadMemoryFlags, com::BYTE* buffer, com::DWORD size,
                          com::DWORD* read) override {
    if (read == nullptr) return com::kE_POINTER;
    std::uint32_t got = 0;
    const com::HRESULT hr = shim_read_host(host_.host, address, buffer, size, &got);
    *read = got;
    return hr;
  }
  com::HRESULT WriteMemory(com::UINT64 address, com::BYTE* memory, com::DWORD size) override {
    const com::HRESULT hr = shim_write_host(host_.host, address, memory, size);
    return hr == SHIM_HR_NOACCESS ? com::kE_JsDEBUG_INVALID_MEMORY_ADDRESS : hr;
  }
  com::HRESULT AllocateVirtualMemory(com::UINT64 address, com::DWORD size, com::DWORD type, com::DWORD protect,
                                     com::UINT64* allocated) override {
    if (allocated == nullptr) return com::kE_POINTER;
    std::uint64_t out = 0;
    const com::HRESULT hr = shim_allocate(host_.host, address, size, type, protect, &out);
    *allocated = out;
    return hr;
  }
  com::HRESULT FreeVirtualMemory(com::UINT64 address, com::DWORD size, com::DWORD type) override {
    return shim_free(host_.host, address, size, type);
  }
  com::HRESULT GetTlsValue(com::DWORD, com::UINT32, com::UINT64*) override { return com::kE_NOTIMPL; }
  com::HRESULT ReadBSTR(com::UINT64, com::BSTR*) override { return com::kE_NOTIMPL; }
  com::HRESULT ReadNullTerminatedString(com::UINT64, com::UINT16, com::UINT32, com::BSTR*) override {
    return com::kE_NOTIMPL;
  }
  com::HRESULT CreateStackFrameEnumerator(com::DWORD, com::IEnumJsStackFrames**) override { return com::kE_NOTIMPL; }
  com::HRESULT GetThreadContext(com::DWORD, com::ULONG32, com::ULONG32, void*) override { return com::kE_NOTIMPL; }

 protected:
  bool accepts(const com::IID& iid) const override { return com::same_iid(iid, com::kIID_IJsDebugDataTarget); }

 private:
  ReferenceHost host_;
};

}  // namespace

extern "C" __declspec(dllexport) void* CreateDataTarget(const char* options) {
  return static_cast<com::ICorDebugMutableDataTarget*>(new (std::nothrow) DataTarget(has_option(options, "bug=partial-write")));
}
extern "C" __declspec(dllexport) void* CreateHostMemoryManager(const char*) {
  return static_cast<com::IHostMemoryManager*>(new (std::nothrow) HostMemoryManager());
}
extern "C" __declspec(dllexport) void* CreateJsDataTarget(const char*) {
  return static_cast<com::IJsDebugDataTarget*>(new (std::nothrow) JsDataTarget());
}
