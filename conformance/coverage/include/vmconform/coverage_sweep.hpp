// coverage_sweep.hpp - an op sequence that reaches every reachable cell of the coverage table.
//
// Random generation reaches the common cells often and the rare ones (a commit with
// PAGE_EXECUTE_READ|PAGE_WRITECOMBINE at an explicit address, a write running from one
// reservation into the adjacent one) seldom or never. The sweep is a list of small blocks, one or
// a few per cell, each making and releasing its own reservations; the seed shuffles the blocks
// and picks their sizes, offsets and patterns, so every seed reaches every cell in another order
// and shape. Every address is relative (the op-sequence format), so the sweep means the same on
// every backend; a block whose setup a backend refuses (an explicit reservation where its address
// space is taken) only reaches fewer cells, which the tracker reports as unreachable. The block
// that makes the host unusable (E_FAIL) always comes last.
#pragma once

#include <cstdint>
#include <vector>

#include "vmconform/opseq.hpp"

namespace vmc::coverage {

/// The sweep for a target with this page size and allocation granularity.
opseq::Sequence sweep(std::uint64_t seed, std::uint32_t page, std::uint32_t granularity);

/// The same blocks, one sequence each, in the seed's order; the E_FAIL block is the last. Each is
/// at most opseq::kMaxOps ops (the fuzz seeds are the blocks, packed into files).
std::vector<opseq::Sequence> sweep_blocks(std::uint64_t seed, std::uint32_t page, std::uint32_t granularity);

/// The sweep's blocks mixed into `random` (each block kept whole, at seed-chosen places), so one
/// long sequence has both the random ops' variety and the sweep's reach. The blocks go before the
/// random ops' first E_FAIL injection (after it every VirtualFree fails) and the sweep's own E_FAIL
/// block goes last.
opseq::Sequence interleave(std::uint64_t seed, const opseq::Sequence& random, std::uint32_t page,
                           std::uint32_t granularity);

}  // namespace vmc::coverage
