// linearizability_test.cpp - the checker of X-LINEARIZABLE judges histories right both ways.
//
// Real histories recorded on the `sim` backend (one reservation made by the setup, then a write
// of pattern 0x41 and a read of the same bytes on two threads) are given chosen times and read
// results: a read that runs after the write must see its bytes, one that overlaps it may see the
// old or the new bytes but never half of each, and calls on disjoint reservations are checked
// apart. Then whole workloads recorded on `sim` (one lock per call) are linearizable.
#include <gtest/gtest.h>

#include "vmconform/backend_registry.hpp"
#include "vmconform/linearizability.hpp"
#include "vmconform/workload.hpp"

namespace vmc::concurrency {
namespace {

constexpr std::uint32_t kLength = 0x100;

opseq::Op op(opseq::OpKind kind, std::uint32_t length, std::uint8_t pattern = 0) {
  opseq::Op o;
  o.kind = kind;
  if (kind == opseq::OpKind::alloc) {
    o.size = length;
    o.type = MEM_COMMIT | MEM_RESERVE;
    o.protect = PAGE_READWRITE;
  } else {
    o.addr.kind = opseq::AddrRef::Kind::region;
    o.length = length;
    o.pattern = pattern;
  }
  return o;
}

/// setup (thread -1): one committed reservation; then thread 0 writes 0x41s, thread 1 reads.
History write_and_read() {
  auto target = find_backend("sim")->make_factory(BackendOptions{})->make();
  Recording setup = record(*target, {}, {{op(opseq::OpKind::alloc, 0x2000)}});
  EXPECT_FALSE(setup.hung);
  History h = setup.history;
  h.at(0).thread = -1;
  h[0].invoked = 0, h[0].returned = 10;
  Recording run = record(*target, {{h[0].out, 0x2000}},
                         {{op(opseq::OpKind::write, kLength, 0x41)}, {op(opseq::OpKind::read, kLength)}});
  EXPECT_FALSE(run.hung);
  for (const Call& c : run.history) h.push_back(c);
  std::sort(h.begin() + 1, h.end(), [](const Call& a, const Call& b) { return a.thread < b.thread; });
  return h;  // h[1]: the write, h[2]: the read
}

void times(Call& c, std::uint64_t from, std::uint64_t to) { c.invoked = from, c.returned = to; }

bool linearizable(const History& h, Profile p = Profile::win32) {
  CheckOptions o;
  o.profile = p;
  return check(h, o).linearizable();
}

TEST(Linearizability, XLinearizableAReadAfterAWriteSeesItsBytes) {
  RecordProperty("rule", "X-LINEARIZABLE");
  History h = write_and_read();
  ASSERT_EQ(h.size(), 3u);
  ASSERT_EQ(h[1].op.kind, opseq::OpKind::write);
  ASSERT_EQ(h[2].op.kind, opseq::OpKind::read);
  ASSERT_EQ(h[2].out, kLength);
  times(h[1], 100, 200);
  times(h[2], 300, 400);
  h[2].data = opseq::pattern_bytes(0x41, kLength);
  EXPECT_TRUE(linearizable(h));
  h[2].data.assign(kLength, 0);  // stale: the write had returned before the read began
  EXPECT_FALSE(linearizable(h));
  EXPECT_FALSE(linearizable(h, Profile::documented));
}

TEST(Linearizability, XLinearizableAnOverlappingReadSeesOldOrNewBytesNeverHalf) {
  RecordProperty("rule", "X-LINEARIZABLE");
  History h = write_and_read();
  ASSERT_EQ(h.size(), 3u);
  times(h[1], 100, 300);
  times(h[2], 200, 400);
  h[2].data.assign(kLength, 0);
  EXPECT_TRUE(linearizable(h));  // the read came first
  h[2].data = opseq::pattern_bytes(0x41, kLength);
  EXPECT_TRUE(linearizable(h));  // the write came first
  std::fill(h[2].data.begin() + kLength / 2, h[2].data.end(), 0);  // torn
  const Verdict v = [&] {
    CheckOptions o;
    return check(h, o);
  }();
  EXPECT_FALSE(v.linearizable());
  ASSERT_NE(v.first_failure(), nullptr);
  const History small = minimise(h, v.first_failure()->calls, CheckOptions{});
  EXPECT_EQ(small.size(), 3u);  // nothing can go: the allocation and the write made what was read
}

TEST(Linearizability, XLinearizableDisjointReservationsAreCheckedApart) {
  RecordProperty("rule", "X-LINEARIZABLE");
  History h = write_and_read();
  ASSERT_EQ(h.size(), 3u);
  History two = h;
  for (Call c : h) {  // the same calls on a reservation 1 MiB higher
    if (c.op.kind == opseq::OpKind::alloc) c.out += 0x100000;  // a system-chosen base: address 0
    else c.address += 0x100000;
    two.push_back(c);
  }
  const auto groups = partition(two, 0x1000, 0x10000);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].size(), 3u);
  EXPECT_EQ(groups[1].size(), 3u);
  EXPECT_TRUE(linearizable(two));
}

TEST(Linearizability, XLinearizableLockedSimHistoriesPass) {
  RecordProperty("rule", "X-LINEARIZABLE");
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    auto target = find_backend("sim")->make_factory(BackendOptions{})->make();
    const Workload w = make_workload(seed, 2 + static_cast<int>(seed), 32, 0x1000, 0x10000);
    WorkloadOptions o;
    const WorkloadRun run = run_workload(*target, w, o);
    ASSERT_FALSE(run.hung) << run.hang;
    EXPECT_TRUE(run.failure.empty()) << "seed " << seed << ": " << run.failure;
    EXPECT_EQ(run.verdict.inconclusive(), 0u) << "seed " << seed;
  }
}

}  // namespace
}  // namespace vmc::concurrency
