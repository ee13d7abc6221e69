// linearizability.hpp - does a history of concurrent calls have an order the model accepts?
//
// The check of X-LINEARIZABLE (decision D-LINEARIZABLE), in the style of Wing & Gong's search with
// Lowe's memoisation, as Porcupine does: look for an order of the calls, consistent with their
// real-time order, in which each call, replayed through the differential checker against the
// reference model (pages not read back: only what the calls returned is judged), is accepted with
// the choices the profile allows. Calls on disjoint reservations commute, so the history is first
// cut into groups whose (granule-rounded) ranges overlap, and each group is searched on its own.
// The search is bounded; a group that exceeds the bound is inconclusive, never a pass or a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/history.hpp"

namespace vmc::concurrency {

struct CheckOptions {
  Profile profile = Profile::win32;
  std::uint32_t page_size = 0x1000;
  std::uint32_t granularity = 0x10000;
  std::size_t node_budget = 200000;  // per group: search nodes before the group is inconclusive
  bool partition = true;             // false: the whole history as one group (for the benchmark)
};

struct GroupVerdict {
  enum class Kind { linearizable, not_linearizable, inconclusive };
  Kind kind = Kind::linearizable;
  std::vector<std::size_t> calls;  // indices into the history, by invocation time
  std::size_t nodes = 0;           // search nodes expanded
  /// not_linearizable: the longest order found and what the model said of every call that could
  /// come next; inconclusive: the bound.
  std::string why;
};

struct Verdict {
  std::vector<GroupVerdict> groups;
  std::size_t nodes = 0;
  bool linearizable() const;  // no group is not_linearizable (inconclusive groups aside)
  std::size_t inconclusive() const;
  const GroupVerdict* first_failure() const;
};

/// The groups of calls whose ranges overlap once rounded out to the granularity, each by
/// invocation time; every call is in exactly one group.
std::vector<std::vector<std::size_t>> partition(const History& h, std::uint32_t page_size, std::uint32_t granularity);

/// Checks every group (or the whole history, with partition = false).
Verdict check(const History& h, const CheckOptions& options);
/// Checks the calls `group` of `h` as one group.
GroupVerdict check_group(const History& h, const std::vector<std::size_t>& group, const CheckOptions& options);

/// The fewest calls of a non-linearizable group found by removing calls one at a time while the
/// rest stays (conclusively) not linearizable: the history to print. Only calls that changed
/// nothing (reads, failed calls) are removed, so every state the rest relies on is still made.
History minimise(const History& h, const std::vector<std::size_t>& group, const CheckOptions& options);

}  // namespace vmc::concurrency
