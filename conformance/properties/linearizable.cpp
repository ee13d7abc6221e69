// linearizable.cpp - X-LINEARIZABLE: concurrent calls from several threads on one target have an
// order, consistent with their real-time order, that the reference model accepts.
//
// Each case draws 2 to 8 threads and a workload (conformance/concurrency/workload.hpp: writes and
// reads racing across page boundaries of shared reservations, commits, decommits, reservations
// of each thread's own, releases), runs it on a fresh target, records every call's invocation and
// return, and searches for a linearization (linearizability.hpp). A history with no linearization
// fails the case with the smallest failing group of calls printed per thread and the seed; a
// target whose threads do not finish in time fails it as a hang (the target is then left alone:
// threads may still be inside it). Groups whose search hits its bound are counted as
// inconclusive in the distribution, never passed silently.
#include <rapidcheck.h>

#include "vmconform/property.hpp"
#include "vmconform/workload.hpp"

namespace vmc {

VMC_LONG_MODEL_PROPERTY("X-LINEARIZABLE", XLinearizableConcurrentCallsHaveAModelOrder,
                        "2 to 8 threads calling one target at once: some real-time order of their calls is accepted "
                        "by the reference model",
                        12) {
  const std::uint64_t seed = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::arbitrary<std::uint64_t>()));
  const int threads = *rc::gen::noShrink(rc::gen::resize(100, rc::gen::inRange(2, 9)));
  const int ops = 32;
  const concurrency::Workload w = concurrency::make_workload(seed, threads, ops, env.page, env.granularity);
  concurrency::WorkloadOptions options;
  options.check.profile = env.profile;
  options.check.page_size = env.page;
  options.check.granularity = env.granularity;
  const concurrency::WorkloadRun run = concurrency::run_workload(env.target, w, options);
  RC_TAG(std::to_string(threads) + " threads");
  if (run.hung) {
    if (env.abandon_target) env.abandon_target();
    RC_FAIL("[X-LINEARIZABLE] hang: the target's calls did not all return within " +
            std::to_string(options.deadline.count()) + " ms (" + run.hang + "); workload seed " + std::to_string(seed) +
            ", " + std::to_string(threads) + " threads");
  }
  if (const std::size_t n = run.verdict.inconclusive(); n > 0)
    RC_CLASSIFY(true, "a group of calls too large to search (inconclusive)");
  if (!run.failure.empty())
    RC_FAIL("[X-LINEARIZABLE] " + run.failure + "\nworkload seed " + std::to_string(seed) + ", " +
            std::to_string(threads) + " threads x " + std::to_string(ops) + " calls");
}

}  // namespace vmc
