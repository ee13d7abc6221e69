// alloc_properties.cpp - properties of IJsDebugDataTarget::AllocateVirtualMemory (AVM-*).
//
// EVIDENCE-OF: IJsDebugDataTarget-AllocateVirtualMemory.fr.md - address 0 lets the system
// choose; the size is rounded up to the next page boundary; MEM_COMMIT|MEM_RESERVE reserves and
// commits in one step; memory is zero-initialised unless MEM_RESET is used; otherwise VirtualAlloc.
#include <rapidcheck.h>

#include <optional>

#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

bool all_zero(const std::vector<std::uint8_t>& v) {
  for (std::uint8_t b : v)
    if (b != 0) return false;
  return true;
}

/// Reads [address, address+size) and fails unless it is all readable zeros.
void check_zero(const CaseEnv& env, std::uint64_t address, std::uint64_t size, const std::string& after) {
  for (std::uint64_t at = address; at < address + size; at += env.page) {
    const ReadCall rd = read_fully(env.target, at, env.page);
    check(env, rd.hr == S_OK && rd.bytes_read == env.page && all_zero(rd.data),
          "after " + after + ": " + rd.show() + " - committed memory must read as zero");
  }
}

/// One invalid AllocateVirtualMemory call, described.
struct InvalidAlloc {
  std::uint64_t address;
  std::uint32_t size, type, protect;
  hresult win32_code;
  std::string why;
};
InvalidAlloc gen_invalid_alloc(const CaseEnv& env, const Region& live) {
  const std::uint32_t valid_size = env.page;
  const std::uint32_t rw = PAGE_READWRITE, cr = MEM_COMMIT | MEM_RESERVE;
  switch (pick_case(7)) {
    case 0: return {0, 0, cr, rw, E_INVALIDARG, "size 0"};
    case 1: {
      const std::uint32_t p = pick<std::uint32_t>({
          0, PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY | PAGE_EXECUTE, 0x03, 0x06,
          PAGE_NOACCESS | PAGE_GUARD, PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE, 0x800});
      return {0, valid_size, cr, p, E_INVALIDARG, "invalid protection " + protect_name(p)};
    }
    case 2: {
      const std::uint32_t t = pick<std::uint32_t>({
          0, MEM_RESET | MEM_COMMIT, MEM_RESET | MEM_RESERVE, MEM_DECOMMIT, MEM_RELEASE, 0x1,
          MEM_COMMIT | 0x10000000, MEM_TOP_DOWN});
      return {0, valid_size, t, rw, E_INVALIDARG, "invalid allocation type " + alloc_type_name(t)};
    }
    case 3: {  // a reservation overlapping a live one (its base, an inner page, its granule tail)
      const std::uint64_t at = pick<std::uint64_t>({
          live.base, live.base + env.page, live.base + live.size(env.page)});
      return {at, valid_size, *rc::gen::element(MEM_RESERVE, cr).as("allocation type"), rw, HR_INVALID_ADDRESS,
              "a reservation overlapping the live region at " + hex(live.base)};
    }
    case 4:  // a commit running past the end of the reservation
      return {live.base + live.size(env.page) - env.page, 2 * env.page, MEM_COMMIT, rw,
              HR_INVALID_ADDRESS, "a commit running past the end of the reservation"};
    case 5:  // a commit where nothing is reserved
      return {live.base + 4 * std::uint64_t{env.granularity}, valid_size, MEM_COMMIT, rw,
              HR_INVALID_ADDRESS, "a commit of memory that is not reserved"};
    default:
      return {0x1000, valid_size, cr, rw, E_INVALIDARG, "an address below 64 KiB"};
  }
}

}  // namespace

VMC_PROPERTY("AVM-ROUND", AvmRoundSizeRoundedUpToPage,
             "the last page of an allocation is usable to its end, the next page is not") {
  const std::uint32_t size = gen_size_near_pages(env.page, 6);
  // MEM_COMMIT alone at address 0 reserves too on Windows; the documents promise the one-step
  // reservation for MEM_COMMIT|MEM_RESERVE only (decision D-COMMIT-NULL).
  const std::uint32_t type = env.profile == Profile::win32 ? *rc::gen::element(MEM_COMMIT | MEM_RESERVE, MEM_COMMIT).as("allocation type")
                                                           : MEM_COMMIT | MEM_RESERVE;
  const AllocCall a = must_alloc(env, 0, size, type, PAGE_READWRITE);
  const std::uint64_t end = a.allocated + round_up(size, env.page);
  RC_CLASSIFY(size % env.page != 0, "size not a page multiple");
  const WriteCall w = write(env.target, end - 1, {0x5A});
  check(env, w.hr == S_OK, a.show() + " then " + w.show() + ": the last byte of the rounded size must be usable");
  const ReadCall back = read(env.target, end - 1, 1);
  check(env, back.hr == S_OK && back.data == std::vector<std::uint8_t>{0x5A},
        a.show() + " then " + w.show() + ": " + back.show() + " does not read the byte back");
  const ReadCall beyond = read(env.target, end, 1);
  check(env, failed(beyond.hr), a.show() + " then " + beyond.show() + ": the page after the rounded size is not allocated");
  RegionInfo info;
  if (env.target.has_query() && env.target.query_virtual(a.allocated, &info) == S_OK)
    check(env, info.region_size == round_up(size, env.page),
          a.show() + ": query reports RegionSize " + hex(info.region_size));
}

VMC_PROPERTY("AVM-ZERO", AvmZeroCommittedMemoryReadsZero,
             "fresh, recommitted and reallocated memory reads as zero") {
  const std::uint32_t pages = *rc::gen::inRange<std::uint32_t>(1, 5).as("pages");
  const Region r = committed_region(env, pages);
  check_zero(env, r.base, r.size(env.page), "a fresh commit");
  fill(env, r, gen_pattern_seed());
  const int scenario = pick_case(2);
  if (scenario == 0) {  // decommit one page, commit it again
    RC_TAG(std::string("recommit after decommit"));
    const std::uint64_t page = r.base + std::uint64_t{*rc::gen::inRange<std::uint32_t>(0, pages).as("page index")} * env.page;
    must_free(env, page, env.page, MEM_DECOMMIT);
    must_alloc(env, page, env.page, MEM_COMMIT, PAGE_READWRITE);
    check_zero(env, page, env.page, "decommit and recommit of " + hex(page));
  } else {  // release, reserve and commit the same range again
    RC_TAG(std::string("reallocation after release"));
    must_free(env, r.base, 0, MEM_RELEASE);
    const AllocCall again = alloc(env.target, r.base, pages * env.page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    RC_PRE(again.hr == S_OK);  // another thread of a real process may have taken the range
    check_zero(env, again.allocated, r.size(env.page), "release and " + again.show());
  }
}

VMC_PROPERTY("AVM-BASE", AvmBaseAlignedAndReported,
             "system-chosen bases are granularity-aligned and disjoint; explicit ones round down") {
  std::vector<Region> live;
  for (int i = *rc::gen::inRange(1, 4).as("repetitions"); i > 0; --i) {
    const std::uint32_t size = gen_size_near_pages(env.page, 20);
    const AllocCall a = must_alloc(env, 0, size, MEM_RESERVE, PAGE_READWRITE);
    check(env, a.allocated % env.granularity == 0, a.show() + ": not a multiple of the granularity " + hex(env.granularity));
    const std::uint64_t end = a.allocated + round_up(size, env.page);
    for (const Region& o : live)
      check(env, end <= o.base || o.base + o.size(env.page) <= a.allocated,
            a.show() + " overlaps the live region at " + hex(o.base));
    live.push_back({a.allocated, static_cast<std::uint32_t>(round_up(size, env.page) / env.page)});
  }
  // A commit inside the first reservation returns the address rounded down to the page.
  const std::uint64_t inside = live[0].base + gen_offset(env.page, live[0].size(env.page));
  const AllocCall c = must_alloc(env, inside, 1, MEM_COMMIT, PAGE_READWRITE);
  check(env, c.allocated == inside / env.page * env.page, c.show() + ": expected " + hex(inside / env.page * env.page));
  // A reservation at an explicit unaligned address returns it rounded down to the granularity.
  const Region r = reserved_region(env, 1);
  must_free(env, r.base, 0, MEM_RELEASE);
  const std::uint64_t at = r.base + *rc::gen::inRange<std::uint64_t>(0, env.page).as("offset");
  const AllocCall e = alloc(env.target, at, env.page, MEM_RESERVE, PAGE_READWRITE);
  RC_PRE(e.hr == S_OK);  // the range may have been taken by someone else in a real process
  check(env, e.allocated == r.base, e.show() + ": expected the address rounded down to " + hex(r.base));
}

VMC_PROPERTY("AVM-STATUS", AvmStatusIsSOkOrAFailure,
             "AllocateVirtualMemory returns S_OK or a failing HRESULT") {
  const Region live = reserved_region(env, 2);
  const bool valid = *rc::gen::arbitrary<bool>().as("valid");
  AllocCall a{};
  if (valid) {
    a = alloc(env.target, 0, gen_size_near_pages(env.page, 4), MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  } else {
    const InvalidAlloc bad = gen_invalid_alloc(env, live);
    a = alloc(env.target, bad.address, bad.size, bad.type, bad.protect);
  }
  check(env, a.hr == S_OK || failed(a.hr), a.show() + ": neither S_OK nor a failure");
}

VMC_PROPERTY("AVM-RESERVE-ONLY", AvmReserveOnlyPagesAreInaccessible,
             "reserved pages can be neither read nor written until committed") {
  const Region r = reserved_region(env, *rc::gen::inRange<std::uint32_t>(1, 5).as("pages"));
  const std::uint64_t at = r.base + gen_offset(env.page, r.size(env.page));
  // Observed through ReadVirtual only: a WriteVirtual that writes reserved pages breaks
  // WV-UNWRITABLE, not this rule.
  const ReadCall rd = read(env.target, at, 1);
  check(env, failed(rd.hr), rd.show() + " in a reserved-only region must fail");
  must_alloc(env, at, 1, MEM_COMMIT, PAGE_READWRITE);
  const ReadCall after = read(env.target, at, 1);
  check(env, after.hr == S_OK, "after committing it: " + after.show() + " must succeed");
}

VMC_PROPERTY("AVM-COMMIT-RESERVED", AvmCommitReservedCommitsExactlyTheRange,
             "MEM_COMMIT commits the pages of a reserved range, and fails outside reservations") {
  const Region r = reserved_region(env, *rc::gen::inRange<std::uint32_t>(2, 6).as("pages"));
  const std::uint64_t offset = gen_offset(env.page, r.size(env.page));
  const std::uint32_t size = static_cast<std::uint32_t>(
      *rc::gen::inRange<std::uint64_t>(1, r.size(env.page) - offset + 1).as("size"));
  const AllocCall c = must_alloc(env, r.base + offset, size, MEM_COMMIT, PAGE_READWRITE);
  const std::uint64_t first = (r.base + offset) / env.page * env.page;
  const std::uint64_t end = round_up(r.base + offset + size, env.page);
  for (std::uint64_t p = r.base; p < r.base + r.size(env.page); p += env.page) {
    const ReadCall rd = read(env.target, p, 1);
    const bool inside = p >= first && p < end;
    check(env, succeeded(rd.hr) == inside,
          "after " + c.show() + ": " + rd.show() + (inside ? " should succeed" : " should fail"));
  }
  const Region gone = reserved_region(env, 1);
  must_free(env, gone.base, 0, MEM_RELEASE);
  const AllocCall outside = alloc(env.target, gone.base, env.page, MEM_COMMIT, PAGE_READWRITE);
  check(env, failed(outside.hr), outside.show() + ": nothing is reserved there");
}

VMC_PROPERTY("AVM-RECOMMIT-KEEPS", AvmRecommitKeepsCommittedBytes,
             "committing committed pages succeeds and keeps their bytes") {
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 5).as("pages"));
  const auto bytes = fill(env, r, gen_pattern_seed());
  const std::uint64_t offset = gen_offset(env.page, r.size(env.page));
  const AllocCall c = must_alloc(env, r.base + offset, 1 + static_cast<std::uint32_t>(*rc::gen::inRange<std::uint64_t>(0, r.size(env.page) - offset).as("size minus 1")),
                                 MEM_COMMIT, PAGE_READWRITE);
  const ReadCall rd = read_fully(env.target, r.base, static_cast<std::uint32_t>(r.size(env.page)));
  check(env, rd.hr == S_OK && rd.data == bytes, "after " + c.show() + ": " + rd.show() + " lost the committed bytes");
}

VMC_PROPERTY("AVM-PROTECT", AvmProtectCommittedPagesTakeProtection,
             "committed pages are readable exactly when their protection allows it") {
  // PAGE_EXECUTE pages are readable in win32; the documents leave it open (decision D-EXEC-READ).
  std::vector<std::uint32_t> protections{PAGE_NOACCESS,          PAGE_READONLY,
                                         PAGE_READWRITE,         PAGE_EXECUTE_READ,
                                         PAGE_EXECUTE_READWRITE, PAGE_READWRITE | PAGE_GUARD,
                                         PAGE_READONLY | PAGE_GUARD};
  if (env.profile == Profile::win32) protections.push_back(PAGE_EXECUTE);
  const std::uint32_t protect = *rc::gen::elementOf(protections).as("protection");
  RC_TAG(protect_name(protect));
  const AllocCall a = must_alloc(env, 0, env.page, MEM_COMMIT | MEM_RESERVE, protect);
  const bool readable = protect != PAGE_NOACCESS && !(protect & PAGE_GUARD);
  // The query comes first: a read may consume a guard (decision D-GUARD, documented profile).
  RegionInfo info;
  if (env.target.has_query() && env.target.query_virtual(a.allocated, &info) == S_OK)
    check(env, info.protect == protect && info.state == MEM_COMMIT,
          a.show() + ": query reports state " + alloc_type_name(info.state) + ", protect " + protect_name(info.protect));
  const ReadCall rd = read(env.target, a.allocated, 1);
  check(env, succeeded(rd.hr) == readable,
        a.show() + " then " + rd.show() + (readable ? ": should be readable" : ": should not be readable"));
}

VMC_PROPERTY("AVM-INVALID", AvmInvalidArgumentsFail,
             "size 0, bad protections and types, overlapping reservations fail") {
  const Region live = reserved_region(env, 2);
  const InvalidAlloc bad = gen_invalid_alloc(env, live);
  RC_TAG(bad.why.substr(0, bad.why.find(' ', 12)));
  const AllocCall a = alloc(env.target, bad.address, bad.size, bad.type, bad.protect);
  check(env, failed(a.hr), a.show() + ": " + bad.why + " must fail");
}

VMC_PROPERTY("AVM-RESET", AvmResetKeepsStateAndBytesOrZeros,
             "MEM_RESET keeps page states; committed pages hold old bytes or zeros") {
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 5).as("pages"));
  const auto bytes = fill(env, r, gen_pattern_seed());
  // Sometimes one page is only reserved: Windows resets such ranges too, leaving the page
  // reserved; the documents do not say (decision D-RESET-RESERVED: documented accepts a refusal).
  std::optional<std::uint64_t> reserved;
  if (r.pages > 1 && *rc::gen::arbitrary<bool>().as("one page reserved only")) {
    reserved = r.base + std::uint64_t{*rc::gen::inRange<std::uint32_t>(0, r.pages).as("page index")} * env.page;
    must_free(env, *reserved, env.page, MEM_DECOMMIT);
  }
  const std::uint64_t offset = gen_offset(env.page, r.size(env.page));
  const std::uint32_t size = static_cast<std::uint32_t>(*rc::gen::inRange<std::uint64_t>(1, r.size(env.page) - offset + 1).as("size"));
  const bool covers_reserved = reserved && *reserved + env.page > r.base + offset && *reserved < r.base + offset + size;
  RC_CLASSIFY(covers_reserved, "the range holds a reserved-only page");
  const Observation before = observe(env.target, r.base, r.size(env.page), env.page);
  const AllocCall c = alloc(env.target, r.base + offset, size, MEM_RESET, PAGE_READWRITE);
  if (failed(c.hr) && covers_reserved && env.profile == Profile::documented) {
    const std::string d = diff(before, observe(env.target, r.base, r.size(env.page), env.page));
    check(env, d.empty(), c.show() + " failed but changed the target: " + d);
    return;
  }
  check(env, c.hr == S_OK, c.show() + ": MEM_RESET of pages of a host reservation must succeed");
  for (std::uint32_t i = 0; i < r.pages; ++i) {
    const std::uint64_t p = r.base + std::uint64_t{i} * env.page;
    const ReadCall rd = read_fully(env.target, p, env.page);
    if (reserved && p == *reserved) {
      check(env, failed(rd.hr), "after " + c.show() + ": " + rd.show() + " - a reserved page stays reserved");
      continue;
    }
    const std::vector<std::uint8_t> old(bytes.begin() + i * env.page, bytes.begin() + (i + 1) * env.page);
    check(env, rd.hr == S_OK && (rd.data == old || all_zero(rd.data)),
          "after " + c.show() + ": " + rd.show() + " - a reset page holds its old bytes or zeros");
  }
}

VMC_PROPERTY("AVM-NO-EFFECT-ON-FAIL", AvmNoEffectOnFailFailedAllocChangesNothing,
             "a failed AllocateVirtualMemory changes no page") {
  const Region live = committed_region(env, 3);
  fill(env, live, gen_pattern_seed());
  spoil_page(env, live, 2, Inaccessible::decommitted);
  const Observation before = observe(env.target, live.base, 8 * std::uint64_t{env.granularity}, env.page);
  const InvalidAlloc bad = gen_invalid_alloc(env, live);
  const AllocCall a = alloc(env.target, bad.address, bad.size, bad.type, bad.protect);
  RC_PRE(failed(a.hr));
  const std::string d = diff(before, observe(env.target, live.base, 8 * std::uint64_t{env.granularity}, env.page));
  check(env, d.empty(), a.show() + " (" + bad.why + ") failed but changed the target: " + d);
}

VMC_PROPERTY("AVM-CODE", AvmCodeExactCodesAndZeroOut,
             "failures return E_INVALIDARG or ERROR_INVALID_ADDRESS and *pAllocatedAddress = 0 (win32)") {
  const Region live = reserved_region(env, 2);
  const InvalidAlloc bad = gen_invalid_alloc(env, live);
  const AllocCall a = alloc(env.target, bad.address, bad.size, bad.type, bad.protect);
  check(env, a.hr == bad.win32_code && a.allocated == 0,
        a.show() + ": " + bad.why + " expects " + hresult_name(bad.win32_code) + " and *pAllocatedAddress=0");
}

}  // namespace vmc
