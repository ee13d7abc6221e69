// canonical.cpp - the canonical form of an op: the set of ops the binary format can carry.
//
// Each op kind uses only some of Op's fields; the canonical op keeps those and zeroes the
// rest, clamps write/read lengths to kMaxLength and reduces out-of-range enum values the way
// the decoder reduces opcode bytes. decode() produces only canonical ops and encode() accepts
// only canonical ops, which is what makes decode(encode(s)) == s exact.
#include <algorithm>

#include "vmconform/opseq.hpp"

namespace vmc::opseq {

AddrRef canonical(const AddrRef& a) {
  AddrRef c;
  c.kind = static_cast<AddrRef::Kind>(static_cast<std::uint8_t>(a.kind) & 3u);
  c.offset = a.offset;
  switch (c.kind) {
    case AddrRef::Kind::zero:
      break;
    case AddrRef::Kind::region:
    case AddrRef::Kind::region_end:
      c.index = a.index;
      c.page = a.page;
      break;
    case AddrRef::Kind::foreign:
      c.index = a.index;
      break;
  }
  return c;
}

Op canonical(const Op& op) {
  Op c;
  c.kind = static_cast<OpKind>(static_cast<std::uint8_t>(op.kind) % kOpKindCount);
  switch (c.kind) {
    case OpKind::alloc:
      c.addr = canonical(op.addr);
      c.size = op.size;
      c.type = op.type;
      c.protect = op.protect;
      break;
    case OpKind::free:
      c.addr = canonical(op.addr);
      c.free_size = op.free_size;
      c.type = op.type;
      break;
    case OpKind::write:
      c.addr = canonical(op.addr);
      c.length = std::min(op.length, kMaxLength);
      c.pattern = op.pattern;
      break;
    case OpKind::read:
      c.addr = canonical(op.addr);
      c.length = std::min(op.length, kMaxLength);
      break;
    case OpKind::free_foreign:
      c.addr.kind = AddrRef::Kind::foreign;
      c.addr.index = op.addr.index;
      c.addr.offset = op.addr.offset;
      c.free_size = op.free_size;
      c.type = op.type;
      break;
    case OpKind::inject_fault:
      c.fault = op.fault;
      break;
  }
  return c;
}

}  // namespace vmc::opseq
