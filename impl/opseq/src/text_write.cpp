// text_write.cpp - Sequence -> the text form (one op per line, after "vmconform-opseq 1").
//
// The text form is what people read in counterexamples and edit in corpus files. Each line
// prints only the fields its op kind uses, with MEM_*/PAGE_*/HRESULT names where a value has
// them; text_parse.cpp reads exactly this syntax back (grammar in impl/opseq/FORMAT.md).
#include <cstdlib>

#include "names.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

using detail::flags_text;
using detail::number_text;

/// "+0x10" / "-0x1" (magnitude in hex), computed in 64 bits so INT32_MIN is safe.
std::string signed_hex(std::int32_t v) {
  const std::int64_t w = v;
  return (w < 0 ? "-" : "+") + detail::hex_text(static_cast<std::uint64_t>(w < 0 ? -w : w));
}

std::string signed_pages(std::int32_t v) {
  const std::int64_t w = v;
  return (w < 0 ? "-p" : "+p") + std::to_string(w < 0 ? -w : w);
}

}  // namespace

std::string to_text(const AddrRef& a) {
  std::string s;
  const std::string index = std::to_string(a.index);
  bool has_page = false;
  switch (a.kind) {
    case AddrRef::Kind::zero:
      s = "0";
      break;
    case AddrRef::Kind::region:
      s = "r" + index;
      has_page = true;
      break;
    case AddrRef::Kind::region_end:
      s = "end(r" + index + ")";
      has_page = true;
      break;
    case AddrRef::Kind::foreign:
      s = "f" + index;
      break;
    default:
      s = "0";  // not a Kind; canonical() treats it modulo 4, printing cannot guess
      break;
  }
  if (has_page && a.page != 0) s += signed_pages(a.page);
  if (a.offset != 0) s += signed_hex(a.offset);
  return s;
}

std::string to_text(const Op& op) {
  const auto mem = detail::mem_names();
  switch (op.kind) {
    case OpKind::alloc:
      return "alloc " + to_text(op.addr) + " size=" + number_text(op.size) +
             " type=" + flags_text(op.type, mem) +
             " protect=" + flags_text(op.protect, detail::page_names());
    case OpKind::free:
      return "free " + to_text(op.addr) + " size=" + number_text(op.free_size) +
             " type=" + flags_text(op.type, mem);
    case OpKind::write:
      return "write " + to_text(op.addr) + " len=" + number_text(op.length) +
             " pattern=" + number_text(op.pattern);
    case OpKind::read:
      return "read " + to_text(op.addr) + " len=" + number_text(op.length);
    case OpKind::free_foreign: {
      AddrRef f = op.addr;
      f.kind = AddrRef::Kind::foreign;
      // size= is optional for free-foreign and printed only when it is not 0.
      return "free-foreign " + to_text(f) +
             (op.free_size != 0 ? " size=" + number_text(op.free_size) : std::string()) +
             " type=" + flags_text(op.type, mem);
    }
    case OpKind::inject_fault:
      return "inject-fault " + detail::hresult_text(op.fault);
  }
  return "# not an op kind: " + std::to_string(static_cast<unsigned>(op.kind));
}

std::string to_text(const Sequence& s) {
  std::string out = "vmconform-opseq " + std::to_string(kFormatVersion) + "\n";
  for (const Op& op : s) out += to_text(op) + "\n";
  return out;
}

}  // namespace vmc::opseq
