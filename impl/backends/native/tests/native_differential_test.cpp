// native_differential_test.cpp - `native` against the reference model, operation by operation.
//
// Several fixed seeds of several thousand ops each from the suite's generators, through the
// suite's checker (region_table_differential.hpp), with the check only `native` allows: every
// sampled page of every allocation is accessible to the OS exactly when the host table says it is
// (observed with process_vm_readv, which cannot fault), and a granule tail the host holds never
// is. Plus the sticky E_FAIL host fault, which a random run reaches only by chance and which ends
// all later frees. Set VMC_NATIVE_SEED=<n> (and optionally VMC_NATIVE_OPS=<n>) to replay or
// extend one seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "address_space_probe.hpp"
#include "region_table_differential.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc::test {
namespace {

constexpr std::uint64_t kPagesSampled = 16;  // per allocation, plus the first page of every run

std::vector<std::uint64_t> seeds() {
  if (const char* s = std::getenv("VMC_NATIVE_SEED")) return {std::strtoull(s, nullptr, 0)};
  return {1, 0x5EED, 20240601};
}

std::size_t operations() {
  if (const char* s = std::getenv("VMC_NATIVE_OPS")) return static_cast<std::size_t>(std::atoi(s));
  return 4000;
}

bool os_accessible(const Allocation::Run& run) {
  if (run.state != PageState::committed || (run.protect & PAGE_GUARD)) return false;
  return (run.protect & 0xFF) != PAGE_NOACCESS;
}

/// The OS's view of the pages against the table's (the model's, which the table matches).
std::string os_agrees(RegionTableTarget& native, const ReferenceModel& model) {
  const std::uint32_t page = model.page_size();
  for (const HostAllocation& h : native.allocations()) {
    const auto a = model.allocations().find(h.base);
    if (a == model.allocations().end()) return "no model allocation at " + hex(h.base);
    std::vector<std::uint64_t> sample;
    for (std::uint64_t p = 0; p < h.size / page && p < kPagesSampled; ++p) sample.push_back(p);
    for (const auto& [first, run] : a->second.runs) sample.push_back(first);
    for (const std::uint64_t p : sample) {
      const std::uint64_t at = h.base + p * page;
      const Allocation::Run run = std::prev(a->second.runs.upper_bound(p))->second;
      const std::optional<bool> os = os_readable(at);
      if (os && *os != os_accessible(run))
        return "page " + hex(at) + " is " + (*os ? "" : "not ") + "accessible to the OS but the table says state=" +
               (run.state == PageState::committed ? "committed" : "reserved") + " protect=" + protect_name(run.protect);
    }
    if (h.mapped_size > h.size)
      if (const std::optional<bool> os = os_readable(h.base + h.size); os && *os)
        return "the granule tail " + hex(h.base + h.size) + " is readable by the OS";
  }
  return "";
}

TEST(NativeDifferential, RandomOperationsMatchTheModel) {
  std::map<std::string, int> totals;
  std::size_t reservations = 0;
  for (const std::uint64_t seed : seeds()) {
    const auto native = find_backend("native")->make_factory(BackendOptions{})->make();
    auto* table = dynamic_cast<RegionTableTarget*>(native.get());
    ASSERT_NE(table, nullptr) << "`native` is not a RegionTableTarget";
    const DifferentialRun run = run_random_sequence(*table, seed, operations(), [&](const ReferenceModel& model) {
      return os_agrees(*table, model);
    });
    ASSERT_EQ(run.failure, "");
    for (const auto& [what, count] : run.tally) totals[what] += count;
    reservations += run.reservations;
  }
  // Every kind of op must have succeeded and failed, or the run proves little.
  for (const char* must : {"alloc S_OK", "alloc failed", "free S_OK", "free failed", "free_foreign failed",
                           "write S_OK", "write failed", "read S_OK", "read failed"})
    EXPECT_GT(totals[must], 0) << "never reached: " << must;
  EXPECT_GT(reservations, operations() / 20);
  std::cout << "outcomes over " << seeds().size() << " seed(s) x " << operations() << " ops (" << reservations
            << " reservations):\n";
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
