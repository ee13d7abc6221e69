// constants.cpp - readable names for HRESULTs, allocation types and protections.
//
// Used by every failure message (rule, operation, arguments, return value, out-parameters),
// so that a reader never has to decode 0x800701E7 by hand.
#include "vmconform/constants.hpp"

#include <cstdio>
#include <utility>

namespace vmc {

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hresult_name(hresult hr) {
  static const std::pair<hresult, const char*> names[] = {
      {S_OK, "S_OK"},
      {S_FALSE, "S_FALSE"},
      {E_NOTIMPL, "E_NOTIMPL"},
      {E_POINTER, "E_POINTER"},
      {E_FAIL, "E_FAIL"},
      {E_UNEXPECTED, "E_UNEXPECTED"},
      {E_INVALIDARG, "E_INVALIDARG"},
      {E_OUTOFMEMORY, "E_OUTOFMEMORY"},
      {HR_NOT_ENOUGH_MEMORY, "HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)"},
      {HR_INVALID_ADDRESS, "HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS)"},
      {HR_PARTIAL_COPY, "HRESULT_FROM_WIN32(ERROR_PARTIAL_COPY)"},
      {HR_NOACCESS, "HRESULT_FROM_WIN32(ERROR_NOACCESS)"},
      {hresult_from_win32(ERROR_ACCESS_DENIED), "E_ACCESSDENIED"},
      {HOST_E_DEADLOCK, "HOST_E_DEADLOCK"},
      {HOST_E_INTERRUPTED, "HOST_E_INTERRUPTED"},
      {HOST_E_INVALIDOPERATION, "HOST_E_INVALIDOPERATION"},
      {HOST_E_CLRNOTAVAILABLE, "HOST_E_CLRNOTAVAILABLE"},
      {HOST_E_TIMEOUT, "HOST_E_TIMEOUT"},
      {HOST_E_NOT_OWNER, "HOST_E_NOT_OWNER"},
      {HOST_E_ABANDONED, "HOST_E_ABANDONED"},
  };
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(hr));
  for (const auto& [value, name] : names)
    if (value == hr) return std::string(buf) + " (" + name + ")";
  return buf;
}

namespace {
std::string flags_name(std::uint32_t v, const std::pair<std::uint32_t, const char*>* table,
                       std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if ((v & table[i].first) == table[i].first && table[i].first != 0) {
      if (!out.empty()) out += "|";
      out += table[i].second;
      v &= ~table[i].first;
    }
  }
  if (v != 0 || out.empty()) {
    if (!out.empty()) out += "|";
    out += hex(v);
  }
  return out;
}
}  // namespace

std::string alloc_type_name(std::uint32_t type) {
  static const std::pair<std::uint32_t, const char*> t[] = {
      {MEM_COMMIT, "MEM_COMMIT"},       {MEM_RESERVE, "MEM_RESERVE"},
      {MEM_DECOMMIT, "MEM_DECOMMIT"},   {MEM_RELEASE, "MEM_RELEASE"},
      {MEM_FREE, "MEM_FREE"},           {MEM_RESET, "MEM_RESET"},
      {MEM_TOP_DOWN, "MEM_TOP_DOWN"},   {MEM_WRITE_WATCH, "MEM_WRITE_WATCH"},
      {MEM_PHYSICAL, "MEM_PHYSICAL"},   {MEM_RESET_UNDO, "MEM_RESET_UNDO"},
      {MEM_LARGE_PAGES, "MEM_LARGE_PAGES"}};
  return flags_name(type, t, std::size(t));
}

std::string protect_name(std::uint32_t protect) {
  static const std::pair<std::uint32_t, const char*> t[] = {
      {PAGE_NOACCESS, "PAGE_NOACCESS"},
      {PAGE_READONLY, "PAGE_READONLY"},
      {PAGE_READWRITE, "PAGE_READWRITE"},
      {PAGE_WRITECOPY, "PAGE_WRITECOPY"},
      {PAGE_EXECUTE, "PAGE_EXECUTE"},
      {PAGE_EXECUTE_READ, "PAGE_EXECUTE_READ"},
      {PAGE_EXECUTE_READWRITE, "PAGE_EXECUTE_READWRITE"},
      {PAGE_EXECUTE_WRITECOPY, "PAGE_EXECUTE_WRITECOPY"},
      {PAGE_GUARD, "PAGE_GUARD"},
      {PAGE_NOCACHE, "PAGE_NOCACHE"},
      {PAGE_WRITECOMBINE, "PAGE_WRITECOMBINE"}};
  return flags_name(protect, t, std::size(t));
}

}  // namespace vmc
