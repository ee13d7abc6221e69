// history.hpp - a history of concurrent calls on one target, and how to record one.
//
// X-LINEARIZABLE (spec/rules.json) asks whether the calls several threads made on one target
// could have happened one at a time, in an order consistent with their real-time order, on the
// reference model. A history is what the threads saw: for every call, the thread, the op, the
// address it resolved to, when it was invoked and when it returned (a monotonic clock), the status,
// the out-parameter and the bytes a read returned. `record` runs per-thread op lists on a target
// from several threads at once and returns the history; linearizability.hpp judges it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vmconform/opseq.hpp"
#include "vmconform/target.hpp"

namespace vmc::concurrency {

struct Call {
  int thread = 0;
  opseq::Op op;               // what was asked; its AddrRef was resolved to `address` when it ran
  std::uint64_t address = 0;
  std::uint64_t invoked = 0;  // nanoseconds on a monotonic clock (steady_clock), comparable across recordings
  std::uint64_t returned = 0;
  hresult hr = 0;
  std::uint64_t out = 0;              // *pAllocatedAddress (alloc) or *pBytesRead (read)
  std::vector<std::uint8_t> data;     // read: the bytes returned (the first `out` of them)
  /// "t2 write 0x7f0000001ff0 len=0x20 pattern=0x41 -> S_OK [1200 ns .. 3400 ns]"
  std::string show() const;
};
using History = std::vector<Call>;

/// Prints a history one thread per column block: every thread's calls in its own order, with times.
std::string show_by_thread(const History& h);

struct RecordOptions {
  /// How long the threads may run before the history is declared hung (a deadlocked target).
  std::chrono::milliseconds deadline{10000};
};

struct Recording {
  History history;
  bool hung = false;  // a thread did not finish before the deadline (its calls are cut)
  std::string hang;   // which thread, in which call
};

/// Runs `per_thread[i]` on `target` from thread i, all threads released at once. A region
/// reference (region / region_end) names a reservation by its index: below 64, the shared
/// reservations oldest first (`setup`, then every reservation any thread made, so threads work on
/// each other's memory); 64 to 127, the same newest first (64 = the newest any thread made); 128
/// and above, the calling thread's own, newest first. The index wraps when fewer exist; with none
/// the base is 0.
/// When the threads do not finish before the deadline the recording is cut and marked hung; the
/// threads and the target are then left behind (they may never return), so the caller must keep
/// the target alive: it is not destroyed here.
Recording record(Target& target, const std::vector<opseq::Handle>& setup,
                 const std::vector<std::vector<opseq::Op>>& per_thread, const RecordOptions& options = {});

}  // namespace vmc::concurrency
