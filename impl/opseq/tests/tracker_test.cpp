// tracker_test.cpp - tests of Tracker: which allocation results become handles, with which
// size, and that resolution uses them (FORMAT.md section 5).
#include <gtest/gtest.h>

#include "vmconform/opseq_tracker.hpp"

namespace vmc::opseq {
namespace {

using K = AddrRef::Kind;

/// The handle one successful allocation makes on a fresh tracker with 4 KiB pages.
Handle handle_of(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint64_t allocated) {
  Tracker t(0x1000);
  EXPECT_TRUE(t.record_alloc(address, size, type, S_OK, allocated));
  return t.handles().size() == 1 ? t.handles()[0] : Handle{0, 0};
}

TEST(Tracker, SystemChoiceBecomesAHandleOfWholePages) {
  const Handle h = handle_of(0, 0x1801, MEM_COMMIT | MEM_RESERVE, 0x50000);
  EXPECT_EQ(h.base, 0x50000u);
  EXPECT_EQ(h.size, 0x2000u);
}

TEST(Tracker, ExplicitReservationRunsFromTheGranuleToTheLastPage) {
  // Asked for [0x12345, 0x12345 + 0x2000): the reservation is [0x10000, 0x15000).
  const Handle h = handle_of(0x12345, 0x2000, MEM_RESERVE | MEM_TOP_DOWN, 0x10000);
  EXPECT_EQ(h.base, 0x10000u);
  EXPECT_EQ(h.size, 0x5000u);
}

TEST(Tracker, FailuresCommitsAndResetsMakeNoHandle) {
  Tracker t(0x1000);
  EXPECT_FALSE(t.record_alloc(0, 0x1000, MEM_COMMIT | MEM_RESERVE, E_INVALIDARG, 0));
  EXPECT_FALSE(t.record_alloc(0x10000, 0x1000, MEM_COMMIT, S_OK, 0x10000));
  EXPECT_FALSE(t.record_alloc(0x10000, 0x1000, MEM_RESET, S_OK, 0x10000));
  EXPECT_FALSE(t.record_alloc(0, 0x1000, MEM_RESET, S_OK, 0));
  EXPECT_TRUE(t.handles().empty());
  // MEM_COMMIT alone at address 0 reserves too.
  EXPECT_TRUE(t.record_alloc(0, 0x1000, MEM_COMMIT, S_OK, 0x20000));
}

TEST(Tracker, NewestHandleIsRegionZeroAndRestartForgetsHandles) {
  Tracker t(0x1000, {{0x7000'0000, 0x100}});
  t.record_alloc(0, 0x3000, MEM_RESERVE, S_OK, 0x10000);
  t.record_alloc(0, 0x10000, MEM_RESERVE, S_OK, 0x50000);
  EXPECT_EQ(t.resolve({K::region, 0, 1, 0xff}), 0x510ffu);
  EXPECT_EQ(t.resolve({K::region_end, 1, -1, -1}), 0x11fffu);
  EXPECT_EQ(t.resolve({K::foreign, 0, 0, 0x10}), 0x7000'0010u);
  t.restart(0x4000);
  EXPECT_TRUE(t.handles().empty());
  EXPECT_EQ(t.page_size(), 0x4000u);
  EXPECT_EQ(t.resolve({K::region, 0, 2, 0}), 0x8000u);
  EXPECT_EQ(t.resolve({K::foreign, 0, 0, 0}), 0x7000'0000u);  // the samples stay
}

}  // namespace
}  // namespace vmc::opseq
