// opseq.hpp - the one versioned operation-sequence format: data model, binary decoder and
// encoder, text form and address resolution.
//
// A Sequence is a list of virtual-memory operations (allocate, free, write, read, free of
// foreign memory, host-fault injection) whose addresses are relative to earlier results, so
// the same sequence means the same thing on every backend. The libFuzzer targets, the replay
// tool, the corpus tests and the RapidCheck counterexample printer all go through this header;
// there is no other decoder. The byte-level format is specified in impl/opseq/FORMAT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vmc::opseq {

/// An address relative to earlier results, meaningful on any backend (resolve() below).
struct AddrRef {
  enum class Kind : std::uint8_t { zero, region, region_end, foreign };
  Kind kind = Kind::zero;
  std::uint8_t index = 0;   // region: handles counted from the newest (0 = newest); foreign: sample index
  std::int32_t page = 0;    // signed, in pages (region/region_end only)
  std::int32_t offset = 0;  // signed byte offset added last
  bool operator==(const AddrRef&) const = default;
};

enum class OpKind : std::uint8_t { alloc, free, write, read, free_foreign, inject_fault };
inline constexpr std::size_t kOpKindCount = 6;

struct Op {
  OpKind kind = OpKind::alloc;
  AddrRef addr;                // alloc: zero = system chooses; free_foreign uses kind=foreign
  std::uint32_t size = 0;      // alloc size in bytes
  std::uint64_t free_size = 0; // free/free_foreign: dwSize
  std::uint32_t type = 0;      // alloc: allocation type; free/free_foreign: free type
  std::uint32_t protect = 0;   // alloc
  std::uint32_t length = 0;    // write/read: bytes
  std::uint8_t pattern = 0;    // write: data = pattern_bytes(pattern, length)
  std::int32_t fault = 0;      // inject_fault: the HRESULT
  bool operator==(const Op&) const = default;
};
using Sequence = std::vector<Op>;

inline constexpr std::uint8_t kFormatVersion = 1;
/// decode() stops after this many operations; encode() and parse_text() refuse more.
inline constexpr std::size_t kMaxOps = 256;
/// write/read lengths are clamped to this by decode(); encode() and parse_text() refuse more.
inline constexpr std::uint32_t kMaxLength = 0x100000 + 0x10000;  // 1 MiB + 64 KiB
/// The unit of the (pages, delta) size encoding. Fixed by the format, whatever the
/// backend's page size (AddrRef pages, by contrast, use the backend's page size).
inline constexpr std::uint32_t kSizeUnit = 0x1000;

/// Binary form -> sequence. Never fails: every byte string decodes to a canonical Sequence
/// of at most kMaxOps ops (empty if the input is empty or byte 0 is not kFormatVersion).
Sequence decode(std::span<const std::uint8_t> bytes);
/// Same, and `used` = the bytes it read (the rest, after the kMaxOps-th op, is ignored).
Sequence decode(std::span<const std::uint8_t> bytes, std::size_t& used);

/// Sequence -> binary form with decode(encode(s)) == s. Throws std::invalid_argument if
/// s has more than kMaxOps ops or any op is not canonical (canonical(op) != op: a field the
/// op kind does not use is non-zero, a length exceeds kMaxLength, an OpKind/Kind value is
/// out of range, or a free_foreign address is not of kind foreign).
std::vector<std::uint8_t> encode(const Sequence& s);

/// The canonical form of an op: what the op means, with the fields its kind does not use set
/// to zero (AddrRef: index/page for zero, page for foreign), lengths clamped to kMaxLength,
/// a free_foreign address forced to kind foreign and out-of-range enum values reduced modulo
/// their count (as decode does). decode() only produces canonical ops; encode() accepts
/// exactly those. canonical(canonical(op)) == canonical(op).
Op canonical(const Op& op);
AddrRef canonical(const AddrRef& a);

/// Readable, editable text: first line "vmconform-opseq 1", then one op per line
/// (fields not used by an op's kind are not printed). parse_text(to_text(s)) == s for every
/// canonical s.
std::string to_text(const Sequence& s);
/// One op as its line of the text form, without the newline.
std::string to_text(const Op& op);
/// e.g. "r0+p1+0xff", "end(r2)-p1-0x1", "f0+0x10", "0", "0+0x1000".
std::string to_text(const AddrRef& a);

struct ParseError {
  int line;             // 1-based line of the text the error is on
  std::string message;  // what is wrong, without the line number
};
/// Text form -> sequence. Any successful result is encodable (canonical, <= kMaxOps ops).
std::variant<Sequence, ParseError> parse_text(std::string_view text);

/// The data a write op writes: deterministic, position-dependent; pattern 0 = all zero.
/// Byte i (for pattern p != 0) = (p + (2p+1)*i + i/256 + i/65536) mod 256.
std::vector<std::uint8_t> pattern_bytes(std::uint8_t pattern, std::uint32_t length);

/// A reservation made earlier in the sequence (released ones stay). resolve() takes them in
/// the order they were made, oldest first: handles.back() is region index 0.
struct Handle {
  std::uint64_t base;
  std::uint64_t size;
};
struct ForeignSample {
  std::uint64_t address;
  std::uint64_t size;
};
/// The address `a` stands for (rules in impl/opseq/FORMAT.md; all arithmetic modulo 2^64):
///   zero       -> offset
///   region     -> handles[newest-first index % count].base + page*page_size + offset
///   region_end -> that handle's base + size + page*page_size + offset
///   foreign    -> foreign[index % count].address + offset
/// With no handles (region kinds) or no samples (foreign), the base is 0.
std::uint64_t resolve(const AddrRef& a, const std::vector<Handle>& handles,
                      const std::vector<ForeignSample>& foreign, std::uint32_t page_size);

}  // namespace vmc::opseq
