// flat_map_test.cpp - FlatMap (flat_map.hpp), the reference model's small sorted map: it answers
// every lookup as a std::map would, through insertions and erasures that move its entries from
// inside the object to the heap and back, and it keeps no value alive that it no longer holds.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "vmconform/flat_map.hpp"
#include "vmconform/page_bytes.hpp"

namespace vmc {
namespace {

using Small = FlatMap<std::uint64_t, int, 2>;

// The FlatMap's entries and answers against a std::map of the same entries.
void expect_same(const Small& f, const std::map<std::uint64_t, int>& m) {
  ASSERT_EQ(f.size(), m.size());
  ASSERT_EQ(f.empty(), m.empty());
  std::vector<std::pair<std::uint64_t, int>> entries(f.begin(), f.end());
  ASSERT_EQ(entries, (std::vector<std::pair<std::uint64_t, int>>(m.begin(), m.end())));
  for (std::uint64_t key = 0; key < 34; ++key) {
    const auto lower = f.lower_bound(key), upper = f.upper_bound(key);
    const auto want_lower = m.lower_bound(key), want_upper = m.upper_bound(key);
    ASSERT_EQ(lower == f.end(), want_lower == m.end()) << key;
    if (lower != f.end()) {
      ASSERT_EQ(lower->first, want_lower->first) << key;
    }
    ASSERT_EQ(upper == f.end(), want_upper == m.end()) << key;
    if (upper != f.end()) {
      ASSERT_EQ(upper->first, want_upper->first) << key;
    }
    ASSERT_EQ(f.count(key), m.count(key)) << key;
    ASSERT_EQ(f.contains(key), m.count(key) == 1) << key;
    if (m.count(key)) {
      ASSERT_EQ(f.at(key), m.at(key)) << key;
    }
  }
}

TEST(FlatMap, EmptyMapFindsNothing) {
  const Small f;
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.begin(), f.end());
  EXPECT_EQ(f.find(0), f.end());
  EXPECT_EQ(f.upper_bound(0), f.end());
  EXPECT_THROW((void)f.at(0), std::out_of_range);
}

TEST(FlatMap, RandomChangesMatchAMap) {
  // Few keys, so that the map crosses its inline capacity (2) often in both directions.
  std::mt19937_64 rng(11);
  Small f;
  std::map<std::uint64_t, int> m;
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t key = rng() % 32;
    switch (rng() % 5) {
      case 0:
      case 1: {  // operator[]: insert or overwrite
        const int value = static_cast<int>(rng() % 1000);
        f[key] = value;
        m[key] = value;
        break;
      }
      case 2: {  // emplace: inserts only a new key
        const auto [at, added] = f.emplace(key, 7);
        ASSERT_EQ(added, m.emplace(key, 7).second);
        ASSERT_EQ(at->first, key);
        break;
      }
      case 3: {  // erase one entry (the first at or above key)
        const auto it = f.lower_bound(key);
        const auto mit = m.lower_bound(key);
        if (it == f.end()) break;
        const auto next = f.erase(it);
        const auto mnext = m.erase(mit);
        ASSERT_EQ(next == f.end(), mnext == m.end());
        if (next != f.end()) {
          ASSERT_EQ(next->first, mnext->first);
        }
        break;
      }
      default: {  // erase a range of keys [key, key + span)
        const std::uint64_t span = rng() % 12;
        f.erase(f.lower_bound(key), f.lower_bound(key + span));
        m.erase(m.lower_bound(key), m.lower_bound(key + span));
        break;
      }
    }
    if (step % 7 == 0) {
      ASSERT_NO_FATAL_FAILURE(expect_same(f, m));
    }
  }
  ASSERT_NO_FATAL_FAILURE(expect_same(f, m));
  f.clear();
  m.clear();
  ASSERT_NO_FATAL_FAILURE(expect_same(f, m));
}

TEST(FlatMap, CopiesAndMovesAtEverySize) {
  for (std::uint64_t n = 0; n <= 5; ++n) {
    Small f;
    for (std::uint64_t k = 0; k < n; ++k) f[k * 3] = static_cast<int>(k);
    const Small copy = f;
    Small moved = std::move(f);
    EXPECT_TRUE(f.empty()) << n;  // NOLINT(bugprone-use-after-move): a moved-from FlatMap is empty
    EXPECT_EQ(moved.size(), n);
    EXPECT_EQ(copy.size(), n);
    EXPECT_TRUE(std::equal(copy.begin(), copy.end(), moved.begin(), moved.end())) << n;
    Small assigned;
    assigned[100] = 1;
    assigned = copy;
    EXPECT_TRUE(std::equal(copy.begin(), copy.end(), assigned.begin(), assigned.end())) << n;
    Small move_assigned;
    move_assigned[100] = 1;
    move_assigned = std::move(assigned);
    EXPECT_TRUE(std::equal(copy.begin(), copy.end(), move_assigned.begin(), move_assigned.end())) << n;
  }
}

TEST(FlatMap, HoldsNoValueItNoLongerHas) {
  // The model shares page bytes between copies and copies a page on write when more than one
  // copy owns it (PageBytes::shared): an entry that left the map (erased, moved between inline
  // and heap, cleared) must not keep its bytes owned.
  using Pages = FlatMap<std::uint64_t, PageBytes, 1>;
  const PageBytes bytes = PageBytes::zeroed(16);
  {
    Pages p;
    p[4] = bytes;
    EXPECT_EQ(bytes.owners(), 2u);
    p[1] = PageBytes::zeroed(16);  // to the heap
    p[9] = PageBytes::zeroed(16);
    EXPECT_EQ(bytes.owners(), 2u);
    p.erase(p.find(1));
    p.erase(p.find(9));  // back inline
    EXPECT_EQ(bytes.owners(), 2u);
    ASSERT_EQ(p.size(), 1u);
    p.erase(p.begin());
    EXPECT_EQ(bytes.owners(), 1u);
    p[4] = bytes;
    Pages moved = std::move(p);
    EXPECT_EQ(bytes.owners(), 2u);
    moved.clear();
    EXPECT_EQ(bytes.owners(), 1u);
    moved[0] = bytes;
    moved[1] = bytes;
    const Pages copy = moved;
    EXPECT_EQ(bytes.owners(), 5u);
  }
  EXPECT_EQ(bytes.owners(), 1u);
}

}  // namespace
}  // namespace vmc
