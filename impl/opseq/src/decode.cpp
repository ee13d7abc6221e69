// decode.cpp - the binary decoder: bytes -> Sequence, total over all byte strings.
//
// The single decoder of format v1 (impl/opseq/FORMAT.md). It never fails and never throws on its
// input: a wrong version gives an empty sequence, missing bytes of a truncated final op read
// as zero, every opcode and table index is reduced modulo its range, lengths are clamped and
// at most kMaxOps ops are decoded. Work and memory are O(min(input, kMaxOps)).
#include <algorithm>

#include "tables.hpp"
#include "vmconform/opseq.hpp"
#include "wire.hpp"

namespace vmc::opseq {
namespace {

using detail::Reader;

AddrRef read_addr(Reader& r) {
  const std::uint8_t head = r.u8();
  std::uint8_t index = static_cast<std::uint8_t>(head >> 2);
  if (index == detail::kIndexEscape) index = r.u8();
  AddrRef a;
  a.kind = static_cast<AddrRef::Kind>(head & 3u);
  a.index = index;
  a.page = r.sv();
  a.offset = r.sv();
  return canonical(a);  // drops the index/page bytes the kind does not use
}

std::uint32_t read_length(Reader& r) {
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(static_cast<std::uint32_t>(r.size(false)), kMaxLength));
}

Op read_op(Reader& r) {
  Op op;
  op.kind = static_cast<OpKind>(r.u8() % kOpKindCount);
  switch (op.kind) {
    case OpKind::alloc:
      op.addr = read_addr(r);
      op.size = static_cast<std::uint32_t>(r.size(false));
      op.type = r.table(detail::kAllocTypes);
      op.protect = r.table(detail::kProtections);
      break;
    case OpKind::free:
      op.addr = read_addr(r);
      op.free_size = r.size(true);
      op.type = r.table(detail::kFreeTypes);
      break;
    case OpKind::write:
      op.addr = read_addr(r);
      op.length = read_length(r);
      op.pattern = r.u8();
      break;
    case OpKind::read:
      op.addr = read_addr(r);
      op.length = read_length(r);
      break;
    case OpKind::free_foreign:
      op.addr.kind = AddrRef::Kind::foreign;
      op.addr.index = r.u8();
      op.addr.offset = r.sv();
      op.free_size = r.size(true);
      op.type = r.table(detail::kFreeTypes);
      break;
    case OpKind::inject_fault:
      op.fault = static_cast<std::int32_t>(r.table(detail::kFaults));
      break;
  }
  return op;
}

}  // namespace

Sequence decode(std::span<const std::uint8_t> bytes, std::size_t& used) {
  Sequence s;
  used = bytes.empty() ? 0 : 1;
  if (bytes.empty() || bytes[0] != kFormatVersion) return s;
  Reader r(bytes.subspan(1));
  s.reserve(std::min<std::size_t>(kMaxOps, bytes.size()));  // every op takes at least one byte
  while (!r.at_end() && s.size() < kMaxOps) s.push_back(read_op(r));
  used = 1 + r.position();
  return s;
}

Sequence decode(std::span<const std::uint8_t> bytes) {
  std::size_t used = 0;
  return decode(bytes, used);
}

}  // namespace vmc::opseq
