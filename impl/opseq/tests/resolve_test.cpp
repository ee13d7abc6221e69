// resolve_test.cpp - tests of address resolution and write patterns, on the examples that
// impl/opseq/FORMAT.md gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

using K = AddrRef::Kind;
constexpr std::uint32_t kPage = 0x1000;

// Two reservations, oldest first, and one foreign sample (FORMAT.md "Resolution").
const std::vector<Handle> kHandles = {{0x10000, 0x3000}, {0x50000, 0x10000}};
const std::vector<ForeignSample> kForeign = {{0x7000'0000, 0x100}};

std::uint64_t at(AddrRef a) { return resolve(a, kHandles, kForeign, kPage); }

TEST(Resolve, DocumentedExamples) {
  EXPECT_EQ(at({K::zero, 0, 0, 0}), 0u);
  EXPECT_EQ(at({K::zero, 0, 0, 0x1000}), 0x1000u);
  EXPECT_EQ(at({K::region, 0, 0, 0}), 0x50000u);             // r0 = newest
  EXPECT_EQ(at({K::region, 1, 0, 0}), 0x10000u);             // r1 = the one before
  EXPECT_EQ(at({K::region, 2, 0, 0}), 0x50000u);             // index modulo count
  EXPECT_EQ(at({K::region, 0, 1, 0xff}), 0x510ffu);          // r0+p1+0xff
  EXPECT_EQ(at({K::region_end, 1, -1, -1}), 0x11fffu);       // end(r1)-p1-0x1
  EXPECT_EQ(at({K::region_end, 0, 0, 0}), 0x60000u);         // end(r0)
  EXPECT_EQ(at({K::foreign, 0, 0, 0x10}), 0x7000'0010u);     // f0+0x10
  EXPECT_EQ(at({K::foreign, 5, 0, 0}), 0x7000'0000u);        // f5 = f0 with one sample
  EXPECT_EQ(resolve({K::region, 0, 2, 0}, kHandles, kForeign, 0x4000), 0x58000u);
}

TEST(Resolve, NoHandlesOrSamplesMeansBaseZero) {
  EXPECT_EQ(resolve({K::region, 3, 2, 5}, {}, {}, kPage), 0x2005u);
  EXPECT_EQ(resolve({K::region_end, 0, 0, 0}, {}, {}, kPage), 0u);
  EXPECT_EQ(resolve({K::foreign, 0, 0, 0x10}, {}, {}, kPage), 0x10u);
}

TEST(Resolve, ArithmeticWrapsModulo2To64) {
  EXPECT_EQ(at({K::zero, 0, 0, -1}), ~std::uint64_t{0});
  EXPECT_EQ(at({K::region, 0, -0x50, -1}), ~std::uint64_t{0});  // 0x50000 - 0x50000 - 1
  const std::vector<Handle> high = {{0xFFFF'FFFF'FFFF'F000, 0x2000}};
  EXPECT_EQ(resolve({K::region_end, 0, 0, 0}, high, {}, kPage), 0x1000u);
  EXPECT_EQ(resolve({K::region, 0, INT32_MIN, INT32_MIN}, {}, {}, kPage),
            static_cast<std::uint64_t>(-0x800'0000'0000LL - 0x8000'0000LL));
}

TEST(Resolve, IgnoresFieldsTheKindDoesNotUse) {
  EXPECT_EQ(at({K::zero, 7, 9, 3}), 3u);
  EXPECT_EQ(at({K::foreign, 0, 9, 3}), 0x7000'0003u);
}

TEST(Pattern, ZeroIsAllZeroBytes) {
  EXPECT_EQ(pattern_bytes(0, 1000), std::vector<std::uint8_t>(1000, 0));
  EXPECT_TRUE(pattern_bytes(0x41, 0).empty());
}

TEST(Pattern, DocumentedBytes) {
  // Byte i = (p + (2p+1)*i + i/256 + i/65536) mod 256.
  EXPECT_EQ(pattern_bytes(0x41, 4), (std::vector<std::uint8_t>{0x41, 0xC4, 0x47, 0xCA}));
  EXPECT_EQ(pattern_bytes(1, 4), (std::vector<std::uint8_t>{0x01, 0x04, 0x07, 0x0A}));
  const auto long_run = pattern_bytes(1, 0x10001);
  EXPECT_EQ(long_run[0x100], static_cast<std::uint8_t>(1 + 3 * 0x100 + 1));
  EXPECT_EQ(long_run[0x10000], static_cast<std::uint8_t>(1 + 3 * 0x10000 + 0x100 + 1));
}

TEST(Pattern, NoShiftBelow64KiBReproducesTheData) {
  for (int p : {1, 0x41, 127, 128, 255}) {
    const auto a = pattern_bytes(static_cast<std::uint8_t>(p), 0x30000);
    for (std::size_t shift = 1; shift < 0x10000; ++shift) {
      bool same = true;
      for (std::size_t i = 0; i + shift < a.size() && same; ++i) same = a[i] == a[i + shift];
      ASSERT_FALSE(same) << "pattern " << p << " shift " << shift;
    }
  }
}

TEST(Pattern, DeterministicAndPositionDependent) {
  for (int p = 1; p < 256; ++p) {
    const auto a = pattern_bytes(static_cast<std::uint8_t>(p), 0x20000);
    EXPECT_EQ(a, pattern_bytes(static_cast<std::uint8_t>(p), 0x20000));
    // No shift of the data by less than 64 KiB reproduces it.
    for (std::size_t shift : {1u, 2u, 16u, 255u, 256u, 4096u, 65535u}) {
      bool same = true;
      for (std::size_t i = 0; i + shift < a.size() && same; i += 97) same = a[i] == a[i + shift];
      EXPECT_FALSE(same) << "pattern " << p << " shift " << shift;
    }
    // A prefix of a longer run is the shorter run.
    const auto short_run = pattern_bytes(static_cast<std::uint8_t>(p), 10);
    EXPECT_TRUE(std::equal(short_run.begin(), short_run.end(), a.begin()));
  }
}

}  // namespace
}  // namespace vmc::opseq
