// native_linearizable_test.cpp - X-LINEARIZABLE on the native backend, built into the native
// tests so that CI runs it under ThreadSanitizer (tools/test.sh, preset tsan): 2 to 8 threads run
// the concurrent workload (conformance/concurrency/workload.hpp) on one native target; every
// recorded history must have a linearization the model accepts, and no thread may hang. Under
// TSan a data race in the native backend's table or copies fails the test as well.
#include <gtest/gtest.h>

#include "vmconform/backend_registry.hpp"
#include "vmconform/workload.hpp"

namespace vmc::test {
namespace {

TEST(NativeThreads, XLinearizableConcurrentHistoriesHaveAModelOrder) {
  RecordProperty("rule", "X-LINEARIZABLE");
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const int threads = 2 + static_cast<int>(seed % 7);
    auto target = find_backend("native")->make_factory(BackendOptions{})->make();
    const concurrency::Workload w =
        concurrency::make_workload(seed, threads, 32, target->page_size(), target->allocation_granularity());
    for (Profile profile : {Profile::documented, Profile::win32}) {
      concurrency::WorkloadOptions options;
      options.check.profile = profile;
      options.check.page_size = target->page_size();
      options.check.granularity = target->allocation_granularity();
      auto fresh = find_backend("native")->make_factory(BackendOptions{})->make();
      const concurrency::WorkloadRun run = concurrency::run_workload(*fresh, w, options);
      ASSERT_FALSE(run.hung) << "workload seed " << seed << ": " << run.hang;
      EXPECT_TRUE(run.failure.empty()) << "workload seed " << seed << ", " << threads << " threads, profile "
                                       << profile_name(profile) << ":\n"
                                       << run.failure;
      EXPECT_GT(run.history.size(), static_cast<std::size_t>(threads * 32));  // setup calls come on top
    }
  }
}

}  // namespace
}  // namespace vmc::test
