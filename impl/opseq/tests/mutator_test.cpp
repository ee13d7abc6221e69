// mutator_test.cpp - tests of the structure-aware mutator (opseq_mutator.hpp): its output is
// always encodable and within its op cap, it is deterministic in its seed, its edits change the
// sequence, and what it draws reaches the states the fuzzers need (a decommit followed by a
// commit of the same reservation, a reservation right after another's end, a protection with a
// modifier at an explicit address) within a few thousand mutations from nothing.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "generators.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/opseq_mutator.hpp"

namespace vmc::opseq {
namespace {

RC_GTEST_PROP(Mutator, OutputIsCanonicalEncodableAndCapped, ()) {
  const Sequence s = *testgen::sequence();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const std::size_t cap = *rc::gen::inRange<std::size_t>(1, kMaxOps + 1);
  const Sequence m = mutate(s, seed, cap);
  RC_ASSERT(m.size() <= cap);
  for (const Op& op : m) RC_ASSERT(canonical(op) == op);
  RC_ASSERT(decode(encode(m)) == m);  // encode() throws on anything it cannot carry
}

RC_GTEST_PROP(Mutator, CrossOverIsAPrefixThenASuffix, ()) {
  const Sequence a = *testgen::sequence();
  const Sequence b = *testgen::sequence();
  const Sequence c = cross_over(a, b, *rc::gen::arbitrary<std::uint64_t>());
  RC_ASSERT(c.size() <= kMaxOps);
  // c == a[0, k) followed by b[j, j + |c| - k) for some k and j (the cap may cut b's suffix short).
  bool found = false;
  for (std::size_t k = 0; k <= std::min(a.size(), c.size()) && !found; ++k) {
    if (!std::equal(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k), a.begin())) break;
    const std::size_t rest = c.size() - k;
    for (std::size_t j = 0; j + rest <= b.size() && !found; ++j)
      found = std::equal(c.begin() + static_cast<std::ptrdiff_t>(k), c.end(), b.begin() + static_cast<std::ptrdiff_t>(j));
  }
  RC_ASSERT(found);
}

TEST(Mutator, SameSeedSameResultOtherSeedsDiffer) {
  const Sequence start = mutate({}, 1);
  EXPECT_EQ(mutate(start, 42), mutate(start, 42));
  int changed = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) changed += mutate(start, seed) != start ? 1 : 0;
  EXPECT_GE(changed, 190);  // a swap of equal ops or a nudge back and forth may leave it as it was
}

/// Mutations from the empty sequence, each applied to the previous result (a random walk, as a
/// fuzzer without feedback would make): does any result hold a sub-sequence matching `found`?
template <class Found>
bool walk_reaches(Found found, int steps, std::size_t max_ops = 48) {
  Sequence s;
  for (int i = 0; i < steps; ++i) {
    s = mutate(s, 1000 + static_cast<std::uint64_t>(i), max_ops);
    if (found(s)) return true;
  }
  return false;
}

TEST(Mutator, ReachesACommitAfterADecommitOfSeveralPages) {
  EXPECT_TRUE(walk_reaches(
      [](const Sequence& s) {
        bool decommitted = false;
        for (const Op& op : s) {
          if (op.kind == OpKind::free && op.type == MEM_DECOMMIT && op.free_size >= 0x2000) decommitted = true;
          if (decommitted && op.kind == OpKind::alloc && op.type == MEM_COMMIT && op.size >= 0x2000 &&
              op.addr.kind == AddrRef::Kind::region)
            return true;
        }
        return false;
      },
      2000));
}

TEST(Mutator, ReachesAReservationRightAfterAnother) {
  EXPECT_TRUE(walk_reaches(
      [](const Sequence& s) {
        for (const Op& op : s)
          if (op.kind == OpKind::alloc && (op.type & MEM_RESERVE) && op.addr.kind == AddrRef::Kind::region_end &&
              op.addr.page == 0 && op.addr.offset == 0)
            return true;
        return false;
      },
      2000));
}

TEST(Mutator, ReachesAWriteAcrossTwoReservationsSideBySide) {
  EXPECT_TRUE(walk_reaches(
      [](const Sequence& s) {
        for (std::size_t i = 0; i + 2 < s.size(); ++i) {
          const Op& first = s[i];
          const Op& second = s[i + 1];
          const Op& call = s[i + 2];
          if (first.kind == OpKind::alloc && first.addr.kind == AddrRef::Kind::zero && first.size % 0x10000 == 0 &&
              (first.type & MEM_COMMIT) && second.kind == OpKind::alloc && (second.type & MEM_COMMIT) &&
              second.addr.kind == AddrRef::Kind::region_end && second.addr.index == 0 && second.addr.page == 0 &&
              call.kind == OpKind::write && call.addr.kind == AddrRef::Kind::region_end && call.addr.index == 1 &&
              call.addr.offset < 0 && static_cast<std::int64_t>(call.length) > -call.addr.offset)
            return true;
        }
        return false;
      },
      2000));
}

TEST(Mutator, ReachesAModifierProtectionAtAnExplicitAddress) {
  EXPECT_TRUE(walk_reaches(
      [](const Sequence& s) {
        for (const Op& op : s)
          if (op.kind == OpKind::alloc && op.addr.kind != AddrRef::Kind::zero &&
              op.protect == (PAGE_EXECUTE_READ | PAGE_WRITECOMBINE))
            return true;
        return false;
      },
      5000));
}

TEST(Mutator, ReachesMoreThanSixtyFourReservations) {
  EXPECT_TRUE(walk_reaches(
      [](const Sequence& s) {
        return std::count_if(s.begin(), s.end(), [](const Op& op) { return op.kind == OpKind::alloc; }) > 64;
      },
      5000, kMaxOps));
}

}  // namespace
}  // namespace vmc::opseq
