// workload.hpp - the concurrent workload of X-LINEARIZABLE: what each thread calls, and one run
// of it on a target, recorded and judged.
//
// A few reservations are made and filled first, by one thread (the setup); then 2 to 8 threads
// call the target at once. Most calls are writes and reads of the shared reservations that start
// just before a page boundary and cross it, so that a write that is not all-or-nothing under
// concurrency (torn: half old, half new bytes) shows in a racing read; every writer writes its
// own recognisable pattern. Threads also decommit and commit shared pages, allocate, use and
// release reservations of their own, and free memory the host never allocated. No host faults
// and no MEM_RESET (decision D-LINEARIZABLE). Everything is drawn from one seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vmconform/history.hpp"
#include "vmconform/linearizability.hpp"

namespace vmc::concurrency {

struct Workload {
  std::vector<opseq::Op> setup;                // run first, by one thread
  std::vector<std::vector<opseq::Op>> threads;  // then these, one list per thread, all at once
};

/// `threads` threads of `ops` calls each, for a target with this page size and granularity.
Workload make_workload(std::uint64_t seed, int threads, int ops, std::uint32_t page, std::uint32_t granularity);

struct WorkloadRun {
  History history;  // setup calls (thread -1) then the threads'
  bool hung = false;
  std::string hang;
  Verdict verdict;
  /// When not linearizable: the smallest failing group found, printed per thread, with why.
  std::string failure;
  double record_seconds = 0, check_seconds = 0;
};

struct WorkloadOptions {
  CheckOptions check;
  std::chrono::milliseconds deadline{10000};  // a thread still inside the target after it: a hang
  bool minimise = true;
};

/// Runs the workload on `target` (fresh), checks the history and, if it is not linearizable,
/// minimises the first failing group.
WorkloadRun run_workload(Target& target, const Workload& w, const WorkloadOptions& options);

}  // namespace vmc::concurrency
