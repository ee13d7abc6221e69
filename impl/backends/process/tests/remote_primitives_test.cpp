// remote_primitives_test.cpp - RemotePrimitives on its own, in a child, checked from outside.
//
// Every effect is observed independently of the backend: mappings and protections through
// /proc/PID/maps, bytes through process_vm_readv from this test process.
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "process_test_support.hpp"
#include "remote_primitives.hpp"

namespace vmc::process {
namespace {

using test::peek;
using test::permissions_at;

constexpr std::uint64_t kSize = 0x10000;

TEST(RemotePrimitives, MapProtectWriteDiscardUnmapSeenFromOutside) {
  auto tracee = Tracee::spawn_child();
  RemotePrimitives prim(tracee);
  const pid_t pid = tracee->pid();
  EXPECT_EQ(prim.os_page_size(), 4096u);

  int error = -1;
  const std::uint64_t at = prim.map_none(0, kSize, false, &error);
  ASSERT_NE(at, 0u) << "errno " << error;
  EXPECT_EQ(error, 0);
  EXPECT_EQ(permissions_at(pid, at), "---p");
  EXPECT_EQ(permissions_at(pid, at + kSize - 1), "---p");
  EXPECT_TRUE(peek(pid, at, 16).empty()) << "PROT_NONE memory must not be readable";

  ASSERT_EQ(prim.protect(at, 0x2000, PROT_READ | PROT_WRITE), 0);
  EXPECT_EQ(permissions_at(pid, at), "rw-p");
  EXPECT_EQ(permissions_at(pid, at + 0x2000), "---p");
  const std::vector<std::uint8_t> bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  ASSERT_EQ(prim.write(at + 0xFFC, bytes.data(), bytes.size()), bytes.size());
  EXPECT_EQ(peek(pid, at + 0xFFC, bytes.size()), bytes);
  std::vector<std::uint8_t> back(bytes.size());
  ASSERT_EQ(prim.read(at + 0xFFC, back.data(), back.size()), back.size());
  EXPECT_EQ(back, bytes);

  // Execute-only and read-only pages are written through /proc/PID/mem.
  ASSERT_EQ(prim.protect(at, 0x1000, PROT_READ | PROT_EXEC), 0);
  EXPECT_EQ(permissions_at(pid, at), "r-xp");
  const std::uint8_t code[] = {0xC3, 0x90};
  ASSERT_EQ(prim.write(at + 0x10, code, 2), 2u);
  EXPECT_EQ(peek(pid, at + 0x10, 2), std::vector<std::uint8_t>(code, code + 2));
  EXPECT_EQ(permissions_at(pid, at), "r-xp") << "the protection is unchanged";

  // Discard: contents gone, pages PROT_NONE, still mapped.
  ASSERT_EQ(prim.discard(at, 0x2000), 0);
  EXPECT_EQ(permissions_at(pid, at), "---p");
  ASSERT_EQ(prim.protect(at, 0x2000, PROT_READ), 0);
  EXPECT_EQ(peek(pid, at + 0xFFC, bytes.size()), std::vector<std::uint8_t>(bytes.size(), 0));

  ASSERT_EQ(prim.unmap(at, kSize), 0);
  EXPECT_EQ(permissions_at(pid, at), "");
  EXPECT_TRUE(prim.mapped().empty());
}

TEST(RemotePrimitives, FixedMappingRefusesOccupiedRange) {
  auto tracee = Tracee::spawn_child();
  RemotePrimitives prim(tracee);
  int error = 0;
  const std::uint64_t at = prim.map_none(0, kSize, false, &error);
  ASSERT_NE(at, 0u);
  EXPECT_EQ(prim.map_none(at, kSize, true, &error), 0u);
  EXPECT_EQ(error, EEXIST);
  // A free place: fixed mapping lands exactly there.
  ASSERT_EQ(prim.unmap(at, kSize), 0);
  EXPECT_EQ(prim.map_none(at, kSize, true, &error), at);
  EXPECT_EQ(test::permissions_at(tracee->pid(), at), "---p");
}

TEST(RemotePrimitives, NeverTouchesMemoryItDidNotMap) {
  auto tracee = Tracee::spawn_child();
  RemotePrimitives prim(tracee);
  const pid_t pid = tracee->pid();
  const MapEntry* stack = nullptr;
  const auto maps = read_maps(pid);
  for (const MapEntry& e : maps)
    if (e.path == "[stack]") stack = &e;
  ASSERT_NE(stack, nullptr);
  const std::uint64_t page = stack->end - 0x1000;
  const std::vector<std::uint8_t> before = peek(pid, page, 64);
  ASSERT_FALSE(before.empty());
  const std::uint8_t junk[64] = {0xAA};
  EXPECT_EQ(prim.write(page, junk, sizeof junk), 0u);
  std::uint8_t out[64];
  EXPECT_EQ(prim.read(page, out, sizeof out), 0u);
  EXPECT_NE(prim.protect(page, 0x1000, PROT_NONE), 0);
  EXPECT_NE(prim.discard(page, 0x1000), 0);
  EXPECT_EQ(prim.unmap(page, 0x1000), 0);  // like munmap of nothing: succeeds, does nothing
  EXPECT_EQ(permissions_at(pid, page), "rw-p");
  EXPECT_EQ(peek(pid, page, 64), before);
}

TEST(RemotePrimitives, DestructionUnmapsEverythingLeft) {
  auto tracee = Tracee::spawn_child();
  const pid_t pid = tracee->pid();
  const std::size_t mappings_before = read_maps(pid).size();
  std::vector<std::uint64_t> addresses;
  {
    RemotePrimitives prim(tracee);
    for (int i = 0; i < 5; ++i) {
      int error = 0;
      addresses.push_back(prim.map_none(0, kSize * (i + 1), false, &error));
      ASSERT_NE(addresses.back(), 0u);
      ASSERT_EQ(prim.protect(addresses.back(), 0x1000, PROT_READ), 0);
    }
    EXPECT_GT(read_maps(pid).size(), mappings_before);
  }
  for (std::uint64_t a : addresses) EXPECT_EQ(permissions_at(pid, a), "") << hex(a);
  EXPECT_EQ(read_maps(pid).size(), mappings_before);
}

TEST(RemotePrimitives, InjectedSyscallReportsErrno) {
  auto tracee = Tracee::spawn_child();
  // munmap of a misaligned address: EINVAL comes back as -EINVAL; registers stay usable.
  const auto r = tracee->inject_syscall(11 /* munmap */, {0x1001, 0x1000, 0, 0, 0, 0});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, -EINVAL);
  const auto pid = tracee->inject_syscall(39 /* getpid */, {0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(pid.has_value());
  EXPECT_EQ(*pid, tracee->pid());
  EXPECT_TRUE(tracee->alive());
  EXPECT_EQ(tracee->failure(), "");
}

}  // namespace
}  // namespace vmc::process
