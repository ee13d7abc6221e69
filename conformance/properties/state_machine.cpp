// state_machine.cpp - X-MODEL: random operation sequences on the backend are indistinguishable
// from the same sequences on the reference model (RapidCheck rc::state).
//
// The rc::state model only tracks what generation needs (how many reservations the sequence
// has asked for, so that region references point at real ones); the system under test is a
// Differential (backend + reference model side by side), which compares every status,
// out-parameter and byte read. Each command is one op of the shared op-sequence format and
// shows itself in its text form, so a counterexample is a ready-to-replay sequence. The ops are
// drawn by the shared generators of op_generators.hpp (also used by the long differential runs).
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "vmconform/differential.hpp"
#include "vmconform/op_generators.hpp"
#include "vmconform/property.hpp"

namespace vmc {
namespace {

struct SmModel {
  int reservations = 0;  // allocations asked for so far (successful or not)
  std::uint32_t page = 0x1000;
};
using SmCommand = rc::state::Command<SmModel, Differential>;

OpGenState gen_state(const SmModel& m) { return OpGenState{m.reservations, m.page}; }

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
  explicit Alloc(const SmModel& m) { op = gen_alloc_op(gen_state(m)); }
  void apply(SmModel& m) const override { ++m.reservations; }
};

struct Free : OpCommand {
  explicit Free(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op = gen_free_op(gen_state(m));
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct ForeignFree : OpCommand {
  explicit ForeignFree(const SmModel& m) { op = gen_foreign_free_op(gen_state(m)); }
};

struct Write : OpCommand {
  explicit Write(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op = gen_write_op(gen_state(m));
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct Read : OpCommand {
  explicit Read(const SmModel& m) {
    RC_PRE(m.reservations > 0);
    op = gen_read_op(gen_state(m));
  }
  void checkPreconditions(const SmModel& m) const override { RC_PRE(m.reservations > 0); }
};

struct InjectFault : OpCommand {
  explicit InjectFault(const SmModel& m) { op = gen_inject_fault_op(gen_state(m)); }
};

}  // namespace

VMC_MODEL_PROPERTY("X-MODEL", XModelRandomSequencesMatchTheModel,
                   "random sequences of every operation match the reference model step by step") {
  Differential sut(env.target, env.profile);
  coverage::Tracker tracker(*env.coverage);
  sut.track_coverage(&tracker);
  SmModel initial;
  initial.page = env.page;
  rc::state::check(initial, sut,
                   rc::state::gen::execOneOfWithArgs<Alloc, Alloc, Free, ForeignFree, Write, Write, Read, Read,
                                                     InjectFault>());
  if (auto d = sut.final_check()) RC_FAIL("[" + d->rule + "] " + d->message);
  RC_CLASSIFY(sut.handles().size() >= 4, "4 or more reservations");
}

}  // namespace vmc
