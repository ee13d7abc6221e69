// native_threads_test.cpp - four threads share one native target and every rule still holds.
//
// Each thread allocates (system-chosen), writes, re-protects, decommits, reads and releases its
// own regions and checks the exact results, while it also attacks the other threads' published
// addresses with frees that must be refused (off-base release, release with a size, a bad free
// type) and with reads that must not fault. On top of that all threads race real MEM_RELEASEs of
// shared "slot" reservations that their owners keep re-creating at fixed addresses: a slot may
// be released at most once per creation, so creations and successful releases must balance.
// Run it under ThreadSanitizer to check the table's locking.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "address_space_probe.hpp"
#include "vmconform/backend_registry.hpp"
#include "host_region_table.hpp"

namespace vmc::test {
namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 400;
constexpr std::uint64_t kPage = 0x1000, kGranule = 0x10000;

struct Shared {
  Target* target = nullptr;
  std::uint64_t slot_arena = 0;
  std::array<std::atomic<std::uint64_t>, kThreads> published{};
  std::array<std::atomic<int>, kThreads> slot_created{};
  std::array<std::atomic<int>, kThreads> slot_released{};
  std::uint64_t slot(int k) const { return slot_arena + static_cast<std::uint64_t>(k) * 4 * kGranule; }
};

void own_region_round(Shared& s, int me, int round, std::mt19937_64& rng) {
  Target& t = *s.target;
  const std::uint32_t pages = 3 + static_cast<std::uint32_t>(rng() % 6);
  std::uint64_t base = 0, out = 0;
  ASSERT_EQ(t.allocate_virtual_memory(0, pages * kPage, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                      &base),
            S_OK);
  ASSERT_EQ(base % kGranule, 0u);
  s.published[me].store(base);
  std::vector<std::uint8_t> data(pages * kPage), back(pages * kPage);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(me * 31 + round + i);
  ASSERT_EQ(t.write_virtual(base, data.data(), static_cast<std::uint32_t>(data.size())), S_OK);
  // Page 1 read-only: writes fail and change nothing. Page 2 code: writes go through.
  ASSERT_EQ(t.allocate_virtual_memory(base + kPage, 1, MEM_COMMIT, PAGE_READONLY, &out), S_OK);
  ASSERT_EQ(t.allocate_virtual_memory(base + 2 * kPage, 1, MEM_COMMIT, PAGE_EXECUTE_READ, &out),
            S_OK);
  const std::uint8_t marker = 0xAB;
  EXPECT_EQ(t.write_virtual(base + kPage - 1, &marker, 2), HR_NOACCESS);
  EXPECT_EQ(t.write_virtual(base + 2 * kPage + 7, &marker, 1), S_OK);
  data[2 * kPage + 7] = marker;
  std::uint32_t got = 0;
  EXPECT_EQ(t.read_virtual(base, back.data(), static_cast<std::uint32_t>(back.size()), &got),
            S_OK);
  EXPECT_EQ(got, back.size());
  EXPECT_EQ(back, data) << "thread " << me << " round " << round;
  // Decommit page 0: unreadable, then zero after a recommit.
  EXPECT_EQ(t.virtual_free(base, kPage, MEM_DECOMMIT), S_OK);
  EXPECT_EQ(t.read_virtual(base, back.data(), 1, &got), HR_PARTIAL_COPY);
  EXPECT_EQ(t.allocate_virtual_memory(base, kPage, MEM_COMMIT, PAGE_READWRITE, &out), S_OK);
  EXPECT_EQ(t.read_virtual(base, back.data(), kPage, &got), S_OK);
  EXPECT_EQ(std::count(back.begin(), back.begin() + kPage, 0), static_cast<long>(kPage));
  RegionInfo info;
  EXPECT_EQ(t.query_virtual(base + kPage, &info), S_OK);
  EXPECT_EQ(info.allocation_base, base);
  EXPECT_EQ(info.protect, PAGE_READONLY);
  s.published[me].store(0);
  EXPECT_EQ(t.virtual_free(base, 0, MEM_RELEASE), S_OK);
}

void attack_others(Shared& s, int me, std::mt19937_64& rng) {
  Target& t = *s.target;
  const int other = static_cast<int>((me + 1 + rng() % (kThreads - 1)) % kThreads);
  const std::uint64_t x = s.published[other].load();
  if (x == 0) return;
  // x + page is never an allocation base, so none of these may free anything.
  const hresult off_base = t.virtual_free(x + kPage, 0, MEM_RELEASE);
  EXPECT_TRUE(off_base == HR_INVALID_ADDRESS || off_base == HOST_E_INVALIDOPERATION)
      << hresult_name(off_base);
  EXPECT_EQ(t.virtual_free(x, 16, MEM_RELEASE), E_INVALIDARG);
  EXPECT_EQ(t.virtual_free(x, 0, MEM_DECOMMIT | MEM_RELEASE), E_INVALIDARG);
  std::uint8_t buffer[64];
  std::uint32_t got = 0;
  const hresult read = t.read_virtual(x + rng() % (4 * kPage), buffer, sizeof buffer, &got);
  EXPECT_TRUE(read == S_OK || read == HR_PARTIAL_COPY) << hresult_name(read);
  RegionInfo info;
  EXPECT_EQ(t.query_virtual(x, &info), S_OK);
}

void race_slots(Shared& s, int me, std::mt19937_64& rng) {
  Target& t = *s.target;
  std::uint64_t out = 0;
  const hresult made =
      t.allocate_virtual_memory(s.slot(me), 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, &out);
  if (made == S_OK) ++s.slot_created[me];
  else EXPECT_EQ(made, HR_INVALID_ADDRESS);  // still there from an earlier creation
  const int k = static_cast<int>(rng() % kThreads);
  const hresult freed = t.virtual_free(s.slot(k) + rng() % kPage, 0, MEM_RELEASE);
  if (freed == S_OK) ++s.slot_released[k];
  else EXPECT_EQ(freed, HOST_E_INVALIDOPERATION);
}

TEST(NativeThreads, FourThreadsKeepEveryRule) {
  auto target = find_backend("native")->make_factory(BackendOptions{})->make();
  Shared shared;
  shared.target = target.get();
  shared.slot_arena = find_quiet_arena(kThreads * 4 * kGranule);
  ASSERT_NE(shared.slot_arena, 0u);
  std::vector<std::thread> threads;
  for (int me = 0; me < kThreads; ++me) {
    threads.emplace_back([&shared, me] {
      std::mt19937_64 rng(1000 + me);
      for (int round = 0; round < kRounds; ++round) {
        own_region_round(shared, me, round, rng);
        for (int i = 0; i < 3; ++i) attack_others(shared, me, rng);
        race_slots(shared, me, rng);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int k = 0; k < kThreads; ++k) {
    const hresult last = target->virtual_free(shared.slot(k), 0, MEM_RELEASE);
    if (last == S_OK) ++shared.slot_released[k];
    EXPECT_EQ(shared.slot_created[k].load(), shared.slot_released[k].load()) << "slot " << k;
    EXPECT_GT(shared.slot_created[k].load(), 0) << "slot " << k;
    EXPECT_EQ(os_permissions(shared.slot(k)), "") << "slot " << k << " still mapped";
  }
  auto* table = dynamic_cast<RegionTableTarget*>(target.get());
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->allocations().empty());
}

}  // namespace
}  // namespace vmc::test
