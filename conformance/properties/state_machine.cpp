// state_machine.cpp - X-MODEL: random operation sequences on the backend are indistinguishable
// from the same sequences on the reference model (RapidCheck rc::state).
//
// The rc::state model only tracks what generation needs (how many reservations the sequence
// has asked for, so that region references point at real ones); the system under test is a
// Differential (backend + reference model side by side), which compares every status,
// out-parameter and byte read. Each command is one op of the shared op-sequence format and
// shows itself in its text form, so a counterexample is a ready-to-replay sequence.
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "vmconform/differential.hpp"
#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

struct SmModel {
  int reservations = 0;  // allocations asked for so far (successful or not)
  std::uint32_t page = 0x1000;
};
using SmCommand = rc::state::Command<SmModel, Differential>;

opseq::AddrRef gen_region_ref(const SmModel& m) {
  opseq::AddrRef a;
  a.kind = *rc::gen::weightedOneOf<opseq::AddrRef::Kind>(
      {{6, rc::gen::just(opseq::AddrRef::Kind::region)}, {3, rc::gen::just(opseq::AddrRef::Kind::region_end)}});
  a.index = static_cast<std::uint8_t>(*rc::gen::inRange(0, std::max(1, std::min(m.reservations, 8))));
  a.page = a.kind == opseq::AddrRef::Kind::region ? *rc::gen::weightedOneOf<std::int32_t>(
                                                        {{4, rc::gen::inRange(0, 4)}, {1, rc::gen::inRange(-2, 20)}})
                                                  : *rc::gen::inRange(-2, 1);
  a.offset = *rc::gen::weightedOneOf<std::int32_t>(
      {{4, rc::gen::just(0)}, {3, rc::gen::element(-1, 1, -2, 2)}, {2, rc::gen::inRange(-8, 4096)}});
  return a;
}

struct OpCommand : SmCommand {
  opseq::Op op;
  void run(const SmModel& m, Differential& sut) const override {
    classify(m);
    if (auto d = sut.step(op)) RC_FAIL("[" + d->rule + "] " + d->message);
  }
  /// Labels the interesting cases, so the run reports how often each one was reached.
  void classify(const SmModel& m) const {
    using K = opseq::AddrRef::Kind;
    const bool near_end = op.addr.kind == K::region_end && op.addr.page >= -1;
    switch (op.kind) {
      case opseq::OpKind::write:
        RC_CLASSIFY((op.addr.offset % static_cast<std::int32_t>(m.page) + static_cast<std::int64_t>(op.length)) >
                        static_cast<std::int64_t>(m.page),
                    "write straddling a page boundary");
        RC_CLASSIFY(near_end && op.length > 0, "write at a region end");
        RC_CLASSIFY(op.length == 0, "zero-length write");
        break;
      case opseq::OpKind::free:
        RC_CLASSIFY(op.addr.kind == K::region && (op.addr.page > 0 || op.addr.offset > 0) && op.type == MEM_RELEASE,
                    "interior release");
        RC_CLASSIFY(op.type == MEM_DECOMMIT, "decommit");
        RC_CLASSIFY(op.type == MEM_RELEASE && op.free_size != 0, "release with a size");
        break;
      case opseq::OpKind::free_foreign: RC_CLASSIFY(true, "foreign free"); break;
      case opseq::OpKind::alloc:
        RC_CLASSIFY(op.size % m.page != 0, "size not a page multiple");
        RC_CLASSIFY(op.addr.kind != K::zero && op.type == MEM_COMMIT, "commit at an explicit address");
        break;
      case opseq::OpKind::read: RC_CLASSIFY(near_end, "read at a region end"); break;
      case opseq::OpKind::inject_fault: RC_CLASSIFY(op.fault == E_FAIL, "injected E_FAIL"); break;
    }
  }
  void show(std::ostream& os) const override { os << opseq::to_text(op); }
};

struct Alloc : OpCommand {
  explicit Alloc(const SmModel& m) {
    op.kind = opseq::OpKind::alloc;
    const bool explicit_address = *rc::gen::inRange(0, 5) == 0 && m.reservations > 0;
    if (explicit_address) op.addr = gen_region_ref(m);
    op.size = gen_size_near_pages(m.page, *rc::gen::weightedOneOf<std::uint32_t>({{5, rc::gen::just(4u)}, {1, rc::gen::just(64u)}}));
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
  }
  void apply(SmModel& m) const override { ++m.reservations; }
};

struct Free : OpCommand {
  explicit Free(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op.kind = opseq::OpKind::free;
    op.addr = gen_region_ref(m);
    op.type = *rc::gen::weightedOneOf<std::uint32_t>(
        {{5, rc::gen::just(MEM_RELEASE)}, {5, rc::gen::just(MEM_DECOMMIT)},
         {1, rc::gen::element(0u, MEM_FREE, MEM_RELEASE | MEM_DECOMMIT)}});
    op.free_size = *rc::gen::weightedOneOf<std::uint64_t>(
        {{5, rc::gen::just(std::uint64_t{0})}, {4, rc::gen::inRange<std::uint64_t>(1, 3 * std::uint64_t{m.page})},
         {1, rc::gen::inRange<std::uint64_t>(1, 64 * std::uint64_t{m.page})}});
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct ForeignFree : OpCommand {
  explicit ForeignFree(const SmModel&) {
    op.kind = opseq::OpKind::free_foreign;
    op.addr.kind = opseq::AddrRef::Kind::foreign;
    op.addr.index = static_cast<std::uint8_t>(*rc::gen::inRange(0, 4));
    op.addr.offset = *rc::gen::element(0, 16);
    op.type = *rc::gen::element(MEM_RELEASE, MEM_DECOMMIT);
    op.free_size = op.type == MEM_RELEASE ? 0 : 1;
  }
};

struct Write : OpCommand {
  explicit Write(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op.kind = opseq::OpKind::write;
    op.addr = gen_region_ref(m);
    op.length = *rc::gen::weightedOneOf<std::uint32_t>(
        {{5, rc::gen::inRange<std::uint32_t>(1, 17)}, {3, rc::gen::inRange<std::uint32_t>(1, 2 * m.page + 2)},
         {1, rc::gen::just(0u)}, {1, rc::gen::inRange<std::uint32_t>(1, 9 * m.page)}});
    op.pattern = static_cast<std::uint8_t>(*rc::gen::inRange(1, 256));
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct Read : OpCommand {
  explicit Read(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op.kind = opseq::OpKind::read;
    op.addr = gen_region_ref(m);
    op.length = *rc::gen::weightedOneOf<std::uint32_t>(
        {{5, rc::gen::inRange<std::uint32_t>(1, 65)}, {3, rc::gen::inRange<std::uint32_t>(1, 3 * m.page)},
         {1, rc::gen::just(0u)}});
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct InjectFault : OpCommand {
  explicit InjectFault(const SmModel&) {
    op.kind = opseq::OpKind::inject_fault;
    op.fault = *rc::gen::weightedOneOf<hresult>({{1, rc::gen::just(E_FAIL)},
                                                 {9, rc::gen::element(HOST_E_TIMEOUT, HOST_E_NOT_OWNER, HOST_E_ABANDONED)}});
  }
};

}  // namespace

VMC_PROPERTY("X-MODEL", XModelRandomSequencesMatchTheModel,
             "random sequences of every operation match the reference model step by step") {
  Differential sut(env.target, env.profile);
  SmModel initial;
  initial.page = env.page;
  rc::state::check(initial, sut,
                   rc::state::gen::execOneOfWithArgs<Alloc, Alloc, Free, ForeignFree, Write, Write, Read, Read,
                                                     InjectFault>());
  if (auto d = sut.final_check()) RC_FAIL("[" + d->rule + "] " + d->message);
  RC_CLASSIFY(sut.handles().size() >= 4, "4 or more reservations");
}

}  // namespace vmc
