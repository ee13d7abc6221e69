// native_semantics_test.cpp - the `native` backend's rules one at a time, with the OS as witness.
//
// Where the differential test proves "same answers as the model", these tests pin down what the
// real address space looks like afterwards: aligned bases, the PROT_NONE granule tail, zeroed
// recommits, code pages written through and re-protected, guard pages left guarded, foreign
// memory untouched, and nothing left mapped after the target is destroyed.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "address_space_probe.hpp"
#include "vmconform/backend_registry.hpp"
#include "host_region_table.hpp"

namespace vmc::test {
namespace {

constexpr std::uint64_t kPage = 0x1000, kGranule = 0x10000;

std::unique_ptr<Target> make_native() {
  const BackendInfo* info = find_backend("native");
  if (info == nullptr) return nullptr;
  return info->make_factory(BackendOptions{})->make();
}

std::uint64_t allocate(Target& t, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                       std::uint64_t address = 0) {
  std::uint64_t out = 1;
  EXPECT_EQ(t.allocate_virtual_memory(address, size, type, protect, &out), S_OK);
  return out;
}

std::vector<std::uint8_t> read_all(Target& t, std::uint64_t address, std::uint32_t n,
                                   hresult expected = S_OK) {
  std::vector<std::uint8_t> out(n, 0xEE);
  std::uint32_t got = 0;
  EXPECT_EQ(t.read_virtual(address, out.data(), n, &got), expected);
  out.resize(got);
  return out;
}

TEST(NativeSemantics, IsRegisteredAndMakesIndependentTargets) {
  const BackendInfo* info = find_backend("native");
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->in_default_suite);
  auto factory = info->make_factory(BackendOptions{});
  EXPECT_EQ(factory->name(), "native");
  auto a = factory->make(), b = factory->make();
  EXPECT_EQ(a->page_size(), kPage);
  EXPECT_EQ(a->allocation_granularity(), kGranule);
  EXPECT_TRUE(a->has_query());
  const std::uint64_t base = allocate(*a, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  EXPECT_EQ(b->virtual_free(base, 0, MEM_RELEASE), HOST_E_INVALIDOPERATION);  // not b's
  EXPECT_EQ(a->virtual_free(base, 0, MEM_RELEASE), S_OK);
}

std::optional<HostAllocation> table_entry(Target& t, std::uint64_t base) {
  auto* table = dynamic_cast<RegionTableTarget*>(&t);
  if (table == nullptr) return std::nullopt;
  for (const HostAllocation& a : table->allocations())
    if (a.base == base) return a;
  return std::nullopt;
}

TEST(NativeSemantics, SystemChoiceIsAlignedAndOwnsTheGranuleTail) {
  auto t = make_native();
  for (std::uint32_t type : {MEM_COMMIT | MEM_RESERVE, MEM_RESERVE}) {
    for (std::uint32_t size : {1u, 0x1000u, 0x11000u, 0x10000u, 0x123456u}) {
      SCOPED_TRACE(testing::Message() << "type " << hex(type) << " size " << hex(size));
      const std::uint64_t base = allocate(*t, size, type, PAGE_READWRITE);
      ASSERT_EQ(base % kGranule, 0u) << hex(base);
      const std::uint64_t end = base + (size + kPage - 1) / kPage * kPage;
      const std::optional<HostAllocation> entry = table_entry(*t, base);
      ASSERT_TRUE(entry.has_value());
      if (end % kGranule == 0) continue;
      // The tail is held PROT_NONE, or (a reservation committed in one mmap) not mapped by us at
      // all; either way the table owns it.
      if (entry->mapped_size == end - base) {
        EXPECT_EQ(type, MEM_COMMIT | MEM_RESERVE) << "only committed reservations skip the tail";
      } else {
        EXPECT_EQ(os_permissions(end), "---p") << "tail of " << hex(base);
      }
      std::uint64_t out = 7;
      EXPECT_EQ(t->allocate_virtual_memory(end, 0x1000, MEM_RESERVE, PAGE_READWRITE, &out),
                HR_INVALID_ADDRESS);
      EXPECT_EQ(out, 0u);
      read_all(*t, end, 1, HR_PARTIAL_COPY);
      EXPECT_EQ(t->virtual_free(end, 0, MEM_RELEASE), HOST_E_INVALIDOPERATION);
      if (type & MEM_COMMIT) {
        EXPECT_EQ(read_all(*t, end - 2, 16).size(), 2u);  // a read stops at the tail
      }
    }
  }
}

TEST(NativeSemantics, CommittedSystemChoiceMapsItsPagesWithTheFinalProtection) {
  // After a first reservation, the next ones at a system-chosen address usually go through the
  // one-mmap fast path (just below the previous one). A committed one is then mapped with its
  // final protection and only its pages: the OS shows the protection at once, the tail is not
  // ours, and the table still refuses the tail to everyone.
  auto t = make_native();
  int fast = 0;
  for (std::uint32_t protect : {PAGE_READWRITE, PAGE_READONLY, PAGE_NOACCESS, PAGE_READWRITE}) {
    const std::uint64_t base = allocate(*t, 0x3000, MEM_COMMIT | MEM_RESERVE, protect);
    const std::string tail = os_permissions(base + 0x3000);  // before anything else maps
    const std::optional<HostAllocation> entry = table_entry(*t, base);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(os_permissions(base + 0x2000), protect == PAGE_READWRITE ? "rw-p"
                                             : protect == PAGE_READONLY ? "r--p"
                                                                        : "---p");
    if (entry->mapped_size != 0x3000) {
      EXPECT_EQ(entry->mapped_size, kGranule);
      EXPECT_EQ(tail, "---p");
      continue;
    }
    ++fast;
    EXPECT_EQ(tail, "") << "the granule tail of a one-mmap reservation is not mapped";
    std::uint64_t out = 7;
    EXPECT_EQ(t->allocate_virtual_memory(base + 0x4000, 0x1000, MEM_RESERVE, PAGE_READWRITE, &out),
              HR_INVALID_ADDRESS);
    EXPECT_EQ(out, 0u);
    read_all(*t, base + 0x3000, 1, HR_PARTIAL_COPY);
    if (protect != PAGE_NOACCESS) {
      EXPECT_EQ(read_all(*t, base, 0x3000), std::vector<std::uint8_t>(0x3000, 0));
    }
  }
  EXPECT_GE(fast, 1) << "no system-choice reservation took the one-mmap path";
  std::vector<std::uint64_t> bases;
  for (const HostAllocation& a : dynamic_cast<RegionTableTarget&>(*t).allocations())
    bases.push_back(a.base);
  for (std::uint64_t base : bases) EXPECT_EQ(t->virtual_free(base, 0, MEM_RELEASE), S_OK);
  for (std::uint64_t base : bases) EXPECT_EQ(os_permissions(base), "") << hex(base);
}

TEST(NativeSemantics, SizesNearFourGiBRoundUpInSixtyFourBits) {
  // 0xFFFFFFFF bytes need 0x100000 pages: the rounding must not wrap in 32 bits.
  auto t = make_native();
  const std::uint64_t base = allocate(*t, 0xFFFFFFFFu, MEM_RESERVE, PAGE_READWRITE);
  RegionInfo info;
  ASSERT_EQ(t->query_virtual(base, &info), S_OK);
  EXPECT_EQ(info.region_size, 0x100000000ull);
  std::uint64_t out = 0;
  EXPECT_EQ(t->allocate_virtual_memory(base + 0xFFFFF000ull, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                                       &out),
            S_OK);
  EXPECT_EQ(t->virtual_free(base, 0, MEM_RELEASE), S_OK);
}

TEST(NativeSemantics, ExplicitReservationRoundsAndRefusesOccupiedRanges) {
  auto t = make_native();
  const std::uint64_t arena = find_quiet_arena(16 * kGranule);
  ASSERT_NE(arena, 0u);
  const std::uint64_t base = allocate(*t, 0x1800, MEM_RESERVE, PAGE_READWRITE, arena + 0x2345);
  EXPECT_EQ(base, arena);
  RegionInfo info;
  ASSERT_EQ(t->query_virtual(arena, &info), S_OK);
  EXPECT_EQ(info.region_size, 0x4000u);  // pages 0..3 hold [0x2345, 0x3B45)
  EXPECT_EQ(info.state, MEM_RESERVE);
  // Someone else's mapping in the way: HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS), out = 0.
  const std::uint64_t foreign_page = arena + 4 * kGranule + 0x8000;
  void* other = ::mmap(reinterpret_cast<void*>(foreign_page), kPage, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  ASSERT_EQ(other, reinterpret_cast<void*>(foreign_page));
  std::uint64_t out = 5;
  EXPECT_EQ(t->allocate_virtual_memory(arena + 3 * kGranule, 0x20000, MEM_RESERVE,
                                       PAGE_READWRITE, &out),
            HR_INVALID_ADDRESS);
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(t->virtual_free(foreign_page, 0, MEM_RELEASE), HOST_E_INVALIDOPERATION);
  // A reservation whose granule tail is foreign still works; it just does not hold the tail.
  EXPECT_EQ(allocate(*t, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY, arena + 4 * kGranule),
            arena + 4 * kGranule);
  auto* table = dynamic_cast<RegionTableTarget*>(t.get());
  ASSERT_NE(table, nullptr);
  for (const HostAllocation& a : table->allocations())
    EXPECT_EQ(a.mapped_size, a.base == arena ? kGranule : 0x1000u) << hex(a.base);
  read_all(*t, foreign_page, 1, HR_PARTIAL_COPY);
  EXPECT_EQ(t->virtual_free(arena + 4 * kGranule, 0, MEM_RELEASE), S_OK);
  EXPECT_EQ(os_permissions(foreign_page), "r--p");  // the foreign page survived
  EXPECT_EQ(t->virtual_free(arena, 0, MEM_RELEASE), S_OK);
  ::munmap(other, kPage);
}

TEST(NativeSemantics, CommitZeroesRecommitKeepsDecommitDrops) {
  auto t = make_native();
  const std::uint64_t base = allocate(*t, 0x4000, MEM_RESERVE, PAGE_NOACCESS);
  std::uint64_t out = 0;
  EXPECT_EQ(t->allocate_virtual_memory(base + 0x3000, 0x2000, MEM_COMMIT, PAGE_READWRITE, &out),
            HR_INVALID_ADDRESS);  // runs past the reservation
  EXPECT_EQ(t->allocate_virtual_memory(base + 0x1010, 0x1000, MEM_COMMIT, PAGE_READWRITE, &out),
            S_OK);
  EXPECT_EQ(out, base + 0x1000);
  EXPECT_EQ(read_all(*t, base + 0x1000, 0x2000), std::vector<std::uint8_t>(0x2000, 0));
  const std::vector<std::uint8_t> data(0x2000, 0x42);
  ASSERT_EQ(t->write_virtual(base + 0x1000, data.data(), 0x2000), S_OK);
  EXPECT_EQ(t->allocate_virtual_memory(base + 0x1000, 0x2000, MEM_COMMIT, PAGE_READONLY, &out),
            S_OK);
  EXPECT_EQ(read_all(*t, base + 0x1000, 0x2000), data);  // kept, now read-only
  EXPECT_EQ(os_permissions(base + 0x1000), "r--p");
  EXPECT_EQ(t->write_virtual(base + 0x1000, data.data(), 1), HR_NOACCESS);
  EXPECT_EQ(t->virtual_free(base + 0x1fff, 2, MEM_DECOMMIT), S_OK);  // pages 1 and 2
  EXPECT_EQ(os_permissions(base + 0x1000), "---p");
  read_all(*t, base + 0x1000, 1, HR_PARTIAL_COPY);
  EXPECT_EQ(t->allocate_virtual_memory(base, 0x4000, MEM_COMMIT, PAGE_READWRITE, &out), S_OK);
  EXPECT_EQ(read_all(*t, base, 0x4000), std::vector<std::uint8_t>(0x4000, 0));
  EXPECT_EQ(t->virtual_free(base + 0x1000, 0x4000, MEM_DECOMMIT), E_INVALIDARG);
  EXPECT_EQ(t->virtual_free(base + 0x1000, 0, MEM_DECOMMIT), HR_INVALID_ADDRESS);
  EXPECT_EQ(t->virtual_free(base + 0x1000, 0, MEM_RELEASE), HR_INVALID_ADDRESS);
  EXPECT_EQ(t->virtual_free(base + 0x10, 0, MEM_RELEASE), S_OK);  // any byte of the first page
}

TEST(NativeSemantics, CodePagesAreWrittenThroughAndReprotected) {
  auto t = make_native();
  for (std::uint32_t protect : {PAGE_EXECUTE, PAGE_EXECUTE_READ}) {
    const std::uint64_t base = allocate(*t, 0x3000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    std::uint64_t out = 0;
    ASSERT_EQ(t->allocate_virtual_memory(base + 0x1000, 0x1000, MEM_COMMIT, protect, &out), S_OK);
    EXPECT_EQ(os_permissions(base + 0x1000), "r-xp");
    std::vector<std::uint8_t> data(0x2000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 13);
    ASSERT_EQ(t->write_virtual(base + 0x800, data.data(), 0x2000), S_OK);  // RW, code, RW
    EXPECT_EQ(os_permissions(base + 0x1000), "r-xp");                     // put back
    EXPECT_EQ(os_permissions(base), "rw-p");
    EXPECT_EQ(read_all(*t, base + 0x800, 0x2000), data);
    EXPECT_EQ(t->virtual_free(base, 0, MEM_RELEASE), S_OK);
  }
}

TEST(NativeSemantics, GuardPagesStayGuarded) {
  auto t = make_native();
  const std::uint64_t base =
      allocate(*t, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD);
  EXPECT_EQ(os_permissions(base), "---p");
  const std::uint8_t byte = 1;
  for (int i = 0; i < 3; ++i) {
    read_all(*t, base, 1, HR_PARTIAL_COPY);
    EXPECT_EQ(t->write_virtual(base, &byte, 1), HR_NOACCESS);
  }
  RegionInfo info;
  ASSERT_EQ(t->query_virtual(base, &info), S_OK);
  EXPECT_EQ(info.protect, PAGE_READWRITE | PAGE_GUARD);
  EXPECT_EQ(info.state, MEM_COMMIT);
  std::uint64_t out = 0;
  ASSERT_EQ(t->allocate_virtual_memory(base, 1, MEM_COMMIT, PAGE_READWRITE, &out), S_OK);
  EXPECT_EQ(read_all(*t, base, 0x2000).size(), 0x1000u);  // stops at the guard page
}

TEST(NativeSemantics, ResetKeepsStateAndReturnsThePage) {
  auto t = make_native();
  const std::uint64_t base = allocate(*t, 0x3000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  std::uint64_t out = 0;
  EXPECT_EQ(t->allocate_virtual_memory(base + 0x1234, 10, MEM_RESET, PAGE_NOACCESS, &out), S_OK);
  EXPECT_EQ(out, base + 0x1000);
  EXPECT_EQ(t->allocate_virtual_memory(base + 0x1234, 0x3000, MEM_RESET, PAGE_READWRITE, &out),
            HR_INVALID_ADDRESS);
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(t->allocate_virtual_memory(0, 10, MEM_RESET, PAGE_READWRITE, &out), E_INVALIDARG);
  RegionInfo info;
  ASSERT_EQ(t->query_virtual(base + 0x1000, &info), S_OK);
  EXPECT_EQ(info.state, MEM_COMMIT);
}

TEST(NativeSemantics, ForeignMemoryIsNeverTouched) {
  auto t = make_native();
  const std::vector<ForeignMemory> foreign = t->foreign_memory();
  ASSERT_EQ(foreign.size(), 3u);
  for (const ForeignMemory& f : foreign) {
    std::vector<std::uint8_t> before(f.size);
    std::memcpy(before.data(), reinterpret_cast<const void*>(f.address), f.size);
    const std::vector<std::uint8_t> junk(f.size, 0x11);
    EXPECT_EQ(t->write_virtual(f.address, junk.data(), static_cast<std::uint32_t>(f.size)),
              HR_NOACCESS)
        << f.what;
    read_all(*t, f.address, 8, HR_PARTIAL_COPY);
    for (std::uint32_t type : {MEM_RELEASE, MEM_DECOMMIT}) {
      EXPECT_EQ(t->virtual_free(f.address, 0, type), HOST_E_INVALIDOPERATION) << f.what;
      EXPECT_EQ(t->virtual_free(f.address + 1, f.size - 1, type),
                type == MEM_RELEASE ? E_INVALIDARG : HOST_E_INVALIDOPERATION);
    }
    std::uint64_t out = 3;
    EXPECT_EQ(t->allocate_virtual_memory(f.address, 1, MEM_COMMIT, PAGE_READWRITE, &out),
              HR_INVALID_ADDRESS);
    EXPECT_EQ(t->allocate_virtual_memory(f.address, 1, MEM_RESERVE, PAGE_READWRITE, &out),
              HR_INVALID_ADDRESS);
    RegionInfo info;
    ASSERT_EQ(t->query_virtual(f.address, &info), S_OK);
    EXPECT_EQ(info.state, MEM_FREE);
    EXPECT_EQ(std::memcmp(before.data(), reinterpret_cast<const void*>(f.address), f.size), 0);
  }
}

/// The mapping of /proc/self/maps holding `address` ([begin, end) and permissions), or "".
std::string os_mapping(std::uint64_t address) {
  for (const AddressRange& m : current_mappings())
    if (m.begin <= address && address < m.end) return hex(m.begin) + "-" + hex(m.end) + " " + os_permissions(address);
  return "";
}

TEST(NativeSemantics, DestroyingTheTargetReleasesEverything) {
  // Each reservation holds [base, base + 0x30000): pages and tail. After the target is gone,
  // nothing of it may stay mapped. The process's other threads (the sanitizers' runtimes, malloc)
  // may map the freed hole at once, so an address counts as still ours only while the very
  // mapping that held it before (same bounds, same permissions) is still there.
  std::vector<std::pair<std::uint64_t, std::string>> before;  // address, its mapping before
  {
    auto t = make_native();
    std::vector<std::uint64_t> bases;
    for (std::uint32_t protect : {PAGE_READWRITE, PAGE_NOACCESS, PAGE_EXECUTE_READ | PAGE_GUARD})
      bases.push_back(allocate(*t, 0x21000, MEM_COMMIT | MEM_RESERVE, protect));
    bases.push_back(allocate(*t, 0x25000, MEM_RESERVE, PAGE_READWRITE));
    for (std::uint64_t base : bases)
      for (std::uint64_t address : {base, base + 0x2FFFF}) before.emplace_back(address, os_mapping(address));
    EXPECT_NE(before.front().second, "") << hex(bases.front()) << " is not mapped while the target lives";
  }
  for (const auto& [address, mapping] : before)  // a tail the fast path never mapped is skipped
    if (!mapping.empty()) {
      EXPECT_NE(os_mapping(address), mapping) << hex(address) << " still mapped as before: " << mapping;
    }
}

}  // namespace
}  // namespace vmc::test
