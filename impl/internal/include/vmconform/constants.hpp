// constants.hpp - the documented numeric values used by the three operations.
//
// Allocation and free types (MEM_*), page protections (PAGE_*), and the HRESULTs the
// documents and the Win32 layer they defer to name, with the values Microsoft publishes
// (see spec/README.md for sources). Nothing here is behaviour; it is only vocabulary
// shared by the reference model, the backends, the conformance suite and the fuzzers.
#pragma once

#include <cstdint>
#include <string>

namespace vmc {

using hresult = std::int32_t;

// --- allocation types (VirtualAlloc) and free types (VirtualFree) -------------------
inline constexpr std::uint32_t MEM_COMMIT = 0x00001000;
inline constexpr std::uint32_t MEM_RESERVE = 0x00002000;
inline constexpr std::uint32_t MEM_DECOMMIT = 0x00004000;
inline constexpr std::uint32_t MEM_RELEASE = 0x00008000;
inline constexpr std::uint32_t MEM_FREE = 0x00010000;  // a query State; invalid as a free type
inline constexpr std::uint32_t MEM_PRIVATE = 0x00020000;
inline constexpr std::uint32_t MEM_MAPPED = 0x00040000;
inline constexpr std::uint32_t MEM_RESET = 0x00080000;
inline constexpr std::uint32_t MEM_TOP_DOWN = 0x00100000;
inline constexpr std::uint32_t MEM_WRITE_WATCH = 0x00200000;
inline constexpr std::uint32_t MEM_PHYSICAL = 0x00400000;
inline constexpr std::uint32_t MEM_RESET_UNDO = 0x01000000;
inline constexpr std::uint32_t MEM_LARGE_PAGES = 0x20000000;

// --- page protections -----------------------------------------------------------------
inline constexpr std::uint32_t PAGE_NOACCESS = 0x01;
inline constexpr std::uint32_t PAGE_READONLY = 0x02;
inline constexpr std::uint32_t PAGE_READWRITE = 0x04;
inline constexpr std::uint32_t PAGE_WRITECOPY = 0x08;
inline constexpr std::uint32_t PAGE_EXECUTE = 0x10;
inline constexpr std::uint32_t PAGE_EXECUTE_READ = 0x20;
inline constexpr std::uint32_t PAGE_EXECUTE_READWRITE = 0x40;
inline constexpr std::uint32_t PAGE_EXECUTE_WRITECOPY = 0x80;
inline constexpr std::uint32_t PAGE_GUARD = 0x100;
inline constexpr std::uint32_t PAGE_NOCACHE = 0x200;
inline constexpr std::uint32_t PAGE_WRITECOMBINE = 0x400;

// --- HRESULTs ----------------------------------------------------------------------------
inline constexpr hresult S_OK = 0;
inline constexpr hresult S_FALSE = 1;
inline constexpr hresult E_NOTIMPL = static_cast<hresult>(0x80004001u);
inline constexpr hresult E_POINTER = static_cast<hresult>(0x80004003u);
inline constexpr hresult E_FAIL = static_cast<hresult>(0x80004005u);
inline constexpr hresult E_UNEXPECTED = static_cast<hresult>(0x8000FFFFu);

/// HRESULT_FROM_WIN32 for a non-zero Win32 error code.
constexpr hresult hresult_from_win32(std::uint32_t err) {
  return err == 0 ? S_OK : static_cast<hresult>(0x80070000u | (err & 0xFFFFu));
}
inline constexpr std::uint32_t ERROR_ACCESS_DENIED = 5;
inline constexpr std::uint32_t ERROR_NOT_ENOUGH_MEMORY = 8;
inline constexpr std::uint32_t ERROR_INVALID_PARAMETER = 87;
inline constexpr std::uint32_t ERROR_PARTIAL_COPY = 299;
inline constexpr std::uint32_t ERROR_INVALID_ADDRESS = 487;
inline constexpr std::uint32_t ERROR_NOACCESS = 998;

inline constexpr hresult E_INVALIDARG = hresult_from_win32(ERROR_INVALID_PARAMETER);  // 0x80070057
inline constexpr hresult E_OUTOFMEMORY = static_cast<hresult>(0x8007000Eu);
inline constexpr hresult HR_NOT_ENOUGH_MEMORY = hresult_from_win32(ERROR_NOT_ENOUGH_MEMORY);
inline constexpr hresult HR_INVALID_ADDRESS = hresult_from_win32(ERROR_INVALID_ADDRESS);  // 0x800701E7
inline constexpr hresult HR_PARTIAL_COPY = hresult_from_win32(ERROR_PARTIAL_COPY);        // 0x8007012B
inline constexpr hresult HR_NOACCESS = hresult_from_win32(ERROR_NOACCESS);                // 0x800703E6

// CLR hosting codes: MAKE_HRESULT(1, FACILITY_URT=0x13, code).
inline constexpr hresult HOST_E_DEADLOCK = static_cast<hresult>(0x80131020u);
inline constexpr hresult HOST_E_INTERRUPTED = static_cast<hresult>(0x80131021u);
inline constexpr hresult HOST_E_INVALIDOPERATION = static_cast<hresult>(0x80131022u);
inline constexpr hresult HOST_E_CLRNOTAVAILABLE = static_cast<hresult>(0x80131023u);
inline constexpr hresult HOST_E_TIMEOUT = static_cast<hresult>(0x80131024u);
inline constexpr hresult HOST_E_NOT_OWNER = static_cast<hresult>(0x80131025u);
inline constexpr hresult HOST_E_ABANDONED = static_cast<hresult>(0x80131026u);

constexpr bool failed(hresult hr) { return hr < 0; }
constexpr bool succeeded(hresult hr) { return hr >= 0; }

/// "0x80070057 (E_INVALIDARG)"-style text for messages.
std::string hresult_name(hresult hr);
/// "MEM_COMMIT|MEM_RESERVE"-style text; unknown bits are printed in hex.
std::string alloc_type_name(std::uint32_t type);
std::string protect_name(std::uint32_t protect);
std::string hex(std::uint64_t v);

}  // namespace vmc
