// wire.hpp - internal: the primitive field encodings of binary format v1, read and written.
//
// Reader and Writer are mirror images: u8, little-endian u32/u64, the small signed value
// "sv" (one byte, or 0x80 followed by a raw i32), the size "(pages, delta)" (a page count in
// units of kSizeUnit and an sv delta, or 0xFF followed by a raw value) and the table index
// (index modulo table size + 1; the last index escapes to a raw u32). The Reader never reads
// past its input: missing bytes read as zero, which is how a truncated op decodes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vmconform/opseq.hpp"

namespace vmc::opseq::detail {

inline constexpr std::uint8_t kSvEscape = 0x80;     // sv: a raw i32 follows
inline constexpr std::uint8_t kSizeEscape = 0xFF;   // size: a raw u32/u64 follows
inline constexpr std::uint8_t kIndexEscape = 0x3F;  // address byte bits 2..7: a raw index follows
inline constexpr std::uint8_t kMaxSizePages = 0xFE;

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool at_end() const { return pos_ >= bytes_.size(); }
  /// Bytes of input read so far (reads past the end, which return 0, do not count).
  std::size_t position() const { return pos_ < bytes_.size() ? pos_ : bytes_.size(); }

  std::uint8_t u8() { return pos_ < bytes_.size() ? bytes_[pos_++] : std::uint8_t{0}; }

  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(u8()) << (8 * i);
    return v;
  }

  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(u8()) << (8 * i);
    return v;
  }

  std::int32_t sv() {
    const std::uint8_t b = u8();
    if (b == kSvEscape) return static_cast<std::int32_t>(u32());
    return static_cast<std::int8_t>(b);
  }

  /// (pages, delta) or escape; the result wraps modulo 2^64 (callers narrow to 32 bits).
  std::uint64_t size(bool wide) {
    const std::uint8_t pages = u8();
    if (pages == kSizeEscape) return wide ? u64() : u32();
    const auto delta = static_cast<std::uint64_t>(static_cast<std::int64_t>(sv()));
    return std::uint64_t{pages} * kSizeUnit + delta;
  }

  template <std::size_t N>
  std::uint32_t table(const std::array<std::uint32_t, N>& t) {
    const std::size_t i = u8() % (N + 1);
    return i < N ? t[i] : u32();
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }

  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }

  void sv(std::int32_t v) {
    if (v >= -127 && v <= 127) {
      u8(static_cast<std::uint8_t>(static_cast<std::int8_t>(v)));
    } else {
      u8(kSvEscape);
      u32(static_cast<std::uint32_t>(v));
    }
  }

  /// The shortest of (pages, one-byte delta) when it exists, else the escape and raw value.
  void size(std::uint64_t v, bool wide) {
    const std::uint64_t limit = std::uint64_t{kMaxSizePages} * kSizeUnit + 127;
    if (v <= limit) {
      std::uint64_t pages = (v + kSizeUnit / 2) / kSizeUnit;
      if (pages > kMaxSizePages) pages = kMaxSizePages;
      const std::int64_t delta =
          static_cast<std::int64_t>(v) - static_cast<std::int64_t>(pages * kSizeUnit);
      if (delta >= -127 && delta <= 127) {
        u8(static_cast<std::uint8_t>(pages));
        sv(static_cast<std::int32_t>(delta));
        return;
      }
    }
    u8(kSizeEscape);
    if (wide)
      u64(v);
    else
      u32(static_cast<std::uint32_t>(v));
  }

  template <std::size_t N>
  void table(const std::array<std::uint32_t, N>& t, std::uint32_t v) {
    for (std::size_t i = 0; i < N; ++i) {
      if (t[i] == v) {
        u8(static_cast<std::uint8_t>(i));
        return;
      }
    }
    u8(static_cast<std::uint8_t>(N));
    u32(v);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace vmc::opseq::detail
