// raw_adapters_test.cpp - which WriteVirtual rules each raw adapter breaks, shown by example.
//
// Every backend gets the same layout: one reservation of 16 pages at 0x300000000 (the next
// granule is unmapped) with page 0 READWRITE, 1 reserved only, 2 READONLY, 3 EXECUTE_READ,
// 4 NOACCESS, 5 READWRITE|GUARD, 6..15 READWRITE. Each scenario writes 0xAB bytes somewhere and
// records the HRESULT and what really landed (read through /proc/PID/mem, which sees every page).
// The assertions state the observed behaviour of each backend; `process` is the conformant
// reference point. The rule each deviation breaks is named next to it.
#include <gtest/gtest.h>

#include "process_factory.hpp"
#include "process_test_support.hpp"

namespace vmc::process::test {
namespace {

constexpr std::uint64_t kBase = 0x300000000ull;
constexpr std::uint64_t kPage = 0x1000;
constexpr hresult kEfault = hresult_from_win32(14);  // errno EFAULT read as a Win32 code
constexpr hresult kEio = hresult_from_win32(5);      // errno EIO == ERROR_ACCESS_DENIED's value

struct Observed {
  hresult hr = S_OK;
  std::size_t landed = 0;  // bytes of the range that now hold 0xAB
};

class Layout {
 public:
  explicit Layout(const std::string& backend) : factory_(make_factory(backend)) {
    target_ = factory_->make();
    pid_ = dynamic_cast<ProcessTarget&>(*target_).pid();
    std::uint64_t out = 0;
    EXPECT_EQ(target_->allocate_virtual_memory(kBase, 0x10000, MEM_RESERVE, PAGE_NOACCESS, &out),
              S_OK);
    commit(0, 1, PAGE_READWRITE);
    commit(2, 1, PAGE_READONLY);
    commit(3, 1, PAGE_EXECUTE_READ);
    commit(4, 1, PAGE_NOACCESS);
    commit(5, 1, PAGE_READWRITE | PAGE_GUARD);
    commit(6, 10, PAGE_READWRITE);
  }
  Target& target() { return *target_; }
  pid_t pid() const { return pid_; }

  Observed write(std::uint64_t address, std::uint32_t n) {
    const std::vector<std::uint8_t> bytes(n, 0xAB);
    Observed o;
    o.hr = target_->write_virtual(address, bytes.data(), n);
    std::vector<std::uint8_t> now = peek_force(pid_, address, n);
    if (now.empty()) {  // part of the range is unmapped: byte by byte
      now.assign(n, 0);
      for (std::uint32_t i = 0; i < n; ++i) {
        const auto b = peek_force(pid_, address + i, 1);
        if (!b.empty()) now[i] = b[0];
      }
    }
    for (std::uint8_t b : now)
      if (b == 0xAB) ++o.landed;
    return o;
  }

 private:
  void commit(std::uint64_t first_page, std::uint64_t pages, std::uint32_t protect) {
    std::uint64_t out = 0;
    EXPECT_EQ(target_->allocate_virtual_memory(kBase + first_page * kPage,
                                               static_cast<std::uint32_t>(pages * kPage),
                                               MEM_COMMIT, protect, &out),
              S_OK);
  }
  std::unique_ptr<TargetFactory> factory_;
  std::unique_ptr<Target> target_;
  pid_t pid_ = 0;
};

// 16 bytes at the end of the READWRITE page 0, 16 into the reserved page 1.
TEST(RawAdapters, WriteSpanningReadWriteThenReservedPage) {
  const std::uint64_t at = kBase + kPage - 16;
  EXPECT_EQ(Layout("process").write(at, 32).hr, HR_NOACCESS);
  {
    Layout l("raw-pvwritev");  // WV-ATOMIC: fails with ERROR_PARTIAL_COPY, prefix written
    const Observed o = l.write(at, 32);
    EXPECT_EQ(o.hr, HR_PARTIAL_COPY);
    EXPECT_EQ(o.landed, 16u);
  }
  for (const char* b : {"raw-procmem", "raw-ptrace"}) {
    Layout l(b);  // WV-UNWRITABLE: S_OK, the reserved page is written
    const Observed o = l.write(at, 32);
    EXPECT_EQ(o.hr, S_OK) << b;
    EXPECT_EQ(o.landed, 32u) << b;
    // ...and AVM-ZERO breaks later: committing the reserved page shows the stray bytes.
    std::uint64_t out = 0;
    ASSERT_EQ(l.target().allocate_virtual_memory(kBase + kPage, 1, MEM_COMMIT, PAGE_READWRITE,
                                                 &out),
              S_OK);
    std::uint8_t first = 0;
    std::uint32_t n = 0;
    ASSERT_EQ(l.target().read_virtual(kBase + kPage, &first, 1, &n), S_OK);
    EXPECT_EQ(first, 0xAB) << b << ": a freshly committed page is not zero";
  }
}

TEST(RawAdapters, WriteToReadOnlyPage) {
  const std::uint64_t at = kBase + 2 * kPage + 8;
  EXPECT_EQ(Layout("process").write(at, 8).hr, HR_NOACCESS);
  {
    Layout l("raw-pvwritev");  // refuses, but WV-CODE: EFAULT (14) becomes E_OUTOFMEMORY
    const Observed o = l.write(at, 8);
    EXPECT_EQ(o.hr, kEfault);
    EXPECT_EQ(o.hr, E_OUTOFMEMORY);
    EXPECT_EQ(o.landed, 0u);
  }
  for (const char* b : {"raw-procmem", "raw-ptrace"}) {
    Layout l(b);  // WV-READONLY: the write succeeds and lands
    const Observed o = l.write(at, 8);
    EXPECT_EQ(o.hr, S_OK) << b;
    EXPECT_EQ(o.landed, 8u) << b;
  }
}

TEST(RawAdapters, WriteToExecuteReadPage) {
  const std::uint64_t at = kBase + 3 * kPage;
  {
    Layout l("process");
    const Observed o = l.write(at, 8);
    EXPECT_EQ(o.hr, S_OK);
    EXPECT_EQ(o.landed, 8u);
  }
  {
    Layout l("raw-pvwritev");  // WV-EXEC: a code-page write fails (and WV-CODE: E_OUTOFMEMORY)
    const Observed o = l.write(at, 8);
    EXPECT_EQ(o.hr, kEfault);
    EXPECT_EQ(o.landed, 0u);
  }
  for (const char* b : {"raw-procmem", "raw-ptrace"}) {
    Layout l(b);  // WV-EXEC holds: /proc/PID/mem and POKEDATA ignore protections
    const Observed o = l.write(at, 8);
    EXPECT_EQ(o.hr, S_OK) << b;
    EXPECT_EQ(o.landed, 8u) << b;
  }
}

TEST(RawAdapters, WriteToNoAccessAndGuardPages) {
  for (const std::uint64_t page : {4ull, 5ull}) {
    const std::uint64_t at = kBase + page * kPage;
    EXPECT_EQ(Layout("process").write(at, 8).hr, HR_NOACCESS);
    {
      Layout l("raw-pvwritev");  // refuses (WV-UNWRITABLE holds), WV-CODE broken
      const Observed o = l.write(at, 8);
      EXPECT_EQ(o.hr, kEfault);
      EXPECT_EQ(o.landed, 0u);
    }
    for (const char* b : {"raw-procmem", "raw-ptrace"}) {
      Layout l(b);  // WV-UNWRITABLE: NOACCESS and guard pages are written
      const Observed o = l.write(at, 8);
      EXPECT_EQ(o.hr, S_OK) << b << " page " << page;
      EXPECT_EQ(o.landed, 8u) << b << " page " << page;
    }
  }
}

// 16 bytes at the end of the allocation, 16 in the unmapped granule after it.
TEST(RawAdapters, WriteRunningOffTheEndIntoFreeMemory) {
  const std::uint64_t at = kBase + 0x10000 - 16;
  EXPECT_EQ(Layout("process").write(at, 32).hr, HR_NOACCESS);
  for (const char* b : {"raw-pvwritev", "raw-procmem"}) {
    Layout l(b);  // WV-ATOMIC: ERROR_PARTIAL_COPY with the first 16 bytes written
    const Observed o = l.write(at, 32);
    EXPECT_EQ(o.hr, HR_PARTIAL_COPY) << b;
    EXPECT_EQ(o.landed, 16u) << b;
  }
  {
    Layout l("raw-ptrace");  // WV-ATOMIC and WV-CODE: prefix written, EIO read as ACCESS_DENIED
    const Observed o = l.write(at, 32);
    EXPECT_EQ(o.hr, kEio);
    EXPECT_EQ(o.landed, 16u);
  }
}

TEST(RawAdapters, WriteToFreeMemoryFailsWithErrnoCodes) {
  const std::uint64_t at = kBase + 0x20000;  // never mapped
  EXPECT_EQ(Layout("process").write(at, 8).hr, HR_NOACCESS);
  // WV-UNWRITABLE holds for all three, WV-CODE does not: errno values, not Win32 codes.
  EXPECT_EQ(Layout("raw-pvwritev").write(at, 8).hr, kEfault);
  EXPECT_EQ(Layout("raw-procmem").write(at, 8).hr, kEio);
  EXPECT_EQ(Layout("raw-ptrace").write(at, 8).hr, kEio);
}

TEST(RawAdapters, WriteToMemoryTheHostNeverAllocated) {
  // The tracee's own stack is free as far as the host is concerned (VF-FOREIGN memory).
  for (const char* b : {"process", "raw-pvwritev", "raw-procmem", "raw-ptrace"}) {
    Layout l(b);
    std::uint64_t stack = 0;
    for (const MapEntry& e : read_maps(l.pid()))
      if (e.path == "[stack]") stack = e.end - kPage;
    ASSERT_NE(stack, 0u);
    const Observed o = l.write(stack, 8);
    if (std::string(b) == "process") {
      EXPECT_EQ(o.hr, HR_NOACCESS);
      EXPECT_EQ(o.landed, 0u);
    } else {  // WV-UNWRITABLE: the write lands in someone else's memory
      EXPECT_EQ(o.hr, S_OK) << b;
      EXPECT_EQ(o.landed, 8u) << b;
    }
  }
}

TEST(RawAdapters, RulesTheyKeep) {
  for (const char* b : {"raw-pvwritev", "raw-procmem", "raw-ptrace"}) {
    Layout l(b);
    // WV-ROUNDTRIP: READWRITE memory round-trips, across pages too.
    const Observed o = l.write(kBase + 6 * kPage + 100, 2 * kPage);
    EXPECT_EQ(o.hr, S_OK) << b;
    EXPECT_EQ(o.landed, 2 * kPage) << b;
    std::vector<std::uint8_t> back(2 * kPage);
    std::uint32_t n = 0;
    EXPECT_EQ(l.target().read_virtual(kBase + 6 * kPage + 100, back.data(), 2 * kPage, &n), S_OK);
    EXPECT_EQ(back, std::vector<std::uint8_t>(2 * kPage, 0xAB)) << b;
    // WV-ZERO-LENGTH at an ordinary address.
    EXPECT_EQ(l.target().write_virtual(kBase + 0x20000, back.data(), 0), S_OK) << b;
  }
}

TEST(RawAdapters, ZeroLengthWriteAtAnAddressAboveTheOffsetRange) {
  // WV-ZERO-LENGTH: /proc/PID/mem offsets are signed, so pwrite refuses even zero bytes there.
  const std::uint8_t byte = 0;
  EXPECT_EQ(Layout("process").target().write_virtual(0xFFFF800000000000ull, &byte, 0), S_OK);
  EXPECT_EQ(Layout("raw-pvwritev").target().write_virtual(0xFFFF800000000000ull, &byte, 0), S_OK);
  EXPECT_EQ(Layout("raw-ptrace").target().write_virtual(0xFFFF800000000000ull, &byte, 0), S_OK);
  EXPECT_EQ(Layout("raw-procmem").target().write_virtual(0xFFFF800000000000ull, &byte, 0),
            hresult_from_win32(22));  // EINVAL read as a Win32 code (also breaks WV-CODE)
}

}  // namespace
}  // namespace vmc::process::test
