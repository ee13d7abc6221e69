// com_mutants.cpp - COM objects with one realistic bug each, made plugins by the adapters of
// vmconform/com/adapters.hpp, one per -D switch, so the gate shows that a bug behind each adapter
// (and in memory the suite arranges or observes for it) is caught, not hidden by the glue:
//   DT_PAGE_BY_PAGE   an ICorDebugMutableDataTarget over this process that writes page by page and
//                     stops at the first page it cannot write: WV-ATOMIC must fail on the memory
//                     the suite arranges;
//   HMM_NOACCESS_RW   an IHostMemoryManager (vmconform's region table, as the example) that commits
//                     PAGE_NOACCESS pages read-write: AVM-PROTECT must fail, seen by the suite
//                     through /proc/self/maps;
//   JS_NO_PARTIAL     an IJsDebugDataTarget (the reference model, as the example) whose ReadMemory
//                     ignores JsDebugAllowPartialRead and fails a read it cannot complete:
//                     RV-FIRST-BYTE must fail.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>

#include "vmconform/com/adapters.hpp"

#if defined(HMM_NOACCESS_RW)
#include "arena_primitives.hpp"
#include "host_region_table.hpp"
#include "local_primitives.hpp"
#endif
#if defined(JS_NO_PARTIAL)
#include "vmconform/reference_model.hpp"
#endif

using namespace vmc::com;

namespace {

/// IUnknown's reference counting, shared by the three objects.
template <typename Interface>
class Counted : public Interface {
 public:
  HRESULT QueryInterface(REFIID, void** object) override {
    if (object != nullptr) *object = nullptr;
    return kE_NOINTERFACE;  // never asked by the adapters
  }
  ULONG AddRef() override { return ++references_; }
  ULONG Release() override {
    const ULONG left = --references_;
    if (left == 0) delete this;
    return left;
  }

 protected:
  virtual ~Counted() = default;

 private:
  std::atomic<ULONG> references_{1};
};

#if defined(DT_PAGE_BY_PAGE)
constexpr HRESULT kNoAccess = static_cast<HRESULT>(0x800703E6u);  // HRESULT_FROM_WIN32(ERROR_NOACCESS)

/// True when [address, address + n) lies in mappings whose permissions hold one of `any_of`.
bool accessible(std::uint64_t address, std::uint64_t n, const char* any_of) {
  std::FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return false;
  std::uint64_t at = address;
  const std::uint64_t end = address + n;
  char line[512];
  while (at < end && std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long long low = 0, high = 0;
    char perms[8] = {};
    if (std::sscanf(line, "%llx-%llx %7s", &low, &high, perms) != 3 || high <= at) continue;
    if (low > at || std::strpbrk(perms, any_of) == nullptr) break;
    at = high < end ? high : end;
  }
  std::fclose(maps);
  return at >= end;
}

class PageByPageDataTarget final : public Counted<ICorDebugMutableDataTarget> {
 public:
  explicit PageByPageDataTarget(int mem) : mem_(mem) {}
  ~PageByPageDataTarget() override { ::close(mem_); }

  HRESULT GetPlatform(CorDebugPlatform* platform) override {
    *platform = CORDB_PLATFORM_WINDOWS_AMD64;
    return kS_OK;
  }
  HRESULT ReadVirtual(CORDB_ADDRESS address, BYTE* buffer, ULONG32 requested, ULONG32* read) override {
    *read = 0;
    ULONG32 done = 0;  // page by page too, which is correct for a read: the readable prefix
    while (done < requested) {
      const std::uint64_t at = address + done;
      const ULONG32 chunk = std::min<ULONG32>(requested - done, 0x1000 - static_cast<ULONG32>(at % 0x1000));
      if (!accessible(at, chunk, "r") || ::pread(mem_, buffer + done, chunk, static_cast<off_t>(at)) != static_cast<ssize_t>(chunk)) break;
      done += chunk;
    }
    *read = done;
    return done > 0 || requested == 0 ? kS_OK : kCORDBG_E_READVIRTUAL_FAILURE;
  }
  HRESULT GetThreadContext(DWORD, ULONG32, ULONG32, BYTE*) override { return kE_NOTIMPL; }
  HRESULT WriteVirtual(CORDB_ADDRESS address, const BYTE* buffer, ULONG32 requested) override {
    ULONG32 done = 0;  // the bug: each page is checked only when its turn comes
    while (done < requested) {
      const std::uint64_t at = address + done;
      const ULONG32 chunk = std::min<ULONG32>(requested - done, 0x1000 - static_cast<ULONG32>(at % 0x1000));
      if (!accessible(at, chunk, "wx") || ::pwrite(mem_, buffer + done, chunk, static_cast<off_t>(at)) != static_cast<ssize_t>(chunk))
        return kNoAccess;
      done += chunk;
    }
    return kS_OK;
  }
  HRESULT SetThreadContext(DWORD, ULONG32, const BYTE*) override { return kE_NOTIMPL; }
  HRESULT ContinueStatusChanged(DWORD, CORDB_CONTINUE_STATUS) override { return kE_NOTIMPL; }

 private:
  int mem_;
};
#endif

#if defined(HMM_NOACCESS_RW)
class NoAccessReadWriteHost final : public Counted<IHostMemoryManager> {
 public:
  NoAccessReadWriteHost() : table_(std::make_unique<vmc::ArenaPrimitives>(std::make_unique<vmc::LocalPrimitives>())) {}

  HRESULT CreateMalloc(DWORD, IHostMalloc** malloc) override {
    *malloc = nullptr;
    return kE_NOTIMPL;
  }
  HRESULT VirtualAlloc(void* address, SIZE_T size, DWORD type, DWORD protect, EMemoryCriticalLevel,
                       void** memory) override {
    *memory = nullptr;
    if (protect == 0x01 /* PAGE_NOACCESS */) protect = 0x04; /* the bug: PAGE_READWRITE */
    std::uint64_t base = 0;
    const HRESULT hr = table_.allocate_virtual_memory(reinterpret_cast<std::uintptr_t>(address),
                                                      static_cast<std::uint32_t>(size), type, protect, &base);
    if (hr == kS_OK) *memory = reinterpret_cast<void*>(static_cast<std::uintptr_t>(base));
    return hr;
  }
  HRESULT VirtualFree(LPVOID address, SIZE_T size, DWORD type) override {
    return table_.virtual_free(reinterpret_cast<std::uintptr_t>(address), size, type);
  }
  HRESULT VirtualQuery(void*, void*, SIZE_T, SIZE_T* result) override {
    *result = 0;
    return kE_NOTIMPL;
  }
  HRESULT VirtualProtect(void*, SIZE_T, DWORD, DWORD*) override { return kE_NOTIMPL; }
  HRESULT GetMemoryLoad(DWORD*, SIZE_T*) override { return kE_NOTIMPL; }
  HRESULT RegisterMemoryNotificationCallback(ICLRMemoryNotificationCallback*) override { return kE_NOTIMPL; }
  HRESULT NeedsVirtualAddressSpace(LPVOID, SIZE_T) override { return kS_OK; }
  HRESULT AcquiredVirtualAddressSpace(LPVOID, SIZE_T) override { return kS_OK; }
  HRESULT ReleasedVirtualAddressSpace(LPVOID) override { return kS_OK; }

 private:
  vmc::RegionTableTarget table_;
};
#endif

#if defined(JS_NO_PARTIAL)
class WholeReadsOnly final : public Counted<IJsDebugDataTarget> {
 public:
  HRESULT ReadMemory(UINT64 address, JsDebugReadMemoryFlags, BYTE* buffer, DWORD size, DWORD* read) override {
    *read = 0;
    std::uint32_t n = 0;
    const HRESULT hr = model_.read_virtual(address, buffer, size, &n);
    if (hr != kS_OK || n < size) return kE_JsDEBUG_INVALID_MEMORY_ADDRESS;  // the bug: the flag is ignored
    *read = n;
    return kS_OK;
  }
  HRESULT WriteMemory(UINT64 address, BYTE* memory, DWORD size) override {
    return model_.write_virtual(address, memory, size) == kS_OK ? kS_OK : kE_JsDEBUG_INVALID_MEMORY_ADDRESS;
  }
  HRESULT AllocateVirtualMemory(UINT64 address, DWORD size, DWORD type, DWORD protect, UINT64* allocated) override {
    std::uint64_t out = 0;
    const HRESULT hr = model_.allocate_virtual_memory(address, size, type, protect, &out);
    *allocated = out;
    return hr;
  }
  HRESULT FreeVirtualMemory(UINT64 address, DWORD size, DWORD type) override {
    return model_.virtual_free(address, size, type);
  }
  HRESULT GetTlsValue(DWORD, UINT32, UINT64*) override { return kE_NOTIMPL; }
  HRESULT ReadBSTR(UINT64, BSTR*) override { return kE_NOTIMPL; }
  HRESULT ReadNullTerminatedString(UINT64, UINT16, UINT32, BSTR*) override { return kE_NOTIMPL; }
  HRESULT CreateStackFrameEnumerator(DWORD, IEnumJsStackFrames**) override { return kE_NOTIMPL; }
  HRESULT GetThreadContext(DWORD, ULONG32, ULONG32, void*) override { return kE_NOTIMPL; }

 private:
  vmc::ReferenceModel model_{vmc::ModelConfig{}};
};
#endif

}  // namespace

// The factory (a new object with one reference) and the plugin entry of the variant.
#if defined(DT_PAGE_BY_PAGE)
PageByPageDataTarget* make_mutant(const char*) {
  const int mem = ::open("/proc/self/mem", O_RDWR | O_CLOEXEC);
  return mem < 0 ? nullptr : new PageByPageDataTarget(mem);
}
VMC_COM_DATA_TARGET_PLUGIN(make_mutant)
#elif defined(HMM_NOACCESS_RW)
NoAccessReadWriteHost* make_mutant(const char*) { return new NoAccessReadWriteHost(); }
VMC_COM_HOST_MEMORY_MANAGER_PLUGIN(make_mutant)
#elif defined(JS_NO_PARTIAL)
WholeReadsOnly* make_mutant(const char*) { return new WholeReadsOnly(); }
VMC_COM_JS_DATA_TARGET_PLUGIN(make_mutant)
#endif
