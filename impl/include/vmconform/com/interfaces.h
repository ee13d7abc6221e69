/* interfaces.h - the COM interfaces whose virtual-memory methods vmconform checks, declared for
 * C++ implementers who have no Windows SDK or .NET PAL headers at hand.
 *
 * IUnknown, ICorDebugDataTarget, ICorDebugMutableDataTarget (CorDebug.h), IJsDebugDataTarget
 * (jscript9diag.h), IHostMemoryManager, IHostMalloc and ICLRMemoryNotificationCallback (MSCorEE.h)
 * with their documented method order (the vtable order of the MIDL headers, not the alphabetical
 * order of the documentation pages), signatures and IIDs, and the types they use (HRESULT, BYTE,
 * DWORD, ULONG32, SIZE_T, CORDB_ADDRESS, ...), written from the documentation
 * (spec/rules.json's sources; /work/shared/reference section 2). Everything is in namespace
 * vmc::com, so these declarations never collide with the real headers; a class implementing one of
 * them is handed to vmconform through the adapters of vmconform/com/adapters.hpp, which are
 * templates over the object type and equally accept an object declared with the Windows SDK's or
 * the PAL's own headers.
 *
 * When the program already includes the PAL's or Windows' headers, define VMC_COM_HAVE_TYPES
 * before including this file: the type definitions (HRESULT, GUID, the integer types, BSTR,
 * MEMORY_BASIC_INFORMATION and the enumerations) are then skipped and those of the included
 * headers are used, while the interfaces are still declared here, in vmc::com.
 *
 * C++ only (COM interfaces are abstract classes); ABI-versioned like plugin.h: declarations are
 * only ever added. Methods use the platform's COM calling convention (__stdcall on 32-bit
 * Windows, the default elsewhere).
 */
#ifndef VMCONFORM_COM_INTERFACES_H
#define VMCONFORM_COM_INTERFACES_H

#ifndef __cplusplus
#error "vmconform/com/interfaces.h declares C++ abstract classes; C plugins use vmconform/plugin.h"
#endif

#include <cstddef>
#include <cstdint>

#if defined(_WIN32) && !defined(_WIN64)
#define VMC_COM_STDCALL __stdcall
#else
#define VMC_COM_STDCALL
#endif

namespace vmc::com {

#ifndef VMC_COM_HAVE_TYPES
typedef std::int32_t HRESULT;    /* S_OK == 0; failures have the severity (top) bit set */
typedef std::uint8_t BYTE;
typedef std::uint16_t WORD;
typedef std::uint32_t DWORD;
typedef std::uint32_t ULONG;     /* 32 bits on Windows (LLP64) and in the PAL */
typedef std::uint32_t ULONG32;
typedef std::uint64_t ULONG64;
typedef std::uint16_t UINT16;
typedef std::uint32_t UINT32;
typedef std::uint64_t UINT64;
typedef int BOOL;
typedef std::size_t SIZE_T;      /* pointer-sized */
typedef void* LPVOID;
typedef char16_t OLECHAR;        /* UTF-16, as WCHAR on Windows and in the PAL */
typedef OLECHAR* BSTR;
typedef ULONG64 CORDB_ADDRESS;   /* an address in the target, whatever its pointer size */
typedef DWORD CORDB_CONTINUE_STATUS;

struct GUID {
  std::uint32_t Data1;
  std::uint16_t Data2;
  std::uint16_t Data3;
  std::uint8_t Data4[8];
};
typedef GUID IID;
typedef const IID& REFIID;

/* The target platform (ICorDebugDataTarget::GetPlatform). */
enum CorDebugPlatform {
  CORDB_PLATFORM_WINDOWS_X86 = 0,
  CORDB_PLATFORM_WINDOWS_AMD64 = 1,
  CORDB_PLATFORM_WINDOWS_IA64 = 2,
  CORDB_PLATFORM_MAC_PPC = 3,
  CORDB_PLATFORM_MAC_X86 = 4,
  CORDB_PLATFORM_WINDOWS_ARM = 5,
  CORDB_PLATFORM_MAC_AMD64 = 6
};

/* IJsDebugDataTarget::ReadMemory's flags. */
enum JsDebugReadMemoryFlags { None = 0x0, JsDebugAllowPartialRead = 0x1 };

/* How critical an allocation is to the CLR (IHostMemoryManager::VirtualAlloc, IHostMalloc). */
enum EMemoryCriticalLevel { eTaskCritical = 0, eAppDomainCritical = 1, eProcessCritical = 2 };
/* IHostMemoryManager::CreateMalloc's dwMallocType bits. */
enum MALLOC_TYPE { MALLOC_THREADSAFE = 0x1, MALLOC_EXECUTABLE = 0x2 };
/* ICLRMemoryNotificationCallback::OnMemoryNotification. */
enum EMemoryAvailable { eMemoryAvailableLow = 1, eMemoryAvailableNeutral = 2, eMemoryAvailableHigh = 3 };

/* What IHostMemoryManager::VirtualQuery writes into lpBuffer: Win32's MEMORY_BASIC_INFORMATION
 * (Protect is 0 for reserved pages; Type MEM_PRIVATE for VirtualAlloc memory). */
struct MEMORY_BASIC_INFORMATION {
  void* BaseAddress;
  void* AllocationBase;
  DWORD AllocationProtect;
#if defined(_WIN64) || defined(__LP64__)
  WORD PartitionId; /* in the padding that precedes RegionSize in 64-bit builds */
#endif
  SIZE_T RegionSize;
  DWORD State;
  DWORD Protect;
  DWORD Type;
};
#endif /* VMC_COM_HAVE_TYPES */

/* The interface identifiers, under vmconform's names (the SDK's IID_* are not redeclared). */
inline constexpr IID kIID_IUnknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
inline constexpr IID kIID_ICorDebugDataTarget = {
    0xFE06DC28, 0x49FB, 0x4636, {0xA4, 0xA3, 0xE8, 0x0D, 0xB4, 0xAE, 0x11, 0x6C}};
inline constexpr IID kIID_ICorDebugMutableDataTarget = {
    0xA1B8A756, 0x3CB6, 0x4CCB, {0x97, 0x9F, 0x3D, 0xF9, 0x99, 0x67, 0x3A, 0x59}};
inline constexpr IID kIID_IJsDebugDataTarget = {
    0x53B28977, 0x53A1, 0x48E5, {0x90, 0x00, 0x5D, 0x0D, 0xFA, 0x89, 0x39, 0x31}};
inline constexpr IID kIID_IHostMemoryManager = {
    0x7BC698D1, 0xF9E3, 0x4460, {0x9C, 0xDE, 0xD0, 0x42, 0x48, 0xE9, 0xFA, 0x25}};
inline constexpr IID kIID_IHostMalloc = {
    0x1831991C, 0xCC53, 0x4A31, {0xB2, 0x18, 0x04, 0xE9, 0x10, 0x44, 0x64, 0x79}};

/* The HRESULTs the documents name for these interfaces. */
inline constexpr HRESULT kS_OK = 0;
inline constexpr HRESULT kS_FALSE = 1;
inline constexpr HRESULT kE_NOTIMPL = static_cast<HRESULT>(0x80004001u);
inline constexpr HRESULT kE_NOINTERFACE = static_cast<HRESULT>(0x80004002u);
inline constexpr HRESULT kE_POINTER = static_cast<HRESULT>(0x80004003u);
inline constexpr HRESULT kE_FAIL = static_cast<HRESULT>(0x80004005u);
inline constexpr HRESULT kE_OUTOFMEMORY = static_cast<HRESULT>(0x8007000Eu);
inline constexpr HRESULT kE_INVALIDARG = static_cast<HRESULT>(0x80070057u);
inline constexpr HRESULT kHOST_E_INVALIDOPERATION = static_cast<HRESULT>(0x80131022u);
inline constexpr HRESULT kHOST_E_CLRNOTAVAILABLE = static_cast<HRESULT>(0x80131023u);
inline constexpr HRESULT kHOST_E_TIMEOUT = static_cast<HRESULT>(0x80131024u);
inline constexpr HRESULT kHOST_E_NOT_OWNER = static_cast<HRESULT>(0x80131025u);
inline constexpr HRESULT kHOST_E_ABANDONED = static_cast<HRESULT>(0x80131026u);
inline constexpr HRESULT kCORDBG_E_READVIRTUAL_FAILURE = static_cast<HRESULT>(0x80131C49u);
inline constexpr HRESULT kE_JsDEBUG_INVALID_MEMORY_ADDRESS = static_cast<HRESULT>(0x8DC70005u);

struct IEnumJsStackFrames; /* IJsDebugDataTarget::CreateStackFrameEnumerator's result (not declared here) */

/* IUnknown: vtable slots 0-2 of every interface below. */
struct IUnknown {
  virtual HRESULT VMC_COM_STDCALL QueryInterface(REFIID riid, void** ppvObject) = 0;
  virtual ULONG VMC_COM_STDCALL AddRef() = 0;
  virtual ULONG VMC_COM_STDCALL Release() = 0; /* the last one destroys the object */
};

/* ICorDebugDataTarget (IID FE06DC28-49FB-4636-A4A3-E80DB4AE116C): a debugger's view of a target
 * process's memory. ReadVirtual may read a prefix: it succeeds when the first byte is readable. */
struct ICorDebugDataTarget : IUnknown {
  virtual HRESULT VMC_COM_STDCALL GetPlatform(CorDebugPlatform* pTargetPlatform) = 0;
  virtual HRESULT VMC_COM_STDCALL ReadVirtual(CORDB_ADDRESS address, BYTE* pBuffer, ULONG32 bytesRequested,
                                              ULONG32* pBytesRead) = 0;
  virtual HRESULT VMC_COM_STDCALL GetThreadContext(DWORD dwThreadID, ULONG32 contextFlags, ULONG32 contextSize,
                                                   BYTE* pContext) = 0;
};

/* ICorDebugMutableDataTarget (IID A1B8A756-3CB6-4CCB-979F-3DF999673A59): WriteVirtual returns
 * S_OK, or fails without changing any byte of the target. */
struct ICorDebugMutableDataTarget : ICorDebugDataTarget {
  virtual HRESULT VMC_COM_STDCALL WriteVirtual(CORDB_ADDRESS address, const BYTE* pBuffer, ULONG32 bytesRequested) = 0;
  virtual HRESULT VMC_COM_STDCALL SetThreadContext(DWORD dwThreadID, ULONG32 contextSize, const BYTE* pContext) = 0;
  virtual HRESULT VMC_COM_STDCALL ContinueStatusChanged(DWORD dwThreadId, CORDB_CONTINUE_STATUS continueStatus) = 0;
};

/* IJsDebugDataTarget (IID 53B28977-53A1-48E5-9000-5D0DFA893931): a script debugger's view of a
 * target process. WriteMemory's buffer is BYTE* in the header (const in the documentation). */
struct IJsDebugDataTarget : IUnknown {
  virtual HRESULT VMC_COM_STDCALL ReadMemory(UINT64 address, JsDebugReadMemoryFlags flags, BYTE* pBuffer, DWORD size,
                                             DWORD* pBytesRead) = 0;
  virtual HRESULT VMC_COM_STDCALL WriteMemory(UINT64 address, BYTE* pMemory, DWORD size) = 0;
  virtual HRESULT VMC_COM_STDCALL AllocateVirtualMemory(UINT64 address, DWORD size, DWORD allocationType,
                                                        DWORD pageProtection, UINT64* pAllocatedAddress) = 0;
  virtual HRESULT VMC_COM_STDCALL FreeVirtualMemory(UINT64 address, DWORD size, DWORD freeType) = 0;
  virtual HRESULT VMC_COM_STDCALL GetTlsValue(DWORD threadId, UINT32 tlsIndex, UINT64* pValue) = 0;
  virtual HRESULT VMC_COM_STDCALL ReadBSTR(UINT64 address, BSTR* pString) = 0;
  virtual HRESULT VMC_COM_STDCALL ReadNullTerminatedString(UINT64 address, UINT16 characterSize, UINT32 maxCharacters,
                                                           BSTR* pString) = 0;
  virtual HRESULT VMC_COM_STDCALL CreateStackFrameEnumerator(DWORD threadId, IEnumJsStackFrames** ppEnumerator) = 0;
  virtual HRESULT VMC_COM_STDCALL GetThreadContext(DWORD threadId, ULONG32 contextFlags, ULONG32 contextSize,
                                                   void* pContext) = 0;
};

/* IHostMalloc (IID 1831991C-CC53-4A31-B218-04E910446479): a host heap (CreateMalloc's result). */
struct IHostMalloc : IUnknown {
  virtual HRESULT VMC_COM_STDCALL Alloc(SIZE_T cbSize, EMemoryCriticalLevel eCriticalLevel, void** ppMem) = 0;
  virtual HRESULT VMC_COM_STDCALL DebugAlloc(SIZE_T cbSize, EMemoryCriticalLevel eCriticalLevel, char* pszFileName,
                                             int iLineNo, void** ppMem) = 0;
  virtual HRESULT VMC_COM_STDCALL Free(void* pMem) = 0;
};

/* ICLRMemoryNotificationCallback: how the host reports memory pressure to the CLR. */
struct ICLRMemoryNotificationCallback : IUnknown {
  virtual HRESULT VMC_COM_STDCALL OnMemoryNotification(EMemoryAvailable eMemoryAvailable) = 0;
};

/* IHostMemoryManager (IID 7BC698D1-F9E3-4460-9CDE-D04248E9FA25): the CLR host's virtual memory,
 * in process. VirtualFree has Win32 VirtualFree's semantics; freeing memory the host did not
 * allocate returns HOST_E_INVALIDOPERATION; after E_FAIL every later call returns
 * HOST_E_CLRNOTAVAILABLE. */
struct IHostMemoryManager : IUnknown {
  virtual HRESULT VMC_COM_STDCALL CreateMalloc(DWORD dwMallocType, IHostMalloc** ppMalloc) = 0;
  virtual HRESULT VMC_COM_STDCALL VirtualAlloc(void* pAddress, SIZE_T dwSize, DWORD flAllocationType, DWORD flProtect,
                                               EMemoryCriticalLevel eCriticalLevel, void** ppMem) = 0;
  virtual HRESULT VMC_COM_STDCALL VirtualFree(LPVOID lpAddress, SIZE_T dwSize, DWORD dwFreeType) = 0;
  virtual HRESULT VMC_COM_STDCALL VirtualQuery(void* lpAddress, void* lpBuffer, SIZE_T dwLength, SIZE_T* pResult) = 0;
  virtual HRESULT VMC_COM_STDCALL VirtualProtect(void* lpAddress, SIZE_T dwSize, DWORD flNewProtect,
                                                 DWORD* pflOldProtect) = 0;
  virtual HRESULT VMC_COM_STDCALL GetMemoryLoad(DWORD* pMemoryLoad, SIZE_T* pAvailableBytes) = 0;
  virtual HRESULT VMC_COM_STDCALL RegisterMemoryNotificationCallback(ICLRMemoryNotificationCallback* pCallback) = 0;
  virtual HRESULT VMC_COM_STDCALL NeedsVirtualAddressSpace(LPVOID startAddress, SIZE_T size) = 0;
  virtual HRESULT VMC_COM_STDCALL AcquiredVirtualAddressSpace(LPVOID startAddress, SIZE_T size) = 0;
  virtual HRESULT VMC_COM_STDCALL ReleasedVirtualAddressSpace(LPVOID startAddress) = 0;
};

/* True if two interface identifiers are equal (for QueryInterface implementations). */
inline bool same_iid(const IID& a, const IID& b) {
  if (a.Data1 != b.Data1 || a.Data2 != b.Data2 || a.Data3 != b.Data3) return false;
  for (int i = 0; i < 8; ++i)
    if (a.Data4[i] != b.Data4[i]) return false;
  return true;
}

}  /* namespace vmc::com */

#endif /* VMCONFORM_COM_INTERFACES_H */
