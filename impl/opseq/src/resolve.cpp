// resolve.cpp - turns a relative address (AddrRef) into an address on one backend.
//
// A sequence never contains absolute addresses of the backend it was recorded on: an
// address is "the Nth newest reservation plus pages plus bytes", "its end plus ...", "a
// foreign sample plus bytes" or "0 plus bytes". This file applies those rules (documented in
// impl/opseq/FORMAT.md) with unsigned arithmetic, so every input wraps modulo 2^64 without UB.
#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

std::uint64_t widen(std::int32_t v) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
}

}  // namespace

std::uint64_t resolve(const AddrRef& a, const std::vector<Handle>& handles,
                      const std::vector<ForeignSample>& foreign, std::uint32_t page_size) {
  const std::uint64_t offset = widen(a.offset);
  switch (a.kind) {
    case AddrRef::Kind::zero:
      return offset;
    case AddrRef::Kind::region:
    case AddrRef::Kind::region_end: {
      std::uint64_t base = 0;
      if (!handles.empty()) {
        const Handle& h = handles[handles.size() - 1 - a.index % handles.size()];
        base = h.base;
        if (a.kind == AddrRef::Kind::region_end) base += h.size;
      }
      return base + widen(a.page) * page_size + offset;
    }
    case AddrRef::Kind::foreign: {
      const std::uint64_t base = foreign.empty() ? 0 : foreign[a.index % foreign.size()].address;
      return base + offset;
    }
  }
  return offset;  // an out-of-range Kind value: treated as zero
}

}  // namespace vmc::opseq
