// op_generators.hpp - the random operations of the X-MODEL state machine, shared with long runs.
//
// Each gen_*_op function draws one op of the op-sequence format (impl/opseq) the way the
// RapidCheck state machine (conformance/properties/state_machine.cpp) draws its commands: sizes
// near page multiples, region references biased to the newest eight reservations and their ends,
// mostly valid types and protections with a share of invalid ones. They draw with `*rc::gen::...`,
// so they must run inside a RapidCheck generation context (a property or rc::gen::exec).
// random_sequence() strings them into a sequence of any length from a 64-bit seed, outside any
// property, for the long differential runs of bench/ (op-sequence text limits a file to 256 ops;
// a sequence from here may be longer and is only written out once shortened).
#pragma once

#include <cstdint>

#include "vmconform/opseq.hpp"

namespace vmc {

/// What generation needs to know about the sequence so far.
struct OpGenState {
  int reservations = 0;  // alloc ops so far (successful or not): region references point at them
  std::uint32_t page = 0x1000;
};

opseq::AddrRef gen_region_ref(const OpGenState& s);
opseq::Op gen_alloc_op(const OpGenState& s);
/// Free, write and read refer to a reservation: only when s.reservations > 0.
opseq::Op gen_free_op(const OpGenState& s);
opseq::Op gen_foreign_free_op(const OpGenState& s);
opseq::Op gen_write_op(const OpGenState& s);
opseq::Op gen_read_op(const OpGenState& s);
opseq::Op gen_inject_fault_op(const OpGenState& s);

/// `ops` ops, deterministic in `seed`: each op's kind is drawn as the state machine draws its
/// commands (alloc, free, foreign free, write, read and fault injection in the proportions
/// 2:1:1:2:2:1, kinds that need a reservation only once one was asked for), with RapidCheck's
/// full size (100).
opseq::Sequence random_sequence(std::uint64_t seed, std::size_t ops, std::uint32_t page = 0x1000);

}  // namespace vmc
