// generators.hpp - RapidCheck generators for op sequences, shared by the opseq tests.
//
// Values are biased towards what the format has to get right: escape boundaries of the
// one-byte encodings (-128/127/128), page multiples plus/minus one, table entries and
// values outside every table, the extremes of each integer type. Generated ops are passed
// through canonical(), so they are exactly the ops encode() must accept.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "tables.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq::testgen {

inline rc::Gen<std::int32_t> small_or_any_i32() {
  using L = std::numeric_limits<std::int32_t>;
  return rc::gen::weightedOneOf<std::int32_t>({
      {4, rc::gen::inRange<std::int32_t>(-3, 4)},
      {3, rc::gen::element<std::int32_t>(-129, -128, -127, 127, 128, 0x1000, -0x1000, 0xFFF,
                                         L::min(), L::max())},
      {3, rc::gen::arbitrary<std::int32_t>()},
  });
}

/// Byte counts near multiples of 4 KiB and 64 KiB, and anything else.
inline rc::Gen<std::uint64_t> size_like(std::uint64_t max) {
  return rc::gen::map(
      rc::gen::weightedOneOf<std::uint64_t>({
          {4, rc::gen::map(rc::gen::pair(rc::gen::inRange<std::uint64_t>(0, 300),
                                         rc::gen::inRange<std::int64_t>(-130, 131)),
                           [](auto pd) {
                             return pd.first * 0x1000 + static_cast<std::uint64_t>(pd.second);
                           })},
          {2, rc::gen::element<std::uint64_t>(0, 1, 0xFFFFFFFF, 0x100000000, ~std::uint64_t{0},
                                              0x10000, 0x10001, 0xFFFF)},
          {3, rc::gen::arbitrary<std::uint64_t>()},
      }),
      [max](std::uint64_t v) { return max == ~std::uint64_t{0} ? v : v % (max + 1); });
}

template <std::size_t N>
rc::Gen<std::uint32_t> table_or_any(const std::array<std::uint32_t, N>& t) {
  return rc::gen::weightedOneOf<std::uint32_t>({
      {3, rc::gen::elementOf(t)},
      {1, rc::gen::arbitrary<std::uint32_t>()},
  });
}

inline rc::Gen<AddrRef> addr_ref() {
  return rc::gen::exec([] {
    AddrRef a;
    a.kind = *rc::gen::element(AddrRef::Kind::zero, AddrRef::Kind::region,
                               AddrRef::Kind::region_end, AddrRef::Kind::foreign);
    a.index = *rc::gen::weightedOneOf<std::uint8_t>(
        {{3, rc::gen::inRange<std::uint8_t>(0, 4)},
         {1, rc::gen::element<std::uint8_t>(62, 63, 64, 255)},
         {1, rc::gen::arbitrary<std::uint8_t>()}});
    a.page = *small_or_any_i32();
    a.offset = *small_or_any_i32();
    return canonical(a);
  });
}

inline rc::Gen<Op> op() {
  return rc::gen::exec([] {
    Op o;
    o.kind = static_cast<OpKind>(*rc::gen::inRange<std::uint8_t>(0, kOpKindCount));
    o.addr = *addr_ref();
    o.size = static_cast<std::uint32_t>(*size_like(0xFFFFFFFF));
    o.free_size = *size_like(~std::uint64_t{0});
    o.length = static_cast<std::uint32_t>(*size_like(kMaxLength));
    o.pattern = *rc::gen::arbitrary<std::uint8_t>();
    if (o.kind == OpKind::alloc) o.type = *table_or_any(detail::kAllocTypes);
    if (o.kind != OpKind::alloc) o.type = *table_or_any(detail::kFreeTypes);
    o.protect = *table_or_any(detail::kProtections);
    o.fault = static_cast<std::int32_t>(*table_or_any(detail::kFaults));
    return canonical(o);
  });
}

inline rc::Gen<Sequence> sequence() {
  return rc::gen::map(rc::gen::container<Sequence>(op()), [](Sequence s) {
    if (s.size() > kMaxOps) s.resize(kMaxOps);
    return s;
  });
}

/// Byte strings that are mostly format-v1 inputs (byte 0 = 1), of any length.
inline rc::Gen<std::vector<std::uint8_t>> input_bytes() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::weightedOneOf<std::uint8_t>(
                        {{9, rc::gen::just(std::uint8_t{kFormatVersion})},
                         {1, rc::gen::arbitrary<std::uint8_t>()}}),
                    rc::gen::arbitrary<std::vector<std::uint8_t>>()),
      [](auto p) {
        p.second.insert(p.second.begin(), p.first);
        return p.second;
      });
}

}  // namespace vmc::opseq::testgen
