// model_copy_test.cpp - a copy of the reference model (what the checker's `before = model_` makes)
// shares its stored pages with the original until one of them writes, and each model's lookups
// find its own allocations: changing one never changes the other.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "vmconform/reference_model.hpp"

namespace vmc {
namespace {

constexpr std::uint32_t kPage = 0x1000;

std::array<std::uint8_t, 64> pattern(std::uint8_t seed) {
  std::array<std::uint8_t, 64> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + i + 1);
  return bytes;
}

std::array<std::uint8_t, 64> read64(ReferenceModel& m, std::uint64_t address) {
  std::array<std::uint8_t, 64> out{};
  std::uint32_t got = 0;
  EXPECT_EQ(m.read_virtual(address, out.data(), 64, &got), S_OK);
  EXPECT_EQ(got, 64u);
  return out;
}

const void* stored(const ReferenceModel& m, std::uint64_t base) {
  const Allocation& a = m.allocations().at(base);
  return a.pages.count(0) ? a.pages.at(0).data() : nullptr;
}

class ModelCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    // Enough regions for the allocation index to hold many blocks.
    for (int i = 0; i < 1000; ++i) {
      std::uint64_t base = 0;
      ASSERT_EQ(model.allocate_virtual_memory(0, kPage, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &base), S_OK);
      ASSERT_EQ(model.write_virtual(base + 128, pattern(static_cast<std::uint8_t>(i)).data(), 64), S_OK);
      bases.push_back(base);
    }
  }
  ReferenceModel model;
  std::vector<std::uint64_t> bases;
};

TEST_F(ModelCopy, StoredPagesAreSharedUntilAWrite) {
  ReferenceModel copy = model;
  EXPECT_EQ(copy.stored_pages(), 1000u);
  for (std::uint64_t base : bases) ASSERT_EQ(stored(copy, base), stored(model, base));
  ASSERT_EQ(copy.write_virtual(bases[5] + 128, pattern(200).data(), 64), S_OK);
  EXPECT_NE(stored(copy, bases[5]), stored(model, bases[5]));  // copied on the first write
  EXPECT_EQ(stored(copy, bases[6]), stored(model, bases[6]));
  EXPECT_EQ(read64(copy, bases[5] + 128), pattern(200));
  EXPECT_EQ(read64(model, bases[5] + 128), pattern(5));
  EXPECT_EQ(model.check_invariants(), std::nullopt);
  EXPECT_EQ(copy.check_invariants(), std::nullopt);
}

TEST_F(ModelCopy, ChangesToTheCopyLeaveTheOriginalAlone) {
  ReferenceModel copy = model;
  ASSERT_EQ(copy.virtual_free(bases[6], 0, MEM_RELEASE), S_OK);
  ASSERT_EQ(copy.virtual_free(bases[7], kPage, MEM_DECOMMIT), S_OK);
  std::uint64_t fresh = 0;
  ASSERT_EQ(copy.allocate_virtual_memory(0, kPage, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY, &fresh), S_OK);

  EXPECT_EQ(copy.allocation_containing(bases[6]), nullptr);
  EXPECT_FALSE(copy.readable(bases[7]));
  EXPECT_TRUE(copy.readable(fresh));
  EXPECT_EQ(copy.allocations().size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    if (i == 6 || i == 7) continue;
    ASSERT_EQ(read64(copy, bases[static_cast<std::size_t>(i)] + 128), pattern(static_cast<std::uint8_t>(i)));
  }

  // The original still has every region as it was, found through its own index.
  ASSERT_NE(model.allocation_containing(bases[6] + 5), nullptr);
  EXPECT_EQ(model.allocation_containing(bases[6] + 5), &model.allocations().at(bases[6]));
  EXPECT_EQ(model.allocation_containing(fresh), nullptr);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(read64(model, bases[static_cast<std::size_t>(i)] + 128), pattern(static_cast<std::uint8_t>(i)));
  EXPECT_EQ(model.check_invariants(), std::nullopt);
  EXPECT_EQ(copy.check_invariants(), std::nullopt);

  // Assigning the copy back (the checker's rollback is the other way round) makes them equal.
  model = copy;
  EXPECT_EQ(model.allocation_containing(bases[6]), nullptr);
  EXPECT_EQ(model.allocation_containing(fresh), &model.allocations().at(fresh));
  EXPECT_FALSE(model.readable(bases[7]));
  EXPECT_EQ(model.check_invariants(), std::nullopt);
}

}  // namespace
}  // namespace vmc
