// procfs_memory_test.cpp - the suite's own WriteVirtual and ReadVirtual over /proc/PID/maps and
// /proc/PID/mem (ProcfsMemory): the prefix of accessible bytes over mappings of every kind this
// test makes in its own process (readable, writable, executable-only, PROT_NONE, a hole), the same
// through PROCMAP_QUERY and through the maps text, and the bytes that reads and writes move.
#include "vmconform/plugin/procfs_memory.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "vmconform/constants.hpp"

namespace vmc::plugin {
namespace {

/// Eight pages: r, rw, rw, x, none, (hole), rw, r.
class Layout {
 public:
  Layout() : page_(static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE))) {
    void* p = ::mmap(nullptr, 8 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    base_ = reinterpret_cast<std::uint64_t>(p);
    const int prot[8] = {PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_EXEC, PROT_NONE, -1,
                         PROT_READ | PROT_WRITE, PROT_READ};
    for (int i = 0; i < 8; ++i) {
      void* at = reinterpret_cast<void*>(base_ + static_cast<std::uint64_t>(i) * page_);
      if (prot[i] < 0)
        ::munmap(at, page_);
      else
        ::mprotect(at, page_, prot[i]);
    }
  }
  ~Layout() {
    if (base_ != 0) ::munmap(reinterpret_cast<void*>(base_), 8 * page_);
  }
  std::uint64_t base() const { return base_; }
  std::uint64_t page() const { return page_; }

 private:
  std::uint64_t page_;
  std::uint64_t base_ = 0;
};

using Access = ProcfsMemory::Access;

TEST(ProcfsMemory, PrefixStopsAtAHoleOrAMappingWithoutTheAccess) {
  Layout l;
  ASSERT_NE(l.base(), 0u);
  ProcfsMemory text(0, ProcfsMemory::Maps::text);
  const std::uint64_t b = l.base(), p = l.page();
  EXPECT_EQ(text.accessible_prefix(b, 8 * p, Access::read), 3 * p);       // r rw rw, then x
  EXPECT_EQ(text.accessible_prefix(b + p, 8 * p, Access::write), 3 * p);  // rw rw x, then none
  EXPECT_EQ(text.accessible_prefix(b + 4 * p, p, Access::read), 0u);      // PROT_NONE
  EXPECT_EQ(text.accessible_prefix(b + 5 * p + 8, 16, Access::read), 0u);  // the hole
  EXPECT_EQ(text.accessible_prefix(b + 6 * p + 8, p, Access::read), p);  // up to the end asked
  EXPECT_EQ(text.accessible_prefix(b + 6 * p, 4 * p, Access::write), p);  // rw, then r only
  EXPECT_EQ(text.accessible_prefix(b, 0, Access::read), 0u);
}

TEST(ProcfsMemory, QueryAndTextAgreeEverywhere) {
  Layout l;
  ASSERT_NE(l.base(), 0u);
  ProcfsMemory text(0, ProcfsMemory::Maps::text);
  ProcfsMemory either(0);
  if (!either.uses_query())
    GTEST_SKIP() << "this kernel has no PROCMAP_QUERY (Linux 6.11+): only the text is used, and checked above";
  const std::uint64_t p = l.page();
  for (std::uint64_t start = l.base() - p; start < l.base() + 9 * p; start += p / 2)
    for (std::uint64_t n : {std::uint64_t{1}, p / 2, p, 3 * p, 10 * p})
      for (Access access : {Access::read, Access::write})
        EXPECT_EQ(either.accessible_prefix(start, n, access), text.accessible_prefix(start, n, access))
            << "at base" << (start >= l.base() ? "+" : "-")
            << (start >= l.base() ? start - l.base() : l.base() - start) << " n=" << n
            << (access == Access::read ? " read" : " write");
}

TEST(ProcfsMemory, ReadsThePrefixAndWritesAllOrNothing) {
  Layout l;
  ASSERT_NE(l.base(), 0u);
  for (ProcfsMemory::Maps maps : {ProcfsMemory::Maps::query_if_available, ProcfsMemory::Maps::text}) {
    ProcfsMemory m(0, maps);
    const std::uint64_t b = l.base(), p = l.page();
    const std::vector<std::uint8_t> bytes(16, 0x5A);
    EXPECT_EQ(m.write_virtual(b + 2 * p - 8, bytes.data(), 16), S_OK);  // rw into rw
    EXPECT_EQ(reinterpret_cast<const std::uint8_t*>(b + 2 * p - 8)[15], 0x5A);
    const std::vector<std::uint8_t> other(16, 0x33);
    EXPECT_EQ(m.write_virtual(b + p - 8, other.data(), 16), HR_NOACCESS);  // r into rw: nothing written
    EXPECT_EQ(reinterpret_cast<const std::uint8_t*>(b + p)[0], 0);
    std::vector<std::uint8_t> out(2 * p, 0xEE);
    std::uint32_t got = 0xdeadbeef;
    EXPECT_EQ(m.read_virtual(b + 2 * p, out.data(), static_cast<std::uint32_t>(2 * p), &got), S_OK);
    EXPECT_EQ(got, p);  // rw, then execute-only
    got = 0xdeadbeef;
    EXPECT_EQ(m.read_virtual(b + 4 * p, out.data(), 16, &got), HR_PARTIAL_COPY);
    EXPECT_EQ(got, 0u);
  }
}

}  // namespace
}  // namespace vmc::plugin
