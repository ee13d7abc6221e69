// free_properties.cpp - properties of IHostMemoryManager::VirtualFree (VF-*).
//
// EVIDENCE-OF: IHostMemoryManager-VirtualFree.fr.md - Win32 VirtualFree semantics (release,
// decommit); freeing memory not allocated through the host returns HOST_E_INVALIDOPERATION;
// after E_FAIL every later call returns HOST_E_CLRNOTAVAILABLE.
#include <rapidcheck.h>

#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

/// A filled, committed region plus a second one nearby, observed together.
struct TwoRegions {
  Region a, b;
  Observation observe(const CaseEnv& env) const {
    Observation o = vmc::observe(env.target, a.base, a.size(env.page) + env.page, env.page);
    for (auto& [k, v] : vmc::observe(env.target, b.base, b.size(env.page), env.page)) o[k] = v;
    return o;
  }
};
TwoRegions two_regions(const CaseEnv& env) {
  TwoRegions t{committed_region(env, *rc::gen::inRange<std::uint32_t>(2, 6).as("pages")), committed_region(env, 2)};
  fill(env, t.a, gen_pattern_seed());
  fill(env, t.b, gen_pattern_seed());
  if (*rc::gen::arbitrary<bool>().as("decommit page 1 first")) spoil_page(env, t.a, 1, Inaccessible::decommitted);
  return t;
}

/// Addresses not in any live host allocation, with how they were obtained.
struct Foreign {
  std::uint64_t address;
  std::string what;
};
Foreign gen_foreign(const CaseEnv& env, const Region& live) {
  std::vector<Foreign> choices = {
      {live.base + live.size(env.page), "the unused rest of a reservation's granule"},
      {0x10000 + 7 * std::uint64_t{env.granularity}, "an address the host never allocated"}};
  const Region gone = committed_region(env, 1);
  must_free(env, gone.base, 0, MEM_RELEASE);
  choices.push_back({gone.base, "an already released region"});
  for (const ForeignMemory& f : env.target.foreign_memory())
    choices.push_back({f.address + (f.size > 16 ? 16 : 0) * pick_case(2), f.what});
  const Foreign f = *rc::gen::elementOf(choices).as("foreign address");
  RC_TAG(f.what);
  return f;
}

/// One ordinary failing VirtualFree of host memory: bad type, release size, interior address...
struct BadFree {
  std::uint64_t address, size;
  std::uint32_t type;
  hresult win32_code;
  std::string why;
};
BadFree gen_bad_free(const CaseEnv& env, const Region& r) {
  const std::uint64_t interior = r.base + std::uint64_t{*rc::gen::inRange<std::uint32_t>(1, r.pages).as("interior page")} * env.page +
                                 *rc::gen::inRange<std::uint64_t>(0, env.page).as("offset");
  switch (pick_case(5)) {
    case 0: {
      const std::uint32_t t = pick<std::uint32_t>({0, MEM_FREE, MEM_DECOMMIT | MEM_RELEASE,
                                                               MEM_RELEASE | 0x1, MEM_COMMIT, 0x80000000u});
      return {r.base, 0, t, E_INVALIDARG, "free type " + alloc_type_name(t)};
    }
    case 1:
      return {r.base, *rc::gen::inRange<std::uint64_t>(1, 3 * env.page).as("size"), MEM_RELEASE, E_INVALIDARG,
              "MEM_RELEASE with a non-zero size"};
    case 2: return {interior, 0, MEM_RELEASE, HR_INVALID_ADDRESS, "MEM_RELEASE beyond the first page"};
    case 3: return {interior, 0, MEM_DECOMMIT, HR_INVALID_ADDRESS, "size-0 MEM_DECOMMIT beyond the first page"};
    default:
      return {interior, r.size(env.page) + 1, MEM_DECOMMIT, E_INVALIDARG, "MEM_DECOMMIT past the reservation"};
  }
}

void check_unchanged(const CaseEnv& env, const TwoRegions& t, const Observation& before, const FreeCall& c,
                     const std::string& why) {
  const std::string d = diff(before, t.observe(env));
  check(env, d.empty(), c.show() + " (" + why + ") changed the target: " + d);
}

}  // namespace

VMC_PROPERTY("VF-FOREIGN", VfForeignFreeIsInvalidOperation,
             "freeing memory the host did not allocate returns HOST_E_INVALIDOPERATION") {
  const TwoRegions t = two_regions(env);
  const Foreign f = gen_foreign(env, t.b);
  const Observation before = t.observe(env);
  const bool release = *rc::gen::arbitrary<bool>().as("release");
  const FreeCall c = vfree(env.target, f.address, release ? 0 : env.page, release ? MEM_RELEASE : MEM_DECOMMIT);
  check(env, c.hr == HOST_E_INVALIDOPERATION, c.show() + " on " + f.what + ": expected " + hresult_name(HOST_E_INVALIDOPERATION));
  check_unchanged(env, t, before, c, f.what);
}

VMC_PROPERTY("VF-RELEASE-BASE", VfReleaseBaseInteriorReleaseFails,
             "MEM_RELEASE beyond the first page of a reservation fails and changes nothing") {
  const TwoRegions t = two_regions(env);
  const std::uint64_t at = t.a.base + std::uint64_t{*rc::gen::inRange<std::uint32_t>(1, t.a.pages).as("interior page")} * env.page +
                           *rc::gen::inRange<std::uint64_t>(0, env.page).as("offset");
  const Observation before = t.observe(env);
  const FreeCall c = vfree(env.target, at, 0, MEM_RELEASE);
  check(env, failed(c.hr), c.show() + ": " + hex(at) + " is not in the first page of " + hex(t.a.base));
  check_unchanged(env, t, before, c, "interior release");
}

VMC_PROPERTY("VF-RELEASE-SIZE", VfReleaseSizeNonZeroSizeFails,
             "MEM_RELEASE with a non-zero size fails and changes nothing") {
  const TwoRegions t = two_regions(env);
  const std::uint64_t size = pick<std::uint64_t>({1, env.page - 1, env.page, t.a.size(env.page),
                                                              t.a.size(env.page) + 1});
  const Observation before = t.observe(env);
  const FreeCall c = vfree(env.target, t.a.base, size, MEM_RELEASE);
  check(env, failed(c.hr), c.show() + ": MEM_RELEASE takes size 0");
  check_unchanged(env, t, before, c, "release with a size");
}

VMC_PROPERTY("VF-RELEASE-WHOLE", VfReleaseWholeFreesEveryPage,
             "MEM_RELEASE at the base frees the whole reservation, which can be reserved again") {
  const TwoRegions t = two_regions(env);
  const std::uint64_t at = t.a.base;
  const Observation b_before = observe(env.target, t.b.base, t.b.size(env.page), env.page);
  const FreeCall c = vfree(env.target, at, 0, MEM_RELEASE);
  check(env, c.hr == S_OK, c.show() + ": release at the base must succeed");
  for (std::uint64_t p = t.a.base; p < t.a.base + t.a.size(env.page); p += env.page) {
    const ReadCall rd = read(env.target, p, 1);
    check(env, failed(rd.hr), "after " + c.show() + ": " + rd.show() + " - released memory is readable");
    const WriteCall w = write(env.target, p, {1});
    check(env, failed(w.hr), "after " + c.show() + ": " + w.show() + " - released memory is writable");
  }
  const std::string d = diff(b_before, observe(env.target, t.b.base, t.b.size(env.page), env.page));
  check(env, d.empty(), c.show() + " changed another region: " + d);
  const AllocCall again = alloc(env.target, t.a.base, static_cast<std::uint32_t>(t.a.size(env.page)), MEM_RESERVE, PAGE_READWRITE);
  check(env, again.hr == S_OK && again.allocated == t.a.base,
        "after " + c.show() + ": " + again.show() + " - the whole range must be free again");
}

VMC_PROPERTY("VF-DECOMMIT-RANGE", VfDecommitRangeExactlyThePagesTouched,
             "MEM_DECOMMIT decommits exactly the pages holding a byte of the range") {
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(2, 7).as("pages"));
  const auto bytes = fill(env, r, gen_pattern_seed());
  const std::uint64_t offset = gen_offset(env.page, r.size(env.page));
  const std::uint64_t size = *rc::gen::inRange<std::uint64_t>(1, r.size(env.page) - offset + 1).as("size");
  const FreeCall c = vfree(env.target, r.base + offset, size, MEM_DECOMMIT);
  check(env, c.hr == S_OK, c.show() + ": decommit inside one reservation must succeed");
  const std::uint64_t first = (r.base + offset) / env.page * env.page, end = round_up(r.base + offset + size, env.page);
  RC_CLASSIFY((end - first) / env.page > 1, "several pages");
  for (std::uint32_t i = 0; i < r.pages; ++i) {
    const std::uint64_t p = r.base + std::uint64_t{i} * env.page;
    const ReadCall rd = read_fully(env.target, p, env.page);
    if (p >= first && p < end) {
      check(env, failed(rd.hr), "after " + c.show() + ": " + rd.show() + " - the page was decommitted");
    } else {
      const std::vector<std::uint8_t> old(bytes.begin() + i * env.page, bytes.begin() + (i + 1) * env.page);
      check(env, rd.hr == S_OK && rd.data == old, "after " + c.show() + ": " + rd.show() + " - an untouched page changed");
    }
  }
}

VMC_PROPERTY("VF-DECOMMIT-WHOLE", VfDecommitWholeSizeZeroDecommitsAll,
             "MEM_DECOMMIT with size 0 at the base decommits every page; the region stays reserved") {
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 6).as("pages"));
  fill(env, r, gen_pattern_seed());
  const FreeCall c = vfree(env.target, r.base, 0, MEM_DECOMMIT);
  check(env, c.hr == S_OK, c.show() + ": decommit of the whole reservation must succeed");
  for (std::uint64_t p = r.base; p < r.base + r.size(env.page); p += env.page) {
    const ReadCall rd = read(env.target, p, 1);
    check(env, failed(rd.hr), "after " + c.show() + ": " + rd.show() + " - the page was decommitted");
  }
  const AllocCall again = alloc(env.target, r.base, static_cast<std::uint32_t>(r.size(env.page)), MEM_COMMIT, PAGE_READWRITE);
  check(env, again.hr == S_OK, "after " + c.show() + ": " + again.show() + " - the region must still be reserved");
}

VMC_PROPERTY("VF-SPAN", VfSpanDecommitPastReservationFails,
             "a MEM_DECOMMIT range running past its reservation fails and changes nothing") {
  const TwoRegions t = two_regions(env);
  const std::uint64_t offset = gen_offset(env.page, t.a.size(env.page));
  const std::uint64_t past = pick<std::uint64_t>({1, env.page, env.granularity, t.b.base > t.a.base ? t.b.base - t.a.base : 1});
  const std::uint64_t size = t.a.size(env.page) - offset + past;
  const Observation before = t.observe(env);
  const FreeCall c = vfree(env.target, t.a.base + offset, size, MEM_DECOMMIT);
  check(env, failed(c.hr), c.show() + ": the range runs past the reservation at " + hex(t.a.base));
  check_unchanged(env, t, before, c, "decommit past the reservation");
}

VMC_PROPERTY("VF-FREE-TYPE", VfFreeTypeOnlyDecommitOrRelease,
             "free types other than exactly MEM_DECOMMIT or MEM_RELEASE fail and change nothing") {
  const TwoRegions t = two_regions(env);
  const std::uint32_t type = pick<std::uint32_t>({0, MEM_FREE, MEM_DECOMMIT | MEM_RELEASE, MEM_RELEASE | 0x1,
                                                              MEM_DECOMMIT | 0x2, MEM_COMMIT, MEM_RESERVE, 0xFFFFFFFFu});
  const Observation before = t.observe(env);
  const FreeCall c = vfree(env.target, t.a.base, 0, type);
  check(env, failed(c.hr), c.show() + ": not a valid free type");
  check_unchanged(env, t, before, c, "invalid free type");
}

VMC_PROPERTY("VF-STATUS", VfStatusIsSOkOrAFailure, "VirtualFree returns S_OK or a failing HRESULT") {
  const TwoRegions t = two_regions(env);
  FreeCall c{};
  if (*rc::gen::arbitrary<bool>().as("free first")) {
    c = vfree(env.target, t.a.base, pick<std::uint64_t>({0, env.page}), *rc::gen::element(MEM_RELEASE, MEM_DECOMMIT).as("free type"));
  } else {
    const BadFree bad = gen_bad_free(env, t.a);
    c = vfree(env.target, bad.address, bad.size, bad.type);
  }
  RC_CLASSIFY(failed(c.hr), "the free failed");
  check(env, c.hr == S_OK || failed(c.hr), c.show() + ": neither S_OK nor a failure");
}

VMC_PROPERTY_IF("VF-EFAIL-STICKY", VfEfailStickyLaterCallsClrNotAvailable,
                "after E_FAIL every VirtualFree returns HOST_E_CLRNOTAVAILABLE", needs_fault_injection) {
  const TwoRegions t = two_regions(env);
  RC_ASSERT(env.target.inject_host_fault(E_FAIL));
  const FreeCall first = vfree(env.target, t.b.base, 0, MEM_RELEASE);
  check(env, first.hr == E_FAIL, "after injecting E_FAIL: " + first.show());
  for (int i = *rc::gen::inRange(1, 4).as("frees"); i > 0; --i) {
    const FreeCall c = *rc::gen::element(0, 1).as("which free") == 0 ? vfree(env.target, t.a.base, 0, MEM_RELEASE)
                                                    : vfree(env.target, t.a.base, env.page, MEM_DECOMMIT);
    check(env, c.hr == HOST_E_CLRNOTAVAILABLE, "after E_FAIL: " + c.show() + ": expected " + hresult_name(HOST_E_CLRNOTAVAILABLE));
  }
}

VMC_PROPERTY("VF-NO-EFAIL", VfNoEfailForOrdinaryFailures,
             "ordinary VirtualFree failures are not E_FAIL") {
  const TwoRegions t = two_regions(env);
  const bool foreign = *rc::gen::arbitrary<bool>().as("foreign");
  FreeCall c{};
  std::string why;
  if (foreign) {
    const Foreign f = gen_foreign(env, t.b);
    c = vfree(env.target, f.address, 0, MEM_RELEASE);
    why = f.what;
  } else {
    const BadFree bad = gen_bad_free(env, t.a);
    c = vfree(env.target, bad.address, bad.size, bad.type);
    why = bad.why;
  }
  check(env, c.hr != E_FAIL, c.show() + " (" + why + "): E_FAIL declares the host unusable");
}

VMC_PROPERTY("VF-CODE", VfCodeExactWin32Codes,
             "failed frees of host memory return E_INVALIDARG or ERROR_INVALID_ADDRESS (win32)") {
  const TwoRegions t = two_regions(env);
  const BadFree bad = gen_bad_free(env, t.a);
  RC_TAG(bad.why);
  const FreeCall c = vfree(env.target, bad.address, bad.size, bad.type);
  check(env, c.hr == bad.win32_code, c.show() + " (" + bad.why + "): expected " + hresult_name(bad.win32_code));
}

}  // namespace vmc
