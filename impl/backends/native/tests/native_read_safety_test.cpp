// native_read_safety_test.cpp - ReadVirtual (and WriteVirtual) never fault the process.
//
// Every kind of inaccessible address - reserved PROT_NONE pages, PAGE_NOACCESS and PAGE_GUARD
// commits, released and never-mapped ranges, foreign memory, kernel and non-canonical addresses,
// ranges that wrap around - must come back as a failure with nothing read and the caller's
// buffer untouched; a random sweep then hammers reads and writes all over the address space.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "address_space_probe.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc::test {
namespace {

constexpr std::uint64_t kPage = 0x1000, kGranule = 0x10000;

std::unique_ptr<Target> make_native() {
  return find_backend("native")->make_factory(BackendOptions{})->make();
}

void expect_unreadable(Target& t, std::uint64_t address, std::uint32_t n = 64) {
  std::vector<std::uint8_t> buffer(n, 0xEE);
  std::uint32_t got = 77;
  EXPECT_EQ(t.read_virtual(address, buffer.data(), n, &got), HR_PARTIAL_COPY) << hex(address);
  EXPECT_EQ(got, 0u) << hex(address);
  EXPECT_EQ(buffer, std::vector<std::uint8_t>(n, 0xEE)) << hex(address);
  EXPECT_EQ(t.write_virtual(address, buffer.data(), n), HR_NOACCESS) << hex(address);
}

TEST(NativeReadSafety, InaccessibleAddressesFailWithoutFaulting) {
  auto t = make_native();
  std::uint64_t reserved = 0, noaccess = 0, guard = 0, released = 0;
  ASSERT_EQ(t->allocate_virtual_memory(0, 0x3000, MEM_RESERVE, PAGE_READWRITE, &reserved), S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(0, 0x3000, MEM_COMMIT, PAGE_NOACCESS, &noaccess), S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(0, 0x3000, MEM_COMMIT, PAGE_READONLY | PAGE_GUARD, &guard),
            S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(0, 0x3000, MEM_COMMIT, PAGE_READWRITE, &released), S_OK);
  ASSERT_EQ(t->virtual_free(released, 0, MEM_RELEASE), S_OK);
  for (std::uint64_t a : {reserved, noaccess, guard, released, reserved + 0x3000})
    for (std::uint64_t off : {0ull, 1ull, 0xFFFull}) expect_unreadable(*t, a + off);
  for (const ForeignMemory& f : t->foreign_memory()) expect_unreadable(*t, f.address, 8);
  static constexpr std::uint64_t kWild[] = {0,
                                            1,
                                            0xFFFF,
                                            0x7FFFFFFEFFFFull,
                                            0x800000000000ull,
                                            0x0000800000000000ull - 1,
                                            0xFFFF800000000000ull,
                                            0xFFFFFFFFFF600000ull,
                                            ~0ull,
                                            ~0ull - 8};
  for (std::uint64_t a : kWild) expect_unreadable(*t, a);
  expect_unreadable(*t, ~0ull - 4, 64);  // wraps around
}

TEST(NativeReadSafety, ReadsStopAtTheFirstUnreadablePage) {
  auto t = make_native();
  std::uint64_t base = 0, out = 0;
  ASSERT_EQ(t->allocate_virtual_memory(0, 0x5000, MEM_RESERVE, PAGE_READWRITE, &base), S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(base, 0x2000, MEM_COMMIT, PAGE_READWRITE, &out), S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(base + 0x2000, 1, MEM_COMMIT, PAGE_EXECUTE, &out), S_OK);
  std::vector<std::uint8_t> buffer(0x5000, 0xEE);
  std::uint32_t got = 0;
  EXPECT_EQ(t->read_virtual(base + 0x10, buffer.data(), 0x5000, &got), S_OK);
  EXPECT_EQ(got, 0x3000u - 0x10);
  EXPECT_EQ(buffer[got - 1], 0);
  EXPECT_EQ(buffer[got], 0xEE);  // nothing past the prefix was written
}

TEST(NativeReadSafety, ReadsContinueIntoAnAdjacentAllocation) {
  auto t = make_native();
  const std::uint64_t arena = find_quiet_arena(4 * kGranule);
  ASSERT_NE(arena, 0u);
  std::uint64_t a = 0, b = 0;
  ASSERT_EQ(t->allocate_virtual_memory(arena, kGranule, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &a),
            S_OK);
  ASSERT_EQ(t->allocate_virtual_memory(arena + kGranule, kPage, MEM_COMMIT | MEM_RESERVE,
                                       PAGE_READONLY, &b),
            S_OK);
  const std::vector<std::uint8_t> data(0x20, 0x61);
  ASSERT_EQ(t->write_virtual(arena + kGranule - 0x20, data.data(), 0x20), S_OK);
  EXPECT_EQ(t->write_virtual(arena + kGranule - 0x10, data.data(), 0x20), HR_NOACCESS);
  std::vector<std::uint8_t> buffer(0x3000);
  std::uint32_t got = 0;
  EXPECT_EQ(t->read_virtual(arena + kGranule - 0x1000, buffer.data(), 0x3000, &got), S_OK);
  EXPECT_EQ(got, 0x2000u);  // the rest of a, then all of b, then b's tail stops it
  EXPECT_EQ(buffer[0xFFF], 0x61);
}

TEST(NativeReadSafety, RandomSweepNeverFaults) {
  auto t = make_native();
  std::vector<std::uint64_t> bases;
  std::mt19937_64 rng(99);
  for (int i = 0; i < 24; ++i) {
    static constexpr std::uint32_t kProtect[] = {PAGE_READWRITE, PAGE_NOACCESS, PAGE_READONLY,
                                                 PAGE_EXECUTE, PAGE_READWRITE | PAGE_GUARD};
    const std::uint32_t type = i % 3 == 0 ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE;
    std::uint64_t base = 0;
    ASSERT_EQ(t->allocate_virtual_memory(0, static_cast<std::uint32_t>(1 + rng() % 0x30000), type,
                                         kProtect[rng() % 5], &base),
              S_OK);
    bases.push_back(base);
  }
  std::vector<std::uint8_t> buffer(0x4000);
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t address = rng();
    if (i % 2 == 0) address = bases[rng() % bases.size()] + rng() % 0x50000 - 0x8000;
    const std::uint32_t n = 1 + static_cast<std::uint32_t>(rng() % buffer.size());
    std::uint32_t got = 0;
    const hresult hr = t->read_virtual(address, buffer.data(), n, &got);
    ASSERT_TRUE(hr == S_OK || hr == HR_PARTIAL_COPY) << hresult_name(hr);
    if (hr == S_OK) {
      ++ok;
      ASSERT_GT(got, 0u);
      ASSERT_LE(got, n);
      const std::optional<bool> os = os_readable(address);
      ASSERT_TRUE(!os || *os) << hex(address);
    }
    const hresult w = t->write_virtual(address, buffer.data(), n);
    ASSERT_TRUE(w == S_OK || w == HR_NOACCESS) << hresult_name(w);
  }
  EXPECT_GT(ok, 100);
}

}  // namespace
}  // namespace vmc::test
