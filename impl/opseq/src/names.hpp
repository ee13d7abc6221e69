// names.hpp - internal: the text form's vocabulary (MEM_*, PAGE_*, HRESULT names, numbers).
//
// Values are printed with the identifiers of vmconform/constants.hpp and parsed back from
// them; anything without a name is printed as hex. Shared by the text writer and parser so
// that the two can never disagree about a spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmc::opseq::detail {

struct Name {
  std::string_view name;
  std::uint32_t value;
};

std::span<const Name> mem_names();      // MEM_COMMIT ... (allocation and free types)
std::span<const Name> page_names();     // PAGE_NOACCESS ...
std::span<const Name> hresult_names();  // S_OK, E_FAIL, HOST_E_TIMEOUT, ...

/// "0", "NAME|NAME" when every set bit belongs to a name, else the whole value in hex.
std::string flags_text(std::uint32_t v, std::span<const Name> names);
/// Parses "NAME|NAME|0x10|4" (names from `names`, numbers in hex or decimal).
std::optional<std::uint32_t> parse_flags(std::string_view s, std::span<const Name> names);

/// The name of a known HRESULT, else "0x%08x".
std::string hresult_text(std::int32_t hr);
/// A name from hresult_names(), a u32 number, or a negative decimal >= INT32_MIN.
std::optional<std::int32_t> parse_hresult(std::string_view s);

/// Unsigned number: "0x" + hex digits, or decimal digits; nullopt on overflow or junk.
std::optional<std::uint64_t> parse_u64(std::string_view s);
/// v < 10 in decimal, else "0x" + lowercase hex.
std::string number_text(std::uint64_t v);
/// "0x" + lowercase hex, always.
std::string hex_text(std::uint64_t v);

}  // namespace vmc::opseq::detail
