// mutator.cpp - structure-aware mutation of op sequences (opseq_mutator.hpp).
//
// Every draw goes through one SplitMix64 seeded by the caller, so a mutation depends only on its
// input and seed. An op is drawn for its place in the sequence: the number of alloc ops before it
// bounds the region indexes it uses (index 0 is the newest reservation, the one most often meant),
// page offsets stay near the reservations' sizes, and byte counts sit on, just below or just above
// page multiples (the boundaries where implementations go wrong). Types and protections come from
// the format's tables (tables.hpp) or from a valid base value combined with one modifier, so the
// rare combinations of the coverage table are one draw away. Stories are short runs of related
// ops: a general one about one reservation, one about two reservations side by side with calls
// across their boundary, and one about decommitted pages committed again; each bug class that
// needs several coordinated ops has a story that makes them together.
#include "vmconform/opseq_mutator.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "tables.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/splitmix64.hpp"

namespace vmc::opseq {
namespace {

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_{seed} {}
  std::uint64_t below(std::uint64_t n) { return rng_.below(n); }
  /// True once in `n` draws.
  bool one_in(std::uint64_t n) { return rng_.below(n) == 0; }
  template <class T, std::size_t N>
  T pick(const std::array<T, N>& values) {
    return values[rng_.below(N)];
  }
  /// An index into `weights`, drawn in proportion to them.
  template <std::size_t N>
  std::size_t weighted(const std::array<unsigned, N>& weights) {
    unsigned total = 0;
    for (unsigned w : weights) total += w;
    std::uint64_t x = rng_.below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return N - 1;
  }

 private:
  SplitMix64 rng_;
};

/// A write's pattern: never 0 (all-zero bytes would hide a page that kept or lost its bytes).
std::uint8_t draw_pattern(Draw& d) { return static_cast<std::uint8_t>(1 + d.below(255)); }

/// Alloc ops before position `at`: the reservations a region reference there can mean.
int allocs_before(const Sequence& s, std::size_t at) {
  int n = 0;
  for (std::size_t i = 0; i < at && i < s.size(); ++i) n += s[i].kind == OpKind::alloc ? 1 : 0;
  return n;
}

/// Mostly the newest reservations; sometimes the oldest, or any (a reservation made long ago,
/// under dozens of newer ones, is where a host's table of reservations overflows).
std::uint8_t draw_index(Draw& d, int allocs) {
  if (allocs <= 1) return 0;
  const int reachable = std::min(allocs, 256);  // an index is one byte
  switch (d.weighted(std::array<unsigned, 5>{10, 6, 4, 1, 1})) {
    case 0: return 0;
    case 1: return 1;
    case 2: return static_cast<std::uint8_t>(d.below(static_cast<std::uint64_t>(std::min(allocs, 8))));
    case 3: return static_cast<std::uint8_t>(reachable - 1);
    default: return static_cast<std::uint8_t>(d.below(static_cast<std::uint64_t>(reachable)));
  }
}

std::int32_t draw_offset(Draw& d, std::uint32_t page) {
  switch (d.weighted(std::array<unsigned, 4>{6, 3, 1, 1})) {
    case 0: return 0;
    case 1: return d.pick(std::array<std::int32_t, 4>{-1, 1, -2, 2});
    case 2: return -static_cast<std::int32_t>(d.below(32)) - 1;  // just before: a range that ends inside
    default: return static_cast<std::int32_t>(d.below(page));
  }
}

AddrRef draw_region_ref(Draw& d, int allocs, std::uint32_t page) {
  AddrRef a;
  a.kind = d.one_in(4) ? AddrRef::Kind::region_end : AddrRef::Kind::region;
  a.index = draw_index(d, allocs);
  if (a.kind == AddrRef::Kind::region)
    a.page = d.one_in(6) ? static_cast<std::int32_t>(d.below(20)) - 1 : static_cast<std::int32_t>(d.below(4));
  else
    a.page = d.pick(std::array<std::int32_t, 5>{0, 0, -1, -1, -2});
  a.offset = draw_offset(d, page);
  return a;
}

/// A page count: mostly a few pages, sometimes about an allocation granularity (16 pages of 4 KiB).
std::uint64_t draw_pages(Draw& d) {
  switch (d.weighted(std::array<unsigned, 3>{8, 2, 1})) {
    case 0: return 1 + d.below(4);
    case 1: return d.pick(std::array<std::uint64_t, 4>{15, 16, 17, 32});
    default: return 1 + d.below(64);
  }
}

/// Bytes on, just below or just above a page multiple (or anywhere inside the last page).
std::uint64_t draw_size(Draw& d, std::uint32_t page) {
  const std::uint64_t whole = draw_pages(d) * page;
  switch (d.weighted(std::array<unsigned, 3>{6, 3, 1})) {
    case 0: return whole;
    case 1: return d.one_in(2) ? whole - 1 : whole + 1;
    default: return whole - page + 1 + d.below(page);
  }
}

std::uint32_t draw_alloc_type(Draw& d) {
  constexpr std::array<std::uint32_t, 5> kModifiers = {MEM_TOP_DOWN, MEM_WRITE_WATCH, MEM_LARGE_PAGES, MEM_PHYSICAL,
                                                      MEM_RESET_UNDO};
  switch (d.weighted(std::array<unsigned, 6>{6, 3, 4, 1, 1, 1})) {
    case 0: return MEM_COMMIT | MEM_RESERVE;
    case 1: return MEM_RESERVE;
    case 2: return MEM_COMMIT;
    case 3: return MEM_RESET;
    case 4: return d.pick(detail::kAllocTypes);
    default: return d.pick(std::array<std::uint32_t, 3>{MEM_COMMIT | MEM_RESERVE, MEM_RESERVE, MEM_COMMIT}) | d.pick(kModifiers);
  }
}

std::uint32_t draw_protect(Draw& d) {
  constexpr std::array<std::uint32_t, 8> kBases = {PAGE_READONLY,          PAGE_NOACCESS,  PAGE_EXECUTE,
                                                   PAGE_EXECUTE_READ,      PAGE_READWRITE, PAGE_EXECUTE_READWRITE,
                                                   PAGE_WRITECOPY,         PAGE_EXECUTE_WRITECOPY};
  constexpr std::array<std::uint32_t, 3> kModifiers = {PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE};
  switch (d.weighted(std::array<unsigned, 4>{6, 4, 2, 1})) {
    case 0: return PAGE_READWRITE;
    case 1: return d.pick(kBases);
    case 2: return d.pick(kBases) | d.pick(kModifiers);
    default: return d.pick(detail::kProtections);
  }
}

std::uint32_t draw_free_type(Draw& d) {
  switch (d.weighted(std::array<unsigned, 4>{8, 8, 1, 2})) {
    case 0: return MEM_RELEASE;
    case 1: return MEM_DECOMMIT;
    case 2: return MEM_RELEASE | MEM_DECOMMIT;  // both: refused, and must change nothing
    default: return d.pick(detail::kFreeTypes);
  }
}

std::uint64_t draw_free_size(Draw& d, std::uint32_t page) {
  switch (d.weighted(std::array<unsigned, 3>{4, 5, 1})) {
    case 0: return 0;
    case 1: return draw_size(d, page);
    default: return 1 + d.below(3 * std::uint64_t{page});
  }
}

/// A write or read length: a few bytes, about a page, or two or three pages (the fuzz targets skip
/// an input that moves more than 16 KiB in all, fuzz_support.hpp, so lengths stay short).
std::uint32_t draw_length(Draw& d, std::uint32_t page, bool small_first) {
  switch (d.weighted(std::array<unsigned, 4>{small_first ? 5u : 2u, 2, 3, 1})) {
    case 0: return static_cast<std::uint32_t>(1 + d.below(small_first ? 16 : 64));
    case 1: return static_cast<std::uint32_t>(page - 8 + d.below(17));  // about one page
    case 2: return static_cast<std::uint32_t>((2 + d.below(2)) * page + d.below(3)) - 1;  // 2-3 pages, +-1
    default: return 0;
  }
}

Op draw_op(Draw& d, int allocs, std::uint32_t page) {
  Op op;
  // alloc, free, write, read, free_foreign, inject_fault: only alloc and the two that need no
  // reservation before the first alloc.
  const std::size_t k = allocs == 0 ? d.weighted(std::array<unsigned, 6>{6, 0, 0, 0, 1, 1})
                                    : d.weighted(std::array<unsigned, 6>{3, 2, 3, 1, 1, 1});
  op.kind = static_cast<OpKind>(k);
  switch (op.kind) {
    case OpKind::alloc:
      if (allocs > 0 && d.one_in(3)) op.addr = draw_region_ref(d, allocs, page);
      op.size = static_cast<std::uint32_t>(d.one_in(40) ? d.pick(std::array<std::uint64_t, 3>{0, 0xFFFFFFFF, 0x80000000})
                                                        : draw_size(d, page));
      op.type = draw_alloc_type(d);
      op.protect = draw_protect(d);
      break;
    case OpKind::free:
      op.addr = draw_region_ref(d, allocs, page);
      op.free_size = draw_free_size(d, page);
      op.type = draw_free_type(d);
      break;
    case OpKind::write:
      op.addr = draw_region_ref(d, allocs, page);
      op.length = draw_length(d, page, true);
      op.pattern = draw_pattern(d);
      break;
    case OpKind::read:
      op.addr = draw_region_ref(d, allocs, page);
      op.length = draw_length(d, page, false);
      break;
    case OpKind::free_foreign:
      op.addr.kind = AddrRef::Kind::foreign;
      op.addr.index = static_cast<std::uint8_t>(d.below(4));
      op.addr.offset = d.one_in(2) ? 0 : 16;
      op.type = d.one_in(2) ? MEM_RELEASE : MEM_DECOMMIT;
      op.free_size = op.type == MEM_RELEASE ? 0 : 1;
      break;
    case OpKind::inject_fault:
      op.fault = static_cast<std::int32_t>(d.pick(detail::kFaults));
      break;
  }
  return op;
}

/// One call on the pages at `at`: a 16-byte write at `write_at`, a release, a decommit or a commit
/// (with `protect`) of `span` bytes, or a read of them.
Op call_on(Draw& d, const AddrRef& at, const AddrRef& write_at, std::uint64_t span, std::uint32_t protect) {
  Op op;
  op.addr = at;
  switch (d.weighted(std::array<unsigned, 5>{2, 1, 2, 2, 1})) {
    case 0:
      op.kind = OpKind::write;
      op.addr = write_at;
      op.length = 16;
      op.pattern = draw_pattern(d);
      break;
    case 1:
      op.kind = OpKind::free;
      op.type = MEM_RELEASE;
      break;
    case 2:
      op.kind = OpKind::free;
      op.type = MEM_DECOMMIT;
      op.free_size = span;
      break;
    case 3:
      op.kind = OpKind::alloc;
      op.type = MEM_COMMIT;
      op.protect = protect;
      op.size = static_cast<std::uint32_t>(span);
      break;
    default:
      op.kind = OpKind::read;
      op.length = static_cast<std::uint32_t>(span);
      break;
  }
  return op;
}

/// The allocation granularity in pages: 64 KiB, Windows' granularity, which the model and the
/// backends share. A reservation right after another one can only start on it.
std::uint64_t granularity_pages(std::uint32_t page) { return std::max<std::uint64_t>(1, 0x10000 / page); }

AddrRef region_at(std::uint8_t index, std::int32_t p, std::int32_t offset = 0) {
  AddrRef a;
  a.kind = AddrRef::Kind::region;
  a.index = index;
  a.page = p;
  a.offset = offset;
  return a;
}

/// A call from the first reservation's last page into the reservation right after it (region
/// index 1 and 0): a 16-byte write across their boundary, or a release, decommit, commit or read of
/// `span` bytes from that last page.
Op call_across(Draw& d, std::uint64_t span, std::uint32_t protect) {
  AddrRef last_page;
  last_page.kind = AddrRef::Kind::region_end;
  last_page.index = 1;
  last_page.page = -1;
  AddrRef end_minus_8 = last_page;
  end_minus_8.page = 0;
  end_minus_8.offset = -8;
  return call_on(d, last_page, end_minus_8, span, protect);
}

/// A short story about one new reservation: it is made (committed, or reserved and partly
/// committed), then two to four of: filled, decommitted in part, released, committed again (with
/// another protection half the time), read back, followed by a reservation of the same, a smaller
/// or a larger size at address 0, or by one right after its end and then a write, decommit, commit
/// or read running from the first into the second. Region index 0 is the story's reservation until the story makes another.
Sequence draw_story(Draw& d, std::uint32_t page) {
  Sequence out;
  const std::uint64_t pages =
      d.one_in(4) ? d.pick(std::array<std::uint64_t, 3>{15, 16, 17}) : d.one_in(8) ? 1 : 2 + d.below(4);
  const auto at = [](std::int32_t p, std::int32_t offset = 0) { return region_at(0, p, offset); };
  const auto some_page = [&] { return static_cast<std::int32_t>(d.below(pages)); };
  const auto some_pages = [&](std::int32_t from) { return 1 + d.below(pages - static_cast<std::uint64_t>(from)); };
  // The pages the story is about: most fills, decommits and commits fall on them, so that a fill
  // is followed by a decommit and a commit of the same pages far more often than by chance.
  // Several pages when there are several: a call on a range of pages can get the second one wrong.
  const std::int32_t focus = pages > 1 ? static_cast<std::int32_t>(d.below(pages - 1)) : 0;
  const std::uint64_t focus_pages = pages > 1 ? 2 + d.below(pages - static_cast<std::uint64_t>(focus) - 1) : 1;
  const auto page_in_focus = [&] { return focus + static_cast<std::int32_t>(d.below(focus_pages)); };
  // A protection for a commit: half the time another one than PAGE_READWRITE (a commit over
  // committed pages changes their protection and must keep their bytes).
  const auto commit_protect = [&] {
    return d.one_in(2) ? PAGE_READWRITE
                       : d.pick(std::array<std::uint32_t, 6>{PAGE_READONLY, PAGE_EXECUTE_READ, PAGE_NOACCESS, PAGE_EXECUTE,
                                                             PAGE_EXECUTE_READWRITE, PAGE_READWRITE | PAGE_GUARD});
  };
  Op make;
  make.kind = OpKind::alloc;
  make.size = static_cast<std::uint32_t>(pages * page);
  make.protect = d.one_in(4) ? draw_protect(d) : PAGE_READWRITE;
  make.type = d.one_in(3) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE;
  out.push_back(make);
  if (make.type == MEM_RESERVE) {
    Op commit = make;
    commit.type = MEM_COMMIT;
    commit.addr = at(some_page());
    commit.size = static_cast<std::uint32_t>(some_pages(commit.addr.page) * page);
    out.push_back(commit);
  }
  const std::uint64_t steps = 2 + d.below(3);
  bool adjacent = false;  // a reservation right after the story's first one was asked for
  for (std::uint64_t i = 0; i < steps; ++i) {
    Op op;
    switch (d.weighted(std::array<unsigned, 7>{4, 3, 2, 3, 1, 3, adjacent ? 6u : 0u})) {
      case 0:  // fill part of it
        op.kind = OpKind::write;
        op.addr = at(d.one_in(3) ? some_page() : page_in_focus(), static_cast<std::int32_t>(d.below(page)));
        op.length = draw_length(d, page, true);
        op.pattern = draw_pattern(d);
        break;
      case 1:  // decommit some pages
        op.kind = OpKind::free;
        op.type = MEM_DECOMMIT;
        if (d.one_in(3)) {
          op.addr = at(some_page());
          op.free_size = d.one_in(4) ? 0 : some_pages(op.addr.page) * page;
        } else {  // sometimes from inside the first page: the range's last page must go too
          op.addr = at(focus, d.one_in(4) ? static_cast<std::int32_t>(1 + d.below(page - 1)) : 0);
          op.free_size = focus_pages * page;
        }
        if (d.one_in(8)) op.type = MEM_RELEASE | MEM_DECOMMIT;
        break;
      case 2:  // release it
        op.kind = OpKind::free;
        op.type = MEM_RELEASE;
        op.addr = at(0);
        break;
      case 3:  // commit some pages (again)
        op.kind = OpKind::alloc;
        op.type = MEM_COMMIT;
        op.protect = commit_protect();
        if (d.one_in(3)) {
          op.addr = at(some_page());
          op.size = static_cast<std::uint32_t>(some_pages(op.addr.page) * page);
        } else {
          op.addr = at(focus);
          op.size = static_cast<std::uint32_t>(focus_pages * page);
        }
        break;
      case 4:  // read it back
        op.kind = OpKind::read;
        op.addr = at(some_page());
        op.length = 2 * page;
        break;
      case 5:  // another reservation: reuse at address 0, or right after this one's end
        op.kind = OpKind::alloc;
        op.type = d.one_in(3) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE;
        op.protect = PAGE_READWRITE;
        if (!adjacent && !d.one_in(3)) {
          op.addr.kind = AddrRef::Kind::region_end;
          adjacent = true;
        }
        op.size = static_cast<std::uint32_t>(
            d.pick(std::array<std::uint64_t, 3>{pages, pages > 1 ? pages - 1 : 1, pages + 1 + d.below(16)}) * page);
        break;
      default:  // a range from the first reservation's last page into the adjacent one
        op = call_across(d, 2 * std::uint64_t{page}, PAGE_READWRITE);
        break;
    }
    out.push_back(op);
  }
  return out;
}

/// A story about two reservations side by side: one of one or two granularities (so the next
/// granule starts right at its end), committed whole or in part, its last page often filled; then
/// a reservation right after its end (or, one time in six, one granule further: separated by free
/// memory), committed or only reserved; then one to three calls from the first one's last page into
/// the second: a 16-byte write across the boundary, a decommit, a commit or a read of two pages, or
/// a release. The bugs of ranges that cross from one reservation into another need all of it.
Sequence draw_adjacent_story(Draw& d, std::uint32_t page) {
  Sequence out;
  const std::uint64_t pages = granularity_pages(page) * (d.one_in(4) ? 2 : 1);
  Op first;
  first.kind = OpKind::alloc;
  first.size = static_cast<std::uint32_t>(pages * page);
  first.type = d.one_in(4) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE;
  first.protect = d.one_in(6) ? draw_protect(d) : PAGE_READWRITE;
  out.push_back(first);
  if (first.type == MEM_RESERVE) {  // commit its last pages
    Op commit = first;
    commit.type = MEM_COMMIT;
    const std::uint64_t n = 1 + d.below(3);
    commit.addr = region_at(0, static_cast<std::int32_t>(pages - n));
    commit.size = static_cast<std::uint32_t>(n * page);
    out.push_back(commit);
  }
  if (!d.one_in(3)) {  // fill the end of its last page
    Op fill;
    fill.kind = OpKind::write;
    fill.addr = region_at(0, static_cast<std::int32_t>(pages - 1), static_cast<std::int32_t>(page - 64));
    fill.length = 64;
    fill.pattern = draw_pattern(d);
    out.push_back(fill);
  }
  Op second;
  second.kind = OpKind::alloc;
  second.addr.kind = AddrRef::Kind::region_end;
  if (d.one_in(6)) second.addr.page = static_cast<std::int32_t>(granularity_pages(page));
  second.size = static_cast<std::uint32_t>((1 + d.below(2 * granularity_pages(page))) * page);
  second.type = d.one_in(3) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE;
  second.protect = d.one_in(6) ? draw_protect(d) : PAGE_READWRITE;
  out.push_back(second);
  const std::uint64_t calls = 1 + d.below(3);
  for (std::uint64_t i = 0; i < calls; ++i) {
    const std::uint64_t span = (2 + (d.one_in(4) ? d.below(3) : 0)) * std::uint64_t{page};
    out.push_back(call_across(d, span, d.one_in(2) ? PAGE_READWRITE : PAGE_READONLY));
  }
  return out;
}

/// A story about decommitted pages committed again: a reservation of two to eight pages (or about
/// a granularity) is committed, pages of a range of two or more are filled (mostly not the range's
/// first page), the range (or the whole reservation) is decommitted, then committed again, whole
/// or in part, with PAGE_READWRITE or another protection, and sometimes read back. Every page
/// committed again must read as zeros, not only the first.
Sequence draw_recommit_story(Draw& d, std::uint32_t page) {
  Sequence out;
  const std::uint64_t pages = d.one_in(4) ? d.pick(std::array<std::uint64_t, 3>{15, 16, 17}) : 2 + d.below(7);
  const std::int32_t focus = static_cast<std::int32_t>(d.below(pages - 1));
  const std::uint64_t focus_pages = 2 + d.below(std::min<std::uint64_t>(pages - static_cast<std::uint64_t>(focus) - 1, 4));
  Op make;
  make.kind = OpKind::alloc;
  make.size = static_cast<std::uint32_t>(pages * page);
  make.type = MEM_COMMIT | MEM_RESERVE;
  make.protect = PAGE_READWRITE;
  if (d.one_in(3)) {  // reserved first, the pages around the range committed in a second call
    make.type = MEM_RESERVE;
    out.push_back(make);
    make.type = MEM_COMMIT;
    const std::int32_t from = focus > 0 && d.one_in(2) ? focus - 1 : focus;
    const std::uint64_t to = std::min<std::uint64_t>(pages, static_cast<std::uint64_t>(focus) + focus_pages + 1);
    make.addr = region_at(0, from);
    make.size = static_cast<std::uint32_t>((to - static_cast<std::uint64_t>(from)) * page);
  }
  out.push_back(make);
  const std::uint64_t fills = 1 + d.below(3);
  for (std::uint64_t i = 0; i < fills; ++i) {
    Op fill;
    fill.kind = OpKind::write;
    const std::int32_t p = focus + static_cast<std::int32_t>(d.one_in(4) ? 0 : 1 + d.below(focus_pages - 1));
    fill.addr = region_at(0, p, static_cast<std::int32_t>(d.below(page - 16)));
    fill.length = static_cast<std::uint32_t>(1 + d.below(16));
    fill.pattern = draw_pattern(d);
    out.push_back(fill);
  }
  Op decommit;
  decommit.kind = OpKind::free;
  decommit.type = MEM_DECOMMIT;
  if (d.one_in(4)) {  // the whole reservation
    decommit.addr = region_at(0, 0);
    decommit.free_size = d.one_in(2) ? 0 : pages * page;
  } else {
    decommit.addr = region_at(0, focus, d.one_in(4) ? static_cast<std::int32_t>(1 + d.below(page - 1)) : 0);
    decommit.free_size = focus_pages * page;
  }
  out.push_back(decommit);
  Op commit;
  commit.kind = OpKind::alloc;
  commit.type = MEM_COMMIT;
  commit.protect = d.one_in(2) ? PAGE_READWRITE
                               : d.pick(std::array<std::uint32_t, 4>{PAGE_READONLY, PAGE_EXECUTE_READ,
                                                                     PAGE_EXECUTE_READWRITE, PAGE_WRITECOPY});
  const bool whole = d.one_in(4);
  commit.addr = region_at(0, whole ? 0 : focus);
  commit.size = static_cast<std::uint32_t>((whole ? pages : focus_pages) * page);
  out.push_back(commit);
  if (d.one_in(3)) {
    Op read;
    read.kind = OpKind::read;
    read.addr = region_at(0, focus);
    read.length = static_cast<std::uint32_t>(2 * page);
    out.push_back(read);
  }
  return out;
}

/// A crowd: 2-16 or 60-71 one-page reservations in a row (the shortest alloc ops), then a call on
/// the oldest of them (release, decommit, commit or write), now under all the newer ones: where a
/// host's table of live reservations overflows or mixes up its entries.
Sequence draw_crowd(Draw& d, std::uint32_t page) {
  const std::uint64_t n = d.one_in(2) ? 2 + d.below(15) : 60 + d.below(12);
  Op make;
  make.kind = OpKind::alloc;
  make.size = page;
  make.type = MEM_COMMIT | MEM_RESERVE;
  make.protect = PAGE_READWRITE;
  Sequence out(n, make);
  const AddrRef oldest = region_at(static_cast<std::uint8_t>(n - 1), 0);
  const Op op = call_on(d, oldest, oldest, page, PAGE_READONLY);
  out.push_back(op);
  return out;
}

/// `op` with one field moved to a neighbouring or boundary value, or drawn again.
Op nudge(Draw& d, Op op, int allocs, std::uint32_t page) {
  const bool has_region = op.kind == OpKind::free || op.kind == OpKind::write || op.kind == OpKind::read ||
                          (op.kind == OpKind::alloc && op.addr.kind != AddrRef::Kind::zero);
  if (has_region && d.one_in(2)) {
    AddrRef& a = op.addr;
    switch (d.below(5)) {
      case 0: a.page += d.one_in(2) ? 1 : -1; break;
      case 1: a.offset = draw_offset(d, page); break;
      case 2: a.index = draw_index(d, allocs); break;
      case 3: a.kind = a.kind == AddrRef::Kind::region ? AddrRef::Kind::region_end : AddrRef::Kind::region; break;
      default: a = draw_region_ref(d, allocs, page); break;
    }
    return op;
  }
  const auto step = [&](auto v) -> decltype(v) {  // +-1 byte or +-1 page, or drawn again
    switch (d.below(5)) {
      case 0: return v + 1;
      case 1: return v - 1;
      case 2: return v + page;
      case 3: return v >= page ? v - page : v;
      default: return static_cast<decltype(v)>(draw_size(d, page));
    }
  };
  switch (op.kind) {
    case OpKind::alloc:
      switch (d.below(4)) {
        case 0: op.size = step(op.size); break;
        case 1: op.type = draw_alloc_type(d); break;
        case 2: op.protect = draw_protect(d); break;
        default:
          if (op.addr.kind == AddrRef::Kind::zero && allocs > 0)
            op.addr = draw_region_ref(d, allocs, page);
          else
            op.addr = AddrRef{};
          break;
      }
      break;
    case OpKind::free:
      if (d.one_in(2)) op.free_size = d.one_in(3) ? 0 : step(op.free_size);
      else op.type = draw_free_type(d);
      break;
    case OpKind::write:
      if (d.one_in(3)) op.pattern = draw_pattern(d);
      else op.length = d.one_in(3) ? draw_length(d, page, true) : step(op.length);
      break;
    case OpKind::read:
      op.length = d.one_in(3) ? draw_length(d, page, false) : step(op.length);
      break;
    case OpKind::free_foreign:
    case OpKind::inject_fault:
      op = draw_op(d, allocs, page);
      break;
  }
  return op;
}

void insert_at(Sequence& s, std::size_t at, const Sequence& ops) {
  s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), ops.begin(), ops.end());
}

}  // namespace

Sequence mutate(const Sequence& input, std::uint64_t seed, std::size_t max_ops, std::uint32_t page) {
  max_ops = std::min(max_ops, kMaxOps);
  Draw d(seed);
  Sequence s = input;
  const std::uint64_t edits = 1 + d.below(4);
  for (std::uint64_t e = 0; e < edits; ++e) {
    // insert, append, story, delete, delete a run, nudge, duplicate, swap, repeat, crowd
    std::size_t kind = d.weighted(std::array<unsigned, 10>{3, 3, 2, 2, 1, 4, 1, 1, 1, 1});
    if (s.empty() && kind >= 3) kind = d.below(3);  // nothing to delete, nudge or move yet
    switch (kind) {
      case 0: {
        const std::size_t at = d.below(s.size() + 1);
        insert_at(s, at, {draw_op(d, allocs_before(s, at), page)});
        break;
      }
      case 1:
        s.push_back(draw_op(d, allocs_before(s, s.size()), page));
        break;
      case 2: {  // mostly at the end, where the sequence's state is richest
        const std::size_t at = d.one_in(3) ? d.below(s.size() + 1) : s.size();
        switch (d.weighted(std::array<unsigned, 3>{3, 2, 2})) {
          case 0: insert_at(s, at, draw_story(d, page)); break;
          case 1: insert_at(s, at, draw_adjacent_story(d, page)); break;
          default: insert_at(s, at, draw_recommit_story(d, page)); break;
        }
        break;
      }
      case 3:
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(d.below(s.size())));
        break;
      case 4: {
        const std::size_t from = d.below(s.size());
        const std::size_t count = 1 + d.below(std::min<std::size_t>(8, s.size() - from));
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(from + count));
        break;
      }
      case 5: {
        const std::size_t at = d.below(s.size());
        s[at] = nudge(d, s[at], allocs_before(s, at), page);
        break;
      }
      case 6: {
        const Op copy = s[d.below(s.size())];
        insert_at(s, d.below(s.size() + 1), {copy});
        break;
      }
      case 7: {
        const std::size_t at = d.below(s.size());
        const std::size_t other = d.below(s.size());
        std::swap(s[at], s[other]);
        break;
      }
      case 8: {  // an op many times over: a long history
        const std::size_t at = d.below(s.size());
        const std::size_t copies = d.one_in(2) ? 1 + d.below(8) : 8 + d.below(64);
        insert_at(s, at, Sequence(copies, s[at]));
        break;
      }
      default:
        insert_at(s, s.size(), draw_crowd(d, page));
        break;
    }
  }
  if (s.size() > max_ops) s.resize(max_ops);
  for (Op& op : s) op = canonical(op);
  return s;
}

Sequence cross_over(const Sequence& a, const Sequence& b, std::uint64_t seed, std::size_t max_ops) {
  max_ops = std::min(max_ops, kMaxOps);
  Draw d(seed);
  const std::size_t keep = d.below(a.size() + 1);
  const std::size_t from = d.below(b.size() + 1);
  Sequence out(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(keep));
  out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(from), b.end());
  if (out.size() > max_ops) out.resize(max_ops);
  return out;
}

}  // namespace vmc::opseq
