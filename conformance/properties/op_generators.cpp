// op_generators.cpp - the state machine's op generators (op_generators.hpp), and random_sequence.
//
// The draws are those the X-MODEL commands made when they were written inline in
// state_machine.cpp, in the same order, so a given RapidCheck seed generates the same commands.
// random_sequence() draws one op per step with rc::gen::exec on its own split of a seeded
// rc::Random, so a sequence does not depend on anything but its seed and length.
#include "vmconform/op_generators.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <vector>

#include "vmconform/constants.hpp"
#include "vmconform/scenario.hpp"

namespace vmc {

opseq::AddrRef gen_region_ref(const OpGenState& s) {
  opseq::AddrRef a;
  a.kind = *rc::gen::weightedOneOf<opseq::AddrRef::Kind>(
      {{6, rc::gen::just(opseq::AddrRef::Kind::region)}, {3, rc::gen::just(opseq::AddrRef::Kind::region_end)}});
  a.index = static_cast<std::uint8_t>(*rc::gen::inRange(0, std::max(1, std::min(s.reservations, 8))));
  a.page = a.kind == opseq::AddrRef::Kind::region ? *rc::gen::weightedOneOf<std::int32_t>(
                                                        {{4, rc::gen::inRange(0, 4)}, {1, rc::gen::inRange(-2, 20)}})
                                                  : *rc::gen::inRange(-2, 1);
  a.offset = *rc::gen::weightedOneOf<std::int32_t>(
      {{4, rc::gen::just(0)}, {3, rc::gen::element(-1, 1, -2, 2)}, {2, rc::gen::inRange(-8, 4096)}});
  return a;
}

opseq::Op gen_alloc_op(const OpGenState& s) {
  opseq::Op op;
  op.kind = opseq::OpKind::alloc;
  const bool explicit_address = *rc::gen::inRange(0, 5) == 0 && s.reservations > 0;
  if (explicit_address) op.addr = gen_region_ref(s);
  op.size = gen_size_near_pages(s.page, *rc::gen::weightedOneOf<std::uint32_t>({{5, rc::gen::just(4u)}, {1, rc::gen::just(64u)}}));
  op.type = *rc::gen::weightedOneOf<std::uint32_t>({{6, rc::gen::just(MEM_COMMIT | MEM_RESERVE)},
                                                    {3, rc::gen::just(MEM_RESERVE)},
                                                    {4, rc::gen::just(MEM_COMMIT)},
                                                    {1, rc::gen::just(MEM_RESET)},
                                                    {1, rc::gen::element(0u, MEM_RESET | MEM_COMMIT, 0x12345678u)}});
  op.protect = *rc::gen::weightedOneOf<std::uint32_t>(
      {{8, rc::gen::just(PAGE_READWRITE)},
       {4, rc::gen::element(PAGE_READONLY, PAGE_NOACCESS, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE)},
       {2, rc::gen::element(PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE)},
       {1, rc::gen::element(0u, PAGE_WRITECOPY, 0x12u)}});
  return op;
}

opseq::Op gen_free_op(const OpGenState& s) {
  opseq::Op op;
  op.kind = opseq::OpKind::free;
  op.addr = gen_region_ref(s);
  op.type = *rc::gen::weightedOneOf<std::uint32_t>(
      {{5, rc::gen::just(MEM_RELEASE)}, {5, rc::gen::just(MEM_DECOMMIT)},
       {1, rc::gen::element(0u, MEM_FREE, MEM_RELEASE | MEM_DECOMMIT)}});
  op.free_size = *rc::gen::weightedOneOf<std::uint64_t>(
      {{5, rc::gen::just(std::uint64_t{0})}, {4, rc::gen::inRange<std::uint64_t>(1, 3 * std::uint64_t{s.page})},
       {1, rc::gen::inRange<std::uint64_t>(1, 64 * std::uint64_t{s.page})}});
  return op;
}

opseq::Op gen_foreign_free_op(const OpGenState&) {
  opseq::Op op;
  op.kind = opseq::OpKind::free_foreign;
  op.addr.kind = opseq::AddrRef::Kind::foreign;
  op.addr.index = static_cast<std::uint8_t>(*rc::gen::inRange(0, 4));
  op.addr.offset = *rc::gen::element(0, 16);
  op.type = *rc::gen::element(MEM_RELEASE, MEM_DECOMMIT);
  op.free_size = op.type == MEM_RELEASE ? 0 : 1;
  return op;
}

opseq::Op gen_write_op(const OpGenState& s) {
  opseq::Op op;
  op.kind = opseq::OpKind::write;
  op.addr = gen_region_ref(s);
  op.length = *rc::gen::weightedOneOf<std::uint32_t>(
      {{5, rc::gen::inRange<std::uint32_t>(1, 17)}, {3, rc::gen::inRange<std::uint32_t>(1, 2 * s.page + 2)},
       {1, rc::gen::just(0u)}, {1, rc::gen::inRange<std::uint32_t>(1, 9 * s.page)}});
  op.pattern = static_cast<std::uint8_t>(*rc::gen::inRange(1, 256));
  return op;
}

opseq::Op gen_read_op(const OpGenState& s) {
  opseq::Op op;
  op.kind = opseq::OpKind::read;
  op.addr = gen_region_ref(s);
  op.length = *rc::gen::weightedOneOf<std::uint32_t>(
      {{5, rc::gen::inRange<std::uint32_t>(1, 65)}, {3, rc::gen::inRange<std::uint32_t>(1, 3 * s.page)},
       {1, rc::gen::just(0u)}});
  return op;
}

opseq::Op gen_inject_fault_op(const OpGenState&) {
  opseq::Op op;
  op.kind = opseq::OpKind::inject_fault;
  op.fault = *rc::gen::weightedOneOf<hresult>({{1, rc::gen::just(E_FAIL)},
                                               {9, rc::gen::element(HOST_E_TIMEOUT, HOST_E_NOT_OWNER, HOST_E_ABANDONED)}});
  return op;
}

opseq::Sequence random_sequence(std::uint64_t seed, std::size_t ops, std::uint32_t page) {
  using Draw = opseq::Op (*)(const OpGenState&);
  // The state machine's command list: Alloc, Alloc, Free, ForeignFree, Write, Write, Read, Read, InjectFault.
  static const std::vector<Draw> any = {gen_alloc_op, gen_alloc_op, gen_free_op, gen_foreign_free_op, gen_write_op,
                                        gen_write_op, gen_read_op,  gen_read_op, gen_inject_fault_op};
  static const std::vector<Draw> without_reservation = {gen_alloc_op, gen_alloc_op, gen_foreign_free_op,
                                                        gen_inject_fault_op};
  constexpr int kSize = 100;  // RapidCheck's nominal size: every range at its full width
  OpGenState state;
  state.page = page;
  rc::Random random(seed);
  opseq::Sequence out;
  out.reserve(ops);
  for (std::size_t i = 0; i < ops; ++i) {
    const auto& kinds = state.reservations > 0 ? any : without_reservation;
    const auto op = rc::gen::exec([&] {
      const Draw draw = kinds[*rc::gen::inRange<std::size_t>(0, kinds.size())];
      return draw(state);
    });
    out.push_back(opseq::canonical(op(random.split(), kSize).value()));
    if (out.back().kind == opseq::OpKind::alloc) ++state.reservations;
  }
  return out;
}

}  // namespace vmc
