// read_properties.cpp - properties of ICorDebugDataTarget::ReadVirtual (RV-*), the observer.
//
// EVIDENCE-OF: ReadVirtual succeeds when the first byte is readable, even if fewer bytes than
// requested can be read, so that self-sized structures can be read efficiently.
#include <rapidcheck.h>

#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

/// A committed, filled region whose page `cut` (>= 1) is inaccessible, or whose end is the
/// end of readable memory when `cut` == pages.
struct CutRegion {
  Region region;
  std::vector<std::uint8_t> bytes;  // the region's bytes as filled
  std::uint64_t readable_end;       // first unreadable address after the base
};
CutRegion cut_region(const CaseEnv& env) {
  CutRegion c;
  c.region = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 5).as("pages"));
  c.bytes = fill(env, c.region, gen_pattern_seed());
  const std::uint32_t cut = *rc::gen::inRange<std::uint32_t>(1, c.region.pages + 1).as("cut page");
  if (cut < c.region.pages) {
    const Inaccessible kind = *rc::gen::element(Inaccessible::decommitted, Inaccessible::noaccess,
                                                Inaccessible::guard).as("inaccessible kind");
    spoil_page(env, c.region, cut, kind);
    RC_TAG(to_string(kind));
  } else {
    RC_TAG(std::string("end of the region"));
  }
  c.readable_end = c.region.base + std::uint64_t{cut} * env.page;
  return c;
}

}  // namespace

VMC_PROPERTY("RV-FIRST-BYTE", RvFirstByteReadableReadSucceeds,
             "a read whose first byte is readable succeeds with the right bytes, maybe short") {
  const CutRegion c = cut_region(env);
  const std::uint64_t readable = c.readable_end - c.region.base;
  const std::uint64_t offset = gen_offset(env.page, readable);
  const std::uint32_t length = *rc::gen::inRange<std::uint32_t>(1, 3 * env.page).as("length");
  RC_CLASSIFY(c.region.base + offset + length > c.readable_end, "runs into unreadable memory");
  const ReadCall rd = read(env.target, c.region.base + offset, length);
  check(env, rd.hr == S_OK, rd.show() + ": the first byte is readable, so the read must succeed");
  check(env, rd.bytes_read > 0 && rd.bytes_read <= length,
        rd.show() + ": *pBytesRead must be in 1.." + hex(length));
  const std::uint64_t valid = std::min<std::uint64_t>(rd.bytes_read, readable - offset);
  for (std::uint64_t i = 0; i < valid; ++i)
    check(env, rd.data[i] == c.bytes[offset + i],
          rd.show() + ": byte " + hex(c.region.base + offset + i) + " read as " + hex(rd.data[i]) +
              ", target holds " + hex(c.bytes[offset + i]));
  check(env, rd.bytes_read <= readable - offset,
        rd.show() + ": reported bytes beyond the readable end " + hex(c.readable_end));
}

VMC_PROPERTY("RV-FAIL", RvFailUnreadableFirstByteFails,
             "a read whose first byte is free, reserved, NOACCESS or guard fails") {
  const Region r = committed_region(env, 2);
  fill(env, r, 3);
  const Inaccessible kind = gen_inaccessible();
  const std::uint64_t bad = spoil_page(env, r, 1, kind);
  const std::uint64_t address = bad + gen_offset(env.page, env.page);
  const ReadCall rd = read(env.target, address, *rc::gen::inRange<std::uint32_t>(1, 2 * env.page).as("length"));
  RC_TAG(to_string(kind));
  check(env, failed(rd.hr), rd.show() + ": the first byte is in " + to_string(kind));
}

VMC_PROPERTY("RV-PREFIX", RvPrefixReadsWholeReadablePrefix,
             "a successful read returns the whole readable prefix (win32 profile)") {
  const CutRegion c = cut_region(env);
  const std::uint64_t readable = c.readable_end - c.region.base;
  const std::uint64_t offset = gen_offset(env.page, readable);
  const std::uint32_t length = *rc::gen::inRange<std::uint32_t>(1, 3 * env.page).as("length");
  const ReadCall rd = read(env.target, c.region.base + offset, length);
  const std::uint64_t expected = std::min<std::uint64_t>(length, readable - offset);
  check(env, rd.hr == S_OK && rd.bytes_read == expected,
        rd.show() + ": expected S_OK and *pBytesRead=" + hex(expected));
}

VMC_PROPERTY("RV-ZERO-LENGTH", RvZeroLengthReadSucceeds,
             "a zero-byte read returns S_OK with *pBytesRead = 0 (win32 profile)") {
  const Region r = committed_region(env, 1);
  const std::uint64_t address = pick<std::uint64_t>({r.base, r.base + 17, 0});
  const ReadCall rd = read(env.target, address, 0);
  check(env, rd.hr == S_OK && rd.bytes_read == 0, rd.show() + ": expected S_OK and 0 bytes");
}

}  // namespace vmc
