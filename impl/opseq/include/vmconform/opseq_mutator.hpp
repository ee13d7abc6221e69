// opseq_mutator.hpp - structure-aware mutation of op sequences, for the fuzzers' custom mutator.
//
// libFuzzer's byte mutations rarely turn one valid op into another valid op that means something
// next to its neighbours: a bug that needs "commit three pages, write the second, decommit them,
// commit them again" needs several coordinated bytes in several ops at once. These mutations work
// on the decoded Sequence instead: insert an op drawn for its place (region references point at a
// reservation made before it, sizes sit on page boundaries, types and protections come from the
// format's tables or their modifier combinations), delete, duplicate, repeat (up to 71 copies: dozens
// of live reservations) or move ops, nudge one field
// to a neighbouring or boundary value, and append a short "story" of related ops on one
// reservation (make it, fill it, decommit or release it, commit or reuse it), of two reservations
// side by side with a call across their boundary, or of pages filled, decommitted and committed
// again, or a crowd of up to 71
// reservations followed by a call on the oldest. The result is always
// canonical (encode() accepts it) and depends on nothing but its arguments: the same input and seed
// give the same output on every machine. The fuzz targets call it through
// fuzz/fuzz_support.hpp (custom_mutate), which leaves a share of the mutations to libFuzzer's own
// byte mutations and dictionary.
#pragma once

#include <cstdint>

#include "vmconform/opseq.hpp"

namespace vmc::opseq {

/// A mutation of `s`: one to four stacked edits, never more than `max_ops` ops (at most kMaxOps).
/// Deterministic in (s, seed). `page` is the page size the region references count in.
Sequence mutate(const Sequence& s, std::uint64_t seed, std::size_t max_ops = kMaxOps, std::uint32_t page = 0x1000);

/// A prefix of `a` followed by a suffix of `b` (the cut points drawn from `seed`), at most
/// `max_ops` ops. Deterministic in (a, b, seed).
Sequence cross_over(const Sequence& a, const Sequence& b, std::uint64_t seed, std::size_t max_ops = kMaxOps);

}  // namespace vmc::opseq
