// allocation_table_test.cpp - the model's allocation table (AllocationTable, reference_model.hpp)
// answers every lookup as a plain std::map would, through inserts that split its index blocks,
// erases that empty them, copies and moves.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <iterator>
#include <random>
#include <stdexcept>
#include <utility>

#include "vmconform/reference_model.hpp"

namespace vmc {
namespace {

Allocation allocation(std::uint64_t base) {
  Allocation a;
  a.base = base;
  a.size = 0x1000;
  a.runs[0] = {PageState::reserved, 0};
  return a;
}

// What the table must answer, from a plain map of the same bases.
const Allocation* expected_last_at_or_before(const std::map<std::uint64_t, Allocation>& m, std::uint64_t address) {
  auto it = m.upper_bound(address);
  return it == m.begin() ? nullptr : &std::prev(it)->second;
}
const Allocation* expected_first_after(const std::map<std::uint64_t, Allocation>& m, std::uint64_t address) {
  auto it = m.upper_bound(address);
  return it == m.end() ? nullptr : &it->second;
}

// The table's answers (as bases; 0 for none) against the expected ones, at `address`.
void expect_lookups(const AllocationTable& t, const std::map<std::uint64_t, Allocation>& m, std::uint64_t address) {
  const Allocation* last = t.last_at_or_before(address);
  const Allocation* want_last = expected_last_at_or_before(m, address);
  ASSERT_EQ(last == nullptr, want_last == nullptr) << "last_at_or_before(" << address << ")";
  if (last != nullptr) {
    ASSERT_EQ(last->base, want_last->base) << "last_at_or_before(" << address << ")";
  }
  const Allocation* next = t.first_after(address);
  const Allocation* want_next = expected_first_after(m, address);
  ASSERT_EQ(next == nullptr, want_next == nullptr) << "first_after(" << address << ")";
  if (next != nullptr) {
    ASSERT_EQ(next->base, want_next->base) << "first_after(" << address << ")";
  }
}

void expect_same(const AllocationTable& t, const std::map<std::uint64_t, Allocation>& m) {
  ASSERT_EQ(t.check_index(), std::nullopt);
  ASSERT_EQ(t.size(), m.size());
  ASSERT_EQ(t.empty(), m.empty());
  auto it = m.begin();
  for (const auto& [base, a] : t) {
    ASSERT_EQ(base, it->first);
    ASSERT_EQ(a.base, it->first);
    ++it;
  }
  // Backwards too, as callers do with std::prev of upper_bound.
  auto back = m.rbegin();
  for (auto at = t.end(); at != t.begin();) {
    --at;
    ASSERT_EQ(at->first, back->first);
    ++back;
  }
}

// find, at and upper_bound against the map's, at `address`.
void expect_map_reads(const AllocationTable& t, const std::map<std::uint64_t, Allocation>& m, std::uint64_t address) {
  const auto found = t.find(address);
  ASSERT_EQ(found == t.end(), m.count(address) == 0) << "find(" << address << ")";
  if (found != t.end()) {
    ASSERT_EQ(found->first, address);
    ASSERT_EQ(&t.at(address), &found->second);
  } else {
    ASSERT_THROW((void)t.at(address), std::out_of_range);
  }
  const auto above = t.upper_bound(address);
  const auto want = m.upper_bound(address);
  ASSERT_EQ(above == t.end(), want == m.end()) << "upper_bound(" << address << ")";
  if (above != t.end()) {
    ASSERT_EQ(above->first, want->first) << "upper_bound(" << address << ")";
  }
  ASSERT_EQ(above == t.begin(), want == m.begin()) << "upper_bound(" << address << ")";
  if (above != t.begin()) {
    ASSERT_EQ(std::prev(above)->first, std::prev(want)->first) << "upper_bound(" << address << ")";
  }
  const Allocation* holding = t.containing(address);
  const Allocation* last = t.last_at_or_before(address);
  const bool inside = last != nullptr && address < last->base + last->size;
  ASSERT_EQ(holding, inside ? last : nullptr) << "containing(" << address << ")";
  ASSERT_EQ(t.end_of_last_at_or_before(address), last == nullptr ? 0 : last->base + last->size);
}

TEST(AllocationTable, EmptyTableFindsNothing) {
  AllocationTable t;
  EXPECT_EQ(t.last_at_or_before(0), nullptr);
  EXPECT_EQ(t.last_at_or_before(~0ull), nullptr);
  EXPECT_EQ(t.first_after(0), nullptr);
  t.erase(0x10000);  // nothing to erase: no effect
  EXPECT_EQ(t.check_index(), std::nullopt);
  EXPECT_TRUE(t.empty());
}

TEST(AllocationTable, RandomInsertsAndErasesMatchAMap) {
  // Enough allocations to split blocks many times over; then erase most, emptying blocks.
  std::mt19937_64 rng(7);
  AllocationTable t;
  std::map<std::uint64_t, Allocation> m;
  auto random_base = [&] { return (1 + rng() % 50000) * 0x10000; };
  for (int step = 0; step < 40000; ++step) {
    const bool grow = step < 20000 ? rng() % 4 != 0 : rng() % 4 == 0;
    const std::uint64_t base = random_base();
    if (grow && m.count(base) == 0) {
      Allocation& added = t.insert(allocation(base));
      ASSERT_EQ(added.base, base);
      m.emplace(base, allocation(base));
    } else if (!grow) {
      // Mostly erase a live base, sometimes one that is not there (no effect).
      std::uint64_t victim = base;
      if (!m.empty() && rng() % 8 != 0) {
        auto it = m.lower_bound(base);
        if (it == m.end()) it = m.begin();
        victim = it->first;
      }
      t.erase(victim);
      m.erase(victim);
    }
    if (step % 97 == 0) {
      ASSERT_NO_FATAL_FAILURE(expect_same(t, m));
    }
    for (int probe = 0; probe < 3; ++probe) {
      // Below a base, at it, inside its allocation, at its last byte, past its end.
      constexpr std::uint64_t kOffsets[] = {0, 1, 0x800, 0x1000, 0x8000};
      const std::uint64_t at = random_base() + kOffsets[rng() % 5] - 1;
      ASSERT_NO_FATAL_FAILURE(expect_lookups(t, m, at));
      ASSERT_NO_FATAL_FAILURE(expect_map_reads(t, m, at));
    }
  }
  ASSERT_NO_FATAL_FAILURE(expect_same(t, m));
  for (std::uint64_t at : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}})
    ASSERT_NO_FATAL_FAILURE(expect_lookups(t, m, at));
  while (!m.empty()) {  // erase everything, from the front: every block empties
    t.erase(m.begin()->first);
    m.erase(m.begin());
  }
  ASSERT_NO_FATAL_FAILURE(expect_same(t, m));
  EXPECT_EQ(t.first_after(0), nullptr);
}

TEST(AllocationTable, InsertsInOrderAndInReverse) {
  for (bool reverse : {false, true}) {
    AllocationTable t;
    std::map<std::uint64_t, Allocation> m;
    for (std::uint64_t i = 1; i <= 1000; ++i) {
      const std::uint64_t base = (reverse ? 1001 - i : i) * 0x10000;
      t.insert(allocation(base));
      m.emplace(base, allocation(base));
    }
    ASSERT_NO_FATAL_FAILURE(expect_same(t, m));
    for (std::uint64_t at = 0; at < 1002 * 0x10000; at += 0x8000) ASSERT_NO_FATAL_FAILURE(expect_lookups(t, m, at));
  }
}

TEST(AllocationTable, CopiesAreIndependentAndIndexTheirOwnAllocations) {
  AllocationTable t;
  for (std::uint64_t i = 1; i <= 500; ++i) t.insert(allocation(i * 0x20000));
  AllocationTable copy = t;
  ASSERT_EQ(copy.check_index(), std::nullopt);
  // The copy's lookups land on the copy's allocations, not the original's.
  EXPECT_EQ(copy.last_at_or_before(0x20000 * 7 + 5), &copy.find(0x20000 * 7)->second);
  EXPECT_NE(copy.last_at_or_before(0x20000 * 7 + 5), t.last_at_or_before(0x20000 * 7 + 5));
  copy.erase(0x20000 * 7);
  copy.insert(allocation(0x20000 * 7 + 0x10000));
  EXPECT_EQ(t.last_at_or_before(0x20000 * 7 + 0x10000)->base, 0x20000u * 7);
  EXPECT_EQ(copy.last_at_or_before(0x20000 * 7 + 0x10000)->base, 0x20000u * 7 + 0x10000);
  EXPECT_EQ(t.check_index(), std::nullopt);
  EXPECT_EQ(copy.check_index(), std::nullopt);

  AllocationTable assigned;
  assigned.insert(allocation(0x10000));
  assigned = copy;  // copy assignment rebuilds the index too
  EXPECT_EQ(assigned.check_index(), std::nullopt);
  EXPECT_EQ(assigned.last_at_or_before(0x20000 * 9), &assigned.find(0x20000 * 9)->second);

  const Allocation* node = copy.last_at_or_before(0x20000 * 9);
  AllocationTable moved = std::move(copy);  // a move keeps the records, and the index with them
  EXPECT_EQ(moved.check_index(), std::nullopt);
  EXPECT_EQ(moved.last_at_or_before(0x20000 * 9), node);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from table is empty
  EXPECT_EQ(copy.begin(), copy.end());
  AllocationTable move_assigned;
  move_assigned = std::move(moved);
  EXPECT_EQ(move_assigned.check_index(), std::nullopt);
  EXPECT_EQ(move_assigned.last_at_or_before(0x20000 * 9), node);
}

TEST(AllocationTable, RemembersOneStoredPageOfEachAllocationAndChecksIt) {
  // The index remembers a stored page per allocation (a prefetch hint); check_index holds it to
  // a page the allocation stores, at that address, with that block.
  AllocationTable t;
  for (std::uint64_t i = 1; i <= 300; ++i) {
    Allocation a = allocation(i * 0x20000);
    a.size = 0x4000;
    Allocation& added = t.insert(std::move(a));
    added.pages[2] = PageBytes::zeroed(0x1000);
    added.pages.at(2).data()[5] = static_cast<std::uint8_t>(i);
    t.remember_page(added.base, added.base + 0x2000, added.pages.at(2).block());
  }
  ASSERT_EQ(t.check_index(), std::nullopt);
  // Lookups answer the same inside and around a remembered page (the last bytes of it too).
  for (std::uint64_t at : {0x2000u, 0x2fc1u, 0x2fffu, 0x3000u, 0x3fffu}) {
    const Allocation* a = t.containing(0x20000 * 9 + at);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->base, 0x20000u * 9);
  }
  EXPECT_EQ(t.containing(0x20000 * 9 + 0x4000), nullptr);

  const AllocationTable copy = t;  // shares the pages, so remembers the same
  EXPECT_EQ(copy.check_index(), std::nullopt);

  Allocation& a = const_cast<Allocation&>(*t.containing(0x20000 * 9));
  const PageBytes kept = a.pages.at(2);
  a.pages.erase(a.pages.find(2));  // dropped, but still remembered: a stale hint
  EXPECT_NE(t.check_index(), std::nullopt);
  t.remember_page(a.base, 0, nullptr);
  EXPECT_EQ(t.check_index(), std::nullopt);
  a.pages[2] = kept;
  t.remember_page(a.base, a.base + 0x1000, kept.block());  // not the page that holds it
  EXPECT_NE(t.check_index(), std::nullopt);
  t.remember_page(a.base, a.base + 0x2000, PageBytes::zeroed(0x1000).block());  // another block
  EXPECT_NE(t.check_index(), std::nullopt);
  t.remember_page(a.base, a.base + 0x2000, kept.block());
  EXPECT_EQ(t.check_index(), std::nullopt);
  EXPECT_EQ(copy.check_index(), std::nullopt);  // the copy kept its own view
}

}  // namespace
}  // namespace vmc
