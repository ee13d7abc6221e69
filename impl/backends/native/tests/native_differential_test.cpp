// native_differential_test.cpp - `native` against the reference model, operation by operation.
//
// Several fixed seeds of several thousand random operations each (DifferentialRunner), plus the
// sticky E_FAIL host fault which the random run avoids because it ends all later frees. Set
// VMC_NATIVE_SEED=<n> (and optionally VMC_NATIVE_OPS=<n>) to replay or extend one seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "address_space_probe.hpp"
#include "differential_runner.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc::test {
namespace {

constexpr std::uint64_t kArenaSize = 64ull << 20;

std::vector<std::uint64_t> seeds() {
  if (const char* s = std::getenv("VMC_NATIVE_SEED")) return {std::strtoull(s, nullptr, 0)};
  return {1, 0x5EED, 20240601};
}

int operations() {
  if (const char* s = std::getenv("VMC_NATIVE_OPS")) return std::atoi(s);
  return 4000;
}

TEST(NativeDifferential, RandomOperationsMatchTheModel) {
  std::map<std::string, int> totals;
  int adopted = 0;
  for (const std::uint64_t seed : seeds()) {
    const std::uint64_t arena = find_quiet_arena(kArenaSize);
    ASSERT_NE(arena, 0u) << "no room for a test arena";
    DifferentialRunner runner(seed, arena, kArenaSize);
    ASSERT_TRUE(runner.run(operations())) << runner.failure();
    for (const auto& [what, count] : runner.outcomes()) totals[what] += count;
    adopted += runner.adopted_foreign_ranges();
  }
  // Every rule family must have been reached, or the run proves little.
  for (const char* must : {"allocate(0) -> 0x00000000 (S_OK)", "allocate -> 0x00000000 (S_OK)",
                           "allocate -> 0x800701E7 (HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS))",
                           "allocate -> 0x80070057 (E_INVALIDARG)",
                           "virtual_free -> 0x00000000 (S_OK)",
                           "virtual_free -> 0x80131022 (HOST_E_INVALIDOPERATION)",
                           "virtual_free -> 0x800701E7 (HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS))",
                           "virtual_free -> 0x80070057 (E_INVALIDARG)",
                           "virtual_free(foreign) -> 0x80131022 (HOST_E_INVALIDOPERATION)",
                           "write_virtual -> 0x00000000 (S_OK)",
                           "write_virtual -> 0x800703E6 (HRESULT_FROM_WIN32(ERROR_NOACCESS))",
                           "read_virtual -> 0x00000000 (S_OK)",
                           "read_virtual -> 0x8007012B (HRESULT_FROM_WIN32(ERROR_PARTIAL_COPY))",
                           "query_virtual -> 0x00000000 (S_OK)"})
    EXPECT_GT(totals[must], 0) << "never reached: " << must;
  std::cout << "outcomes over " << seeds().size() << " seed(s) x " << operations()
            << " operations (foreign ranges adopted: " << adopted << "):\n";
  for (const auto& [what, count] : totals) std::cout << "  " << what << ": " << count << "\n";
}

TEST(NativeDifferential, EFailMakesEveryLaterFreeFail) {
  std::unique_ptr<Target> native = find_backend("native")->make_factory({})->make();
  ReferenceModel model;
  std::uint64_t base = 0, unused = 0;
  ASSERT_EQ(native->allocate_virtual_memory(0, 0x3000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE,
                                            &base),
            S_OK);
  ASSERT_EQ(model.allocate_at_system_choice(base, 0x3000, MEM_COMMIT | MEM_RESERVE,
                                            PAGE_READWRITE, &unused),
            S_OK);
  ASSERT_TRUE(native->inject_host_fault(E_FAIL));
  ASSERT_TRUE(model.inject_host_fault(E_FAIL));
  EXPECT_EQ(native->virtual_free(base, 0, MEM_RELEASE), model.virtual_free(base, 0, MEM_RELEASE));
  for (std::uint32_t type : {MEM_RELEASE, MEM_DECOMMIT, 0u}) {
    EXPECT_EQ(native->virtual_free(base, 0, type), HOST_E_CLRNOTAVAILABLE);
    EXPECT_EQ(model.virtual_free(base, 0, type), HOST_E_CLRNOTAVAILABLE);
  }
  // The injected failure had no effect: the memory is still there and usable.
  const std::uint8_t data[4] = {1, 2, 3, 4};
  EXPECT_EQ(native->write_virtual(base + 0x1000, data, 4), S_OK);
  std::uint8_t back[4] = {};
  std::uint32_t read = 0;
  EXPECT_EQ(native->read_virtual(base + 0x1000, back, 4, &read), S_OK);
  EXPECT_EQ(read, 4u);
  EXPECT_EQ(back[3], 4);
}

}  // namespace
}  // namespace vmc::test
