// adapters.hpp - vmconform plugins made from COM objects: one macro per interface.
//
// An implementer of ICorDebugMutableDataTarget, IJsDebugDataTarget or IHostMemoryManager writes
// no plugin glue: a factory `T* Factory(const char* options)` returning a new object holding one
// reference, and one line,
//
//   VMC_COM_DATA_TARGET_PLUGIN(Factory)            // an ICorDebugMutableDataTarget (or ICorDebugDataTarget)
//   VMC_COM_JS_DATA_TARGET_PLUGIN(Factory)         // an IJsDebugDataTarget
//   VMC_COM_HOST_MEMORY_MANAGER_PLUGIN(Factory)    // an IHostMemoryManager
//
// defines the plugin's entry point, vmc_plugin_v2_entry (plugin ABI version 2, vmconform/plugin.h).
// Build it as a shared object and run `vmconform run --plugin libyours.so`. The adapters are
// templates over the object type: the object is called through its own method declarations, so a
// class declared with vmconform/com/interfaces.h, with the Windows SDK's or with the .NET PAL's
// headers works unchanged (each argument is converted to the method's own parameter type).
// open(options) calls the factory once per test case; close() calls Release() once, which must
// destroy the object (nothing else holds a reference). The suite calls one object from several
// threads at once (rule X-LINEARIZABLE), as a runtime calls its host: the object must be
// thread-safe (examples/com/js_data_target.cpp shows one lock). No exception ever crosses the C
// table: one thrown by the factory makes open() return NULL, one thrown by a method becomes
// E_UNEXPECTED.
//
// Mapping of every parameter (plugin.h entry <- COM method; "=" means passed unchanged):
//
// VMC_COM_DATA_TARGET_PLUGIN: interface ICorDebugMutableDataTarget, or ICorDebugDataTarget when
//   the class has no WriteVirtual (the WriteVirtual rules are then skipped).
//   write_virtual(t, address, buffer, n)    <- WriteVirtual(address = CORDB_ADDRESS, pBuffer = buffer,
//                                              bytesRequested = n); the HRESULT is returned as is.
//   read_virtual(t, address, buffer, n, *r) <- ReadVirtual(address, pBuffer = buffer, bytesRequested = n,
//                                              pBytesRead -> *r); the HRESULT as is.
//   memory_process                          <- `pid=N` in the options: process N; else this process
//                                              (the one that loaded the plugin: the worker of `run`).
//   allocate_virtual_memory, virtual_free   <- none: the suite arranges the memory in that process
//                                              itself (its `native` backend in this process; its
//                                              `process` backend, attached with ptrace, in process
//                                              N), so every WriteVirtual and ReadVirtual rule and the
//                                              state machine's write and read steps reach the object.
//   GetPlatform, GetThreadContext, SetThreadContext, ContinueStatusChanged: never called.
//
// VMC_COM_JS_DATA_TARGET_PLUGIN: interface IJsDebugDataTarget.
//   allocate_virtual_memory(t, address, size, type, protect, *out)
//                                           <- AllocateVirtualMemory(address = UINT64, size = DWORD,
//                                              allocationType = type, pageProtection = protect,
//                                              pAllocatedAddress -> *out).
//   virtual_free(t, address, size, type)    <- FreeVirtualMemory(address, size as DWORD: a size above
//                                              0xFFFFFFFF, which a DWORD cannot hold, is passed as
//                                              0xFFFFFFFF - still non-zero and still past the end of
//                                              any reservation a DWORD size can make -, freeType).
//   write_virtual(t, address, buffer, n)    <- WriteMemory(address, pMemory = buffer (the header's
//                                              BYTE*: the object must not modify it, WV-BUFFER-CONST
//                                              checks), size = n). Its documented failure for an
//                                              unwritable range, E_JsDEBUG_INVALID_MEMORY_ADDRESS
//                                              (0x8DC70005), is returned as
//                                              HRESULT_FROM_WIN32(ERROR_NOACCESS), the code WV-CODE
//                                              expects of WriteVirtual; any other HRESULT as is.
//   read_virtual(t, address, buffer, n, *r) <- ReadMemory(address, flags = JsDebugAllowPartialRead
//                                              (ReadVirtual's partial-read contract), pBuffer, size = n,
//                                              pBytesRead -> *r); the HRESULT as is.
//   memory_process                          <- `pid=N` in the options: process N; else "elsewhere",
//                                              and the suite probes where the targets live
//                                              (plugins/README.md, VF-FOREIGN).
//   GetTlsValue, ReadBSTR, ReadNullTerminatedString, CreateStackFrameEnumerator, GetThreadContext:
//                                              never called.
//
// VMC_COM_HOST_MEMORY_MANAGER_PLUGIN: interface IHostMemoryManager, in process.
//   allocate_virtual_memory(t, address, size, type, protect, *out)
//                                           <- VirtualAlloc(pAddress = (void*)address, dwSize = size,
//                                              flAllocationType = type, flProtect = protect,
//                                              eCriticalLevel = `critical=task|appdomain|process` of
//                                              the options, eProcessCritical when absent,
//                                              ppMem -> *out).
//   virtual_free(t, address, size, type)    <- VirtualFree(lpAddress = (LPVOID)address, dwSize = size,
//                                              dwFreeType = type).
//   query_virtual(t, address, *info)        <- VirtualQuery(lpAddress = (void*)address, lpBuffer = a
//                                              MEMORY_BASIC_INFORMATION, dwLength = its size,
//                                              pResult): its fields become *info (BaseAddress,
//                                              AllocationBase, RegionSize, AllocationProtect, State,
//                                              Protect, Type); a failing HRESULT is returned as is,
//                                              and S_OK with *pResult == 0 (no information) as
//                                              E_INVALIDARG.
//   memory_process                          <- this process: the CLR host's memory is the process's.
//   write_virtual, read_virtual             <- none: IHostMemoryManager has no read or write, so
//                                              the suite writes and reads that memory itself
//                                              (/proc/self/maps and /proc/self/mem, with Win32's
//                                              rules: readable pages are mapped readable, writable
//                                              ones writable or executable); the WriteVirtual and
//                                              ReadVirtual rules are skipped.
//   VirtualProtect                          <- never called: no rule covers it yet, and the rules
//                                              change a protection the documented way, by
//                                              committing again (VirtualAlloc MEM_COMMIT).
//   CreateMalloc, GetMemoryLoad, RegisterMemoryNotificationCallback, NeedsVirtualAddressSpace,
//   AcquiredVirtualAddressSpace, ReleasedVirtualAddressSpace: never called.
//
// Every adapter: open(options) <- Factory(options) (the whole --plugin-options string, which may
// carry the factory's own settings besides pid= and critical=); close(t) <- Release();
// page_size and allocation_granularity: 0x1000 and 0x10000 (plugin.h's defaults). Host-fault
// injection is not part of these interfaces: a class that can simulate it declares a member
// `bool VmcInjectFreeFailure(HRESULT code)` (the next VirtualFree / FreeVirtualMemory returns code
// and does nothing; after an injected E_FAIL every later one returns HOST_E_CLRNOTAVAILABLE; code
// S_OK only asks whether it can), which the adapter then offers as inject_free_failure, so that
// VF-EFAIL-STICKY is checked instead of skipped.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <type_traits>

#include "vmconform/com/interfaces.h"
#include "vmconform/plugin.h"

#if defined(_WIN32)
#define VMC_COM_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VMC_COM_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

namespace vmc::com::adapter {

/// The parameter types of a member function, to convert each argument to the object's own type.
template <typename M>
struct Params;
template <typename R, typename C, typename... A>
struct Params<R (C::*)(A...)> {
  using types = std::tuple<A...>;
};
#if defined(_WIN32) && !defined(_WIN64)
template <typename R, typename C, typename... A>
struct Params<R (__stdcall C::*)(A...)> {
  using types = std::tuple<A...>;
};
#endif
/// The type of parameter I of method M.
template <auto M, std::size_t I>
using Param = std::tuple_element_t<I, typename Params<decltype(M)>::types>;
/// The type an out-parameter of method M at I points to.
template <auto M, std::size_t I>
using Out = std::remove_pointer_t<Param<M, I>>;

inline constexpr vmc_hresult kUnexpected = static_cast<vmc_hresult>(0x8000FFFFu);  // E_UNEXPECTED
inline constexpr vmc_hresult kNoAccess = static_cast<vmc_hresult>(0x800703E6u);    // HRESULT_FROM_WIN32(ERROR_NOACCESS)
inline constexpr vmc_hresult kInvalidArg = static_cast<vmc_hresult>(0x80070057u);  // E_INVALIDARG
inline constexpr vmc_hresult kJsInvalidAddress = static_cast<vmc_hresult>(0x8DC70005u);  // E_JsDEBUG_INVALID_MEMORY_ADDRESS

/// The value of `key=` in a comma- or space-separated option string, or nullptr.
inline const char* option(const char* options, const char* key) {
  if (options == nullptr) return nullptr;
  const std::size_t n = std::strlen(key);
  for (const char* p = options; *p != '\0'; ++p)
    if ((p == options || p[-1] == ',' || p[-1] == ' ') && std::strncmp(p, key, n) == 0 && p[n] == '=') return p + n + 1;
  return nullptr;
}

/// `pid=N` of the options, or `otherwise`.
inline std::int64_t process_option(const char* options, std::int64_t otherwise) {
  const char* pid = option(options, "pid");
  if (pid == nullptr) return otherwise;
  const long long n = std::strtoll(pid, nullptr, 10);
  return n > 0 ? n : VMC_MEMORY_ELSEWHERE;  // a bad pid: the loader then says why it cannot be used
}

/// What a vmc_target of these adapters is: the object, and what its options said.
template <typename T>
struct Holder {
  T* object;
  std::int64_t process;
  int critical_level;
};

template <typename T>
Holder<T>& holder(vmc_target* t) {
  return *reinterpret_cast<Holder<T>*>(t);
}
template <typename T>
T& object(vmc_target* t) {
  return *holder<T>(t).object;
}

/// Calls f(), turning an exception into E_UNEXPECTED (nothing may cross the C table).
template <typename F>
vmc_hresult guarded(F&& f) noexcept {
  try {
    return static_cast<vmc_hresult>(f());
  } catch (...) {
    return kUnexpected;
  }
}

template <auto Factory>
using Object = std::remove_pointer_t<decltype(Factory(static_cast<const char*>(nullptr)))>;

template <auto Factory>
vmc_target* open(const char* options, std::int64_t default_process) noexcept {
  using T = Object<Factory>;
  try {
    T* obj = Factory(options != nullptr ? options : "");
    if (obj == nullptr) return nullptr;
    int level = 2;  // eProcessCritical
    if (const char* c = option(options, "critical"))
      level = std::strncmp(c, "task", 4) == 0 ? 0 : std::strncmp(c, "appdomain", 9) == 0 ? 1 : 2;
    return reinterpret_cast<vmc_target*>(new Holder<T>{obj, process_option(options, default_process), level});
  } catch (...) {
    return nullptr;
  }
}

template <typename T>
void close(vmc_target* t) noexcept {
  Holder<T>* h = &holder<T>(t);
  try {
    h->object->Release();
  } catch (...) {
  }
  delete h;
}

template <typename T>
std::int64_t memory_process(vmc_target* t) noexcept {
  return holder<T>(t).process;
}

template <typename T>
constexpr bool kCanInject = requires(T* o) { o->VmcInjectFreeFailure(0); };

template <typename T>
std::int32_t inject(vmc_target* t, vmc_hresult code) noexcept {
  if constexpr (kCanInject<T>) {
    try {
      return object<T>(t).VmcInjectFreeFailure(code) ? 1 : 0;
    } catch (...) {
      return 0;
    }
  } else {
    (void)t;
    (void)code;
    return 0;
  }
}

// ---- ICorDebugMutableDataTarget / ICorDebugDataTarget ----

template <typename T>
vmc_hresult dt_read(vmc_target* t, std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                    std::uint32_t* bytes_read) noexcept {
  return guarded([&] {
    constexpr auto M = &T::ReadVirtual;
    Out<M, 3> read = 0;
    const auto hr = object<T>(t).ReadVirtual(static_cast<Param<M, 0>>(address), reinterpret_cast<Param<M, 1>>(buffer),
                                             static_cast<Param<M, 2>>(n), &read);
    if (bytes_read != nullptr) *bytes_read = static_cast<std::uint32_t>(read);
    return hr;
  });
}

template <typename T>
vmc_hresult dt_write(vmc_target* t, std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) noexcept {
  return guarded([&] {
    constexpr auto M = &T::WriteVirtual;
    return object<T>(t).WriteVirtual(static_cast<Param<M, 0>>(address), reinterpret_cast<Param<M, 1>>(buffer),
                                     static_cast<Param<M, 2>>(n));
  });
}

template <typename T>
constexpr bool kWrites = requires { &T::WriteVirtual; };

template <auto Factory>
const vmc_plugin_v2* data_target_table(const char* name) {
  using T = Object<Factory>;
  static const vmc_plugin_v2 table = {
      VMC_PLUGIN_ABI_VERSION_2,
      sizeof(vmc_plugin_v2),
      name,
      kWrites<T> ? "ICorDebugMutableDataTarget" : "ICorDebugDataTarget",
      [](const char* options) { return open<Factory>(options, VMC_MEMORY_THIS_PROCESS); },
      &close<T>,
      nullptr,
      nullptr,
      &memory_process<T>,
      nullptr,
      nullptr,
      [] {
        if constexpr (kWrites<T>) return &dt_write<T>;
        else return static_cast<vmc_hresult (*)(vmc_target*, std::uint64_t, const std::uint8_t*, std::uint32_t)>(nullptr);
      }(),
      &dt_read<T>,
      nullptr,
      nullptr,
  };
  return &table;
}

// ---- IJsDebugDataTarget ----

template <typename T>
vmc_hresult js_allocate(vmc_target* t, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                        std::uint32_t protect, std::uint64_t* allocated) noexcept {
  return guarded([&] {
    constexpr auto M = &T::AllocateVirtualMemory;
    Out<M, 4> out = 0;
    const auto hr = object<T>(t).AllocateVirtualMemory(static_cast<Param<M, 0>>(address), static_cast<Param<M, 1>>(size),
                                                       static_cast<Param<M, 2>>(type), static_cast<Param<M, 3>>(protect),
                                                       &out);
    if (allocated != nullptr) *allocated = static_cast<std::uint64_t>(out);
    return hr;
  });
}

template <typename T>
vmc_hresult js_free(vmc_target* t, std::uint64_t address, std::uint64_t size, std::uint32_t type) noexcept {
  return guarded([&] {
    constexpr auto M = &T::FreeVirtualMemory;
    const std::uint64_t dword = size > 0xFFFFFFFFull ? 0xFFFFFFFFull : size;
    return object<T>(t).FreeVirtualMemory(static_cast<Param<M, 0>>(address), static_cast<Param<M, 1>>(dword),
                                          static_cast<Param<M, 2>>(type));
  });
}

template <typename T>
vmc_hresult js_write(vmc_target* t, std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) noexcept {
  const vmc_hresult hr = guarded([&] {
    constexpr auto M = &T::WriteMemory;
    return object<T>(t).WriteMemory(static_cast<Param<M, 0>>(address),
                                    reinterpret_cast<Param<M, 1>>(const_cast<std::uint8_t*>(buffer)),
                                    static_cast<Param<M, 2>>(n));
  });
  return hr == kJsInvalidAddress ? kNoAccess : hr;
}

template <typename T>
vmc_hresult js_read(vmc_target* t, std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                    std::uint32_t* bytes_read) noexcept {
  return guarded([&] {
    constexpr auto M = &T::ReadMemory;
    Out<M, 4> read = 0;
    const auto hr = object<T>(t).ReadMemory(static_cast<Param<M, 0>>(address), static_cast<Param<M, 1>>(0x1),
                                            reinterpret_cast<Param<M, 2>>(buffer), static_cast<Param<M, 3>>(n), &read);
    if (bytes_read != nullptr) *bytes_read = static_cast<std::uint32_t>(read);
    return hr;
  });
}

template <auto Factory>
const vmc_plugin_v2* js_data_target_table(const char* name) {
  using T = Object<Factory>;
  static const vmc_plugin_v2 table = {
      VMC_PLUGIN_ABI_VERSION_2,
      sizeof(vmc_plugin_v2),
      name,
      "IJsDebugDataTarget",
      [](const char* options) { return open<Factory>(options, VMC_MEMORY_ELSEWHERE); },
      &close<T>,
      nullptr,
      nullptr,
      &memory_process<T>,
      &js_allocate<T>,
      &js_free<T>,
      &js_write<T>,
      &js_read<T>,
      nullptr,
      kCanInject<T> ? &inject<T> : nullptr,
  };
  return &table;
}

// ---- IHostMemoryManager ----

template <typename T>
vmc_hresult hmm_allocate(vmc_target* t, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                         std::uint32_t protect, std::uint64_t* allocated) noexcept {
  return guarded([&] {
    constexpr auto M = &T::VirtualAlloc;
    void* mem = nullptr;
    const auto hr = object<T>(t).VirtualAlloc(
        reinterpret_cast<Param<M, 0>>(static_cast<std::uintptr_t>(address)), static_cast<Param<M, 1>>(size),
        static_cast<Param<M, 2>>(type), static_cast<Param<M, 3>>(protect),
        static_cast<Param<M, 4>>(holder<T>(t).critical_level), &mem);
    if (allocated != nullptr) *allocated = reinterpret_cast<std::uintptr_t>(mem);
    return hr;
  });
}

template <typename T>
vmc_hresult hmm_free(vmc_target* t, std::uint64_t address, std::uint64_t size, std::uint32_t type) noexcept {
  return guarded([&] {
    constexpr auto M = &T::VirtualFree;
    return object<T>(t).VirtualFree(reinterpret_cast<Param<M, 0>>(static_cast<std::uintptr_t>(address)),
                                    static_cast<Param<M, 1>>(size), static_cast<Param<M, 2>>(type));
  });
}

template <typename T>
vmc_hresult hmm_query(vmc_target* t, std::uint64_t address, vmc_region_info* info) noexcept {
  return guarded([&]() -> vmc_hresult {
    constexpr auto M = &T::VirtualQuery;
    MEMORY_BASIC_INFORMATION mbi;
    std::memset(&mbi, 0, sizeof mbi);
    Out<M, 3> written = 0;
    const auto hr = object<T>(t).VirtualQuery(reinterpret_cast<Param<M, 0>>(static_cast<std::uintptr_t>(address)),
                                              &mbi, static_cast<Param<M, 2>>(sizeof mbi), &written);
    if (static_cast<vmc_hresult>(hr) < 0) return static_cast<vmc_hresult>(hr);
    if (written == 0) return kInvalidArg;
    if (info != nullptr)
      *info = vmc_region_info{reinterpret_cast<std::uintptr_t>(mbi.BaseAddress),
                              reinterpret_cast<std::uintptr_t>(mbi.AllocationBase),
                              static_cast<std::uint64_t>(mbi.RegionSize),
                              static_cast<std::uint32_t>(mbi.AllocationProtect),
                              static_cast<std::uint32_t>(mbi.State),
                              static_cast<std::uint32_t>(mbi.Protect),
                              static_cast<std::uint32_t>(mbi.Type)};
    return static_cast<vmc_hresult>(hr);
  });
}

template <auto Factory>
const vmc_plugin_v2* host_memory_manager_table(const char* name) {
  using T = Object<Factory>;
  static const vmc_plugin_v2 table = {
      VMC_PLUGIN_ABI_VERSION_2,
      sizeof(vmc_plugin_v2),
      name,
      "IHostMemoryManager",
      [](const char* options) { return open<Factory>(options, VMC_MEMORY_THIS_PROCESS); },
      &close<T>,
      nullptr,
      nullptr,
      [](vmc_target*) noexcept -> std::int64_t { return VMC_MEMORY_THIS_PROCESS; },
      &hmm_allocate<T>,
      &hmm_free<T>,
      nullptr,
      nullptr,
      &hmm_query<T>,
      kCanInject<T> ? &inject<T> : nullptr,
  };
  return &table;
}

}  // namespace vmc::com::adapter

/// The plugin entry of an ICorDebugMutableDataTarget (or ICorDebugDataTarget) made by
/// `T* Factory(const char* options)`.
#define VMC_COM_DATA_TARGET_PLUGIN(Factory)                                            \
  extern "C" VMC_COM_PLUGIN_EXPORT const vmc_plugin_v2* vmc_plugin_v2_entry(void) {    \
    return ::vmc::com::adapter::data_target_table<&Factory>(#Factory);                  \
  }
/// The plugin entry of an IJsDebugDataTarget made by `T* Factory(const char* options)`.
#define VMC_COM_JS_DATA_TARGET_PLUGIN(Factory)                                         \
  extern "C" VMC_COM_PLUGIN_EXPORT const vmc_plugin_v2* vmc_plugin_v2_entry(void) {    \
    return ::vmc::com::adapter::js_data_target_table<&Factory>(#Factory);               \
  }
/// The plugin entry of an IHostMemoryManager made by `T* Factory(const char* options)`.
#define VMC_COM_HOST_MEMORY_MANAGER_PLUGIN(Factory)                                    \
  extern "C" VMC_COM_PLUGIN_EXPORT const vmc_plugin_v2* vmc_plugin_v2_entry(void) {    \
    return ::vmc::com::adapter::host_memory_manager_table<&Factory>(#Factory);          \
  }
