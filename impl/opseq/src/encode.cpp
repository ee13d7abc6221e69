// encode.cpp - the binary encoder: Sequence -> bytes, the exact inverse of decode().
//
// encode() accepts exactly the canonical sequences (see canonical() in opseq.hpp) of at most
// kMaxOps ops and throws std::invalid_argument, naming the op and the field, for anything
// else; it never clamps silently. Every field value of a canonical op is encodable (the
// escapes reach the full range), and the encoder picks one fixed encoding per value (the
// "encoder's choice" rules of FORMAT.md), so encode(decode(b)) is a normal form of b.
#include <stdexcept>
#include <string>

#include "tables.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/opseq.hpp"
#include "wire.hpp"

namespace vmc::opseq {
namespace {

using detail::Writer;

void write_addr(Writer& w, const AddrRef& a) {
  const auto kind = static_cast<std::uint8_t>(a.kind);
  if (a.index < detail::kIndexEscape) {
    w.u8(static_cast<std::uint8_t>(kind | (a.index << 2)));
  } else {
    w.u8(static_cast<std::uint8_t>(kind | (detail::kIndexEscape << 2)));
    w.u8(a.index);
  }
  w.sv(a.page);
  w.sv(a.offset);
}

void write_op(Writer& w, const Op& op) {
  w.u8(static_cast<std::uint8_t>(op.kind));
  switch (op.kind) {
    case OpKind::alloc:
      write_addr(w, op.addr);
      w.size(op.size, false);
      w.table(detail::kAllocTypes, op.type);
      w.table(detail::kProtections, op.protect);
      break;
    case OpKind::free:
      write_addr(w, op.addr);
      w.size(op.free_size, true);
      w.table(detail::kFreeTypes, op.type);
      break;
    case OpKind::write:
      write_addr(w, op.addr);
      w.size(op.length, false);
      w.u8(op.pattern);
      break;
    case OpKind::read:
      write_addr(w, op.addr);
      w.size(op.length, false);
      break;
    case OpKind::free_foreign:
      w.u8(op.addr.index);
      w.sv(op.addr.offset);
      w.size(op.free_size, true);
      w.table(detail::kFreeTypes, op.type);
      break;
    case OpKind::inject_fault:
      w.table(detail::kFaults, static_cast<std::uint32_t>(op.fault));
      break;
  }
}

/// Why `op` is not canonical, as "field: reason"; empty if it is.
std::string problem(const Op& op) {
  if (static_cast<std::uint8_t>(op.kind) >= kOpKindCount)
    return "kind: value " + std::to_string(static_cast<unsigned>(op.kind)) + " is not an OpKind";
  if (static_cast<std::uint8_t>(op.addr.kind) > 3)
    return "addr.kind: value " + std::to_string(static_cast<unsigned>(op.addr.kind)) +
           " is not an AddrRef::Kind";
  const Op c = canonical(op);
  if (op.length != c.length)
    return "length: " + hex(op.length) + " exceeds kMaxLength " + hex(kMaxLength);
  if (op.kind == OpKind::free_foreign && op.addr.kind != AddrRef::Kind::foreign)
    return "addr: a free_foreign address must be of kind foreign";
  if (op.addr != c.addr) return "addr: index/page must be 0 where the address kind ignores them";
  if (op.size != c.size) return "size: only alloc uses it, must be 0";
  if (op.free_size != c.free_size) return "free_size: only free and free_foreign use it, must be 0";
  if (op.type != c.type) return "type: not used by this op kind, must be 0";
  if (op.protect != c.protect) return "protect: only alloc uses it, must be 0";
  if (op.pattern != c.pattern) return "pattern: only write uses it, must be 0";
  if (op.fault != c.fault) return "fault: only inject_fault uses it, must be 0";
  return {};
}

}  // namespace

std::vector<std::uint8_t> encode(const Sequence& s) {
  if (s.size() > kMaxOps)
    throw std::invalid_argument("opseq::encode: " + std::to_string(s.size()) +
                                " ops, the format holds at most " + std::to_string(kMaxOps));
  std::vector<std::uint8_t> out;
  out.reserve(1 + 8 * s.size());
  out.push_back(kFormatVersion);
  Writer w(out);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::string why = problem(s[i]); !why.empty())
      throw std::invalid_argument("opseq::encode: op " + std::to_string(i) +
                                  " is not canonical: " + why);
    write_op(w, s[i]);
  }
  return out;
}

}  // namespace vmc::opseq
