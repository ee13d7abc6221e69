// names.cpp - internal: name <-> value tables and number syntax of the text form.
//
// The names are exactly the identifiers of vmconform/constants.hpp, so a text sequence reads
// like the C++ that the conformance tests are written in (MEM_COMMIT|MEM_RESERVE, E_FAIL).
#include "names.hpp"

#include <array>
#include <cstdio>
#include <limits>

#include "vmconform/constants.hpp"

namespace vmc::opseq::detail {
namespace {

constexpr std::array kMem = {
    Name{"MEM_COMMIT", MEM_COMMIT},           Name{"MEM_RESERVE", MEM_RESERVE},
    Name{"MEM_DECOMMIT", MEM_DECOMMIT},       Name{"MEM_RELEASE", MEM_RELEASE},
    Name{"MEM_FREE", MEM_FREE},               Name{"MEM_PRIVATE", MEM_PRIVATE},
    Name{"MEM_MAPPED", MEM_MAPPED},           Name{"MEM_RESET", MEM_RESET},
    Name{"MEM_TOP_DOWN", MEM_TOP_DOWN},       Name{"MEM_WRITE_WATCH", MEM_WRITE_WATCH},
    Name{"MEM_PHYSICAL", MEM_PHYSICAL},       Name{"MEM_RESET_UNDO", MEM_RESET_UNDO},
    Name{"MEM_LARGE_PAGES", MEM_LARGE_PAGES},
};

constexpr std::array kPage = {
    Name{"PAGE_NOACCESS", PAGE_NOACCESS},
    Name{"PAGE_READONLY", PAGE_READONLY},
    Name{"PAGE_READWRITE", PAGE_READWRITE},
    Name{"PAGE_WRITECOPY", PAGE_WRITECOPY},
    Name{"PAGE_EXECUTE", PAGE_EXECUTE},
    Name{"PAGE_EXECUTE_READ", PAGE_EXECUTE_READ},
    Name{"PAGE_EXECUTE_READWRITE", PAGE_EXECUTE_READWRITE},
    Name{"PAGE_EXECUTE_WRITECOPY", PAGE_EXECUTE_WRITECOPY},
    Name{"PAGE_GUARD", PAGE_GUARD},
    Name{"PAGE_NOCACHE", PAGE_NOCACHE},
    Name{"PAGE_WRITECOMBINE", PAGE_WRITECOMBINE},
};

constexpr Name hr(std::string_view name, hresult v) { return {name, static_cast<std::uint32_t>(v)}; }

constexpr std::array kHresult = {
    hr("S_OK", S_OK),
    hr("S_FALSE", S_FALSE),
    hr("E_NOTIMPL", E_NOTIMPL),
    hr("E_POINTER", E_POINTER),
    hr("E_FAIL", E_FAIL),
    hr("E_UNEXPECTED", E_UNEXPECTED),
    hr("E_INVALIDARG", E_INVALIDARG),
    hr("E_OUTOFMEMORY", E_OUTOFMEMORY),
    hr("HR_NOT_ENOUGH_MEMORY", HR_NOT_ENOUGH_MEMORY),
    hr("HR_INVALID_ADDRESS", HR_INVALID_ADDRESS),
    hr("HR_PARTIAL_COPY", HR_PARTIAL_COPY),
    hr("HR_NOACCESS", HR_NOACCESS),
    hr("HOST_E_DEADLOCK", HOST_E_DEADLOCK),
    hr("HOST_E_INTERRUPTED", HOST_E_INTERRUPTED),
    hr("HOST_E_INVALIDOPERATION", HOST_E_INVALIDOPERATION),
    hr("HOST_E_CLRNOTAVAILABLE", HOST_E_CLRNOTAVAILABLE),
    hr("HOST_E_TIMEOUT", HOST_E_TIMEOUT),
    hr("HOST_E_NOT_OWNER", HOST_E_NOT_OWNER),
    hr("HOST_E_ABANDONED", HOST_E_ABANDONED),
};

std::optional<std::uint32_t> lookup(std::span<const Name> names, std::string_view s) {
  for (const Name& n : names)
    if (n.name == s) return n.value;
  return std::nullopt;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

}  // namespace

std::span<const Name> mem_names() { return kMem; }
std::span<const Name> page_names() { return kPage; }
std::span<const Name> hresult_names() { return kHresult; }

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    const int d = digit_value(c);
    if (d >= static_cast<int>(base)) return std::nullopt;
    if (v > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) / base)
      return std::nullopt;
    v = v * base + static_cast<unsigned>(d);
  }
  return v;
}

std::string hex_text(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string number_text(std::uint64_t v) { return v < 10 ? std::to_string(v) : hex_text(v); }

std::string flags_text(std::uint32_t v, std::span<const Name> names) {
  if (v == 0) return "0";
  std::string out;
  std::uint32_t left = v;
  for (const Name& n : names) {
    if ((left & n.value) == n.value) {
      if (!out.empty()) out += '|';
      out += n.name;
      left &= ~n.value;
    }
  }
  return left == 0 ? out : hex_text(v);
}

std::optional<std::uint32_t> parse_flags(std::string_view s, std::span<const Name> names) {
  std::uint32_t v = 0;
  while (true) {
    const std::size_t bar = s.find('|');
    const std::string_view part = s.substr(0, bar);
    if (auto named = lookup(names, part)) {
      v |= *named;
    } else {
      const auto n = parse_u64(part);
      if (!n || *n > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
      v |= static_cast<std::uint32_t>(*n);
    }
    if (bar == std::string_view::npos) return v;
    s.remove_prefix(bar + 1);
  }
}

std::string hresult_text(std::int32_t hr_value) {
  const auto u = static_cast<std::uint32_t>(hr_value);
  for (const Name& n : kHresult)
    if (n.value == u) return std::string(n.name);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", u);
  return buf;
}

std::optional<std::int32_t> parse_hresult(std::string_view s) {
  if (auto named = lookup(kHresult, s)) return static_cast<std::int32_t>(*named);
  if (!s.empty() && s[0] == '-') {
    const auto n = parse_u64(s.substr(1));
    if (!n || *n > 0x80000000ull) return std::nullopt;
    return static_cast<std::int32_t>(-static_cast<std::int64_t>(*n));
  }
  const auto n = parse_u64(s);
  if (!n || *n > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(*n));
}

}  // namespace vmc::opseq::detail
