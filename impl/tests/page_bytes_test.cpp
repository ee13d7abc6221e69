// page_bytes_test.cpp - the model's shared page bytes (PageBytes, page_bytes.hpp): a new page is
// zero and owned once, copies and moves count their owners exactly, copy_of is independent, and
// owners on different threads release the bytes once (run under TSan and ASan in CI).
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "vmconform/page_bytes.hpp"

namespace vmc {
namespace {

TEST(PageBytes, ANewPageIsZeroAndOwnedOnce) {
  const PageBytes none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(none.block(), nullptr);
  EXPECT_EQ(none.owners(), 0u);
  EXPECT_FALSE(none.shared());

  const PageBytes page = PageBytes::zeroed(0x1000);
  ASSERT_TRUE(page);
  EXPECT_EQ(page.size(), 0x1000u);
  EXPECT_EQ(page.owners(), 1u);
  EXPECT_FALSE(page.shared());
  for (std::uint32_t i = 0; i < page.size(); ++i) ASSERT_EQ(page.data()[i], 0) << i;
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(page.data()) % 16, 0u);
  // The count and the bytes share one block, the count first.
  EXPECT_LT(page.block(), static_cast<const void*>(page.data()));
}

TEST(PageBytes, CopiesShareAndCountTheirOwners) {
  PageBytes page = PageBytes::zeroed(64);
  page.data()[3] = 7;
  {
    const PageBytes copy = page;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_EQ(copy.data(), page.data());
    EXPECT_EQ(page.owners(), 2u);
    EXPECT_TRUE(page.shared());
    EXPECT_TRUE(copy.shared());
  }
  EXPECT_EQ(page.owners(), 1u);

  PageBytes moved = std::move(page);
  EXPECT_FALSE(page);  // NOLINT(bugprone-use-after-move): a moved-from PageBytes has no bytes
  EXPECT_EQ(moved.owners(), 1u);
  EXPECT_EQ(moved.data()[3], 7);

  PageBytes other = PageBytes::zeroed(64);
  other = moved;  // `other`'s old bytes go, it shares `moved`'s
  EXPECT_EQ(other.data(), moved.data());
  EXPECT_EQ(moved.owners(), 2u);
  const PageBytes& same = other;
  other = same;  // assigning a page to itself keeps it
  EXPECT_EQ(moved.owners(), 2u);
  other = PageBytes{};
  EXPECT_EQ(moved.owners(), 1u);
  EXPECT_FALSE(other);
}

TEST(PageBytes, CopyOfIsAPageOfItsOwn) {
  PageBytes page = PageBytes::zeroed(32);
  for (std::uint32_t i = 0; i < 32; ++i) page.data()[i] = static_cast<std::uint8_t>(i + 1);
  const PageBytes sharer = page;
  const PageBytes copy = PageBytes::copy_of(page);
  EXPECT_NE(copy.data(), page.data());
  EXPECT_EQ(copy.owners(), 1u);
  EXPECT_EQ(page.owners(), 2u);
  for (std::uint32_t i = 0; i < 32; ++i) ASSERT_EQ(copy.data()[i], i + 1) << i;
  page.data()[0] = 99;
  EXPECT_EQ(copy.data()[0], 1);
  EXPECT_FALSE(PageBytes::copy_of(PageBytes{}));
}

TEST(PageBytes, PrefetchingChangesNothing) {
  const PageBytes page = PageBytes::zeroed(0x1000);
  PageBytes::prefetch(page.block(), 0, 63);
  PageBytes::prefetch(page.block(), 0xFC0, 0xFFF);
  EXPECT_EQ(page.owners(), 1u);
  EXPECT_EQ(page.data()[0xFFF], 0);
}

TEST(PageBytes, OwnersOnManyThreadsReleaseTheBytesOnce) {
  // Copies of a model may live on different threads: each drops its references concurrently.
  PageBytes page = PageBytes::zeroed(256);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([copy = page]() mutable {
      for (int i = 0; i < 1000; ++i) {
        PageBytes another = copy;
        another = PageBytes{};
      }
      copy = PageBytes{};
    });
  page = PageBytes{};  // the threads now hold the only references
  for (std::thread& t : threads) t.join();
}

}  // namespace
}  // namespace vmc
