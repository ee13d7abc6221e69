// write_properties.cpp - properties of ICorDebugMutableDataTarget::WriteVirtual (WV-*).
//
// EVIDENCE-OF: ICorDebugMutableDataTarget-WriteVirtual.fr.md - S_OK on success; if any byte
// cannot be written the call fails and no byte of the target changes.
#include <rapidcheck.h>

#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

/// A write range [offset, offset+length) inside `limit` bytes, biased to straddle pages.
std::pair<std::uint64_t, std::uint32_t> gen_range(const CaseEnv& env, std::uint64_t limit) {
  const std::uint64_t offset = gen_offset(env.page, limit);
  const std::uint64_t room = limit - offset;
  const std::uint64_t length = *rc::gen::weightedOneOf<std::uint64_t>(
      {{2, rc::gen::inRange<std::uint64_t>(1, std::min<std::uint64_t>(room, 16) + 1)},
       {2, rc::gen::inRange<std::uint64_t>(1, room + 1)},
       {1, rc::gen::just(room)}}).as("length");
  return {offset, static_cast<std::uint32_t>(length)};
}

/// Builds a region whose page `bad` is inaccessible and returns a write that touches it.
struct SpoiledWrite {
  Region region;
  std::uint64_t bad_address;
  std::uint64_t address;
  std::vector<std::uint8_t> data;
};
SpoiledWrite spoiled_write(const CaseEnv& env, Inaccessible kind) {
  SpoiledWrite w;
  w.region = committed_region(env, *rc::gen::inRange<std::uint32_t>(2, 6).as("pages"));
  fill(env, w.region, gen_pattern_seed());
  const std::uint32_t bad = *rc::gen::inRange<std::uint32_t>(1, w.region.pages).as("bad page");
  w.bad_address = spoil_page(env, w.region, bad, kind);
  // Start before the bad page when it is next to the region (straddle), else inside it.
  const bool adjacent = kind != Inaccessible::released;
  const std::uint64_t start =
      adjacent ? w.bad_address - 1 - *rc::gen::inRange<std::uint64_t>(0, env.page).as("distance before it")
               : w.bad_address + *rc::gen::inRange<std::uint64_t>(0, env.page).as("offset into it");
  const std::uint32_t length = static_cast<std::uint32_t>(
      (adjacent ? w.bad_address - start : 0) + *rc::gen::inRange<std::uint32_t>(1, env.page + 1).as("length"));
  w.address = start;
  w.data = pattern_data(gen_pattern_seed(), length);
  RC_CLASSIFY(adjacent, "straddles into the inaccessible page");
  RC_TAG(to_string(kind));
  return w;
}

Observation observe_all(const CaseEnv& env, const Region& r) {
  // The region, plus the page after it (its own granule tail).
  return observe(env.target, r.base, r.size(env.page) + env.page, env.page);
}

}  // namespace

VMC_PROPERTY("WV-ROUNDTRIP", WvRoundtripWrittenBytesReadBack,
             "writes to committed READWRITE/EXECUTE_READWRITE memory read back exactly") {
  const std::uint32_t protect = *rc::gen::element(PAGE_READWRITE, PAGE_EXECUTE_READWRITE).as("protection");
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 9).as("pages"), protect);
  const auto [offset, length] = gen_range(env, r.size(env.page));
  const auto data = pattern_data(gen_pattern_seed(), length);
  RC_CLASSIFY(offset / env.page != (offset + length - 1) / env.page, "crosses a page boundary");
  const WriteCall w = write(env.target, r.base + offset, data);
  check(env, w.hr == S_OK, w.show() + " on committed " + protect_name(protect) + " memory");
  const ReadCall rd = read_fully(env.target, r.base + offset, length);
  check(env, rd.hr == S_OK && rd.bytes_read == length && rd.data == data,
        "after " + w.show() + ": " + rd.show() + " does not return the bytes written");
}

VMC_PROPERTY("WV-ATOMIC", WvAtomicFailedWriteChangesNothing,
             "a write touching an inaccessible page changes no byte when it fails") {
  const Inaccessible kind = gen_inaccessible();
  const SpoiledWrite w = spoiled_write(env, kind);
  const Observation before = observe_all(env, w.region);
  const WriteCall c = write(env.target, w.address, w.data);
  const Observation after = observe_all(env, w.region);
  if (failed(c.hr)) {
    const std::string d = diff(before, after);
    check(env, d.empty(), c.show() + " touching " + to_string(kind) + " at " +
                              hex(w.bad_address) + " failed but changed the target: " + d);
  } else {
    const ReadCall rd = read_fully(env.target, w.address, c.length);
    check(env, rd.bytes_read == c.length && rd.data == w.data,
          c.show() + " reported success but did not write every byte: " + rd.show());
  }
}

VMC_PROPERTY("WV-UNWRITABLE", WvUnwritableWriteTouchingInaccessiblePageFails,
             "writes touching free, reserved, NOACCESS or guard pages fail") {
  const Inaccessible kind = gen_inaccessible();
  const SpoiledWrite w = spoiled_write(env, kind);
  const WriteCall c = write(env.target, w.address, w.data);
  check(env, failed(c.hr), c.show() + " touches " + to_string(kind) + " at " +
                               hex(w.bad_address) + " and should fail");
}

VMC_PROPERTY("WV-STATUS", WvStatusIsSOkOrAFailure,
             "every WriteVirtual returns S_OK or a failing HRESULT") {
  const Region r = committed_region(env, 3);
  const bool spoil = *rc::gen::arbitrary<bool>().as("spoil");
  if (spoil) spoil_page(env, r, 1, gen_inaccessible());
  const auto [offset, length] = gen_range(env, r.size(env.page));
  const WriteCall c = write(env.target, r.base + offset, pattern_data(gen_pattern_seed(), length));
  RC_CLASSIFY(failed(c.hr), "the write failed");
  check(env, c.hr == S_OK || failed(c.hr), c.show() + ": neither S_OK nor a failure");
}

VMC_PROPERTY("WV-CODE-READONLY", WvCodeReadonlyFailureIsNoAccessOrPartialCopy,
             "writes refused for a PAGE_READONLY page return HRESULT_FROM_WIN32(ERROR_NOACCESS or ERROR_PARTIAL_COPY)") {
  // D-WV-CODE: the code is established for a read-only target only (Wine's test_VirtualAllocEx,
  // which runs on Windows); free, reserved, no-access and guard pages may fail with any code.
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(2, 5));
  // Not the last page: a write running past the read-only page stays in the region's committed
  // read-write pages (past the region it would touch free memory, where any code is accepted).
  const std::uint32_t ro = *rc::gen::inRange<std::uint32_t>(0, r.pages - 1);
  must_alloc(env, r.base + std::uint64_t{ro} * env.page, env.page, MEM_COMMIT, PAGE_READONLY);
  const std::uint64_t start = r.base + std::uint64_t{ro} * env.page + gen_offset(env.page, env.page);
  const std::uint32_t length = *rc::gen::inRange<std::uint32_t>(1, env.page + 1);
  const WriteCall c = write(env.target, start, pattern_data(gen_pattern_seed(), length));
  check(env, failed(c.hr), c.show() + " writes into a PAGE_READONLY page and should fail");
  check(env, c.hr == HR_NOACCESS || c.hr == HR_PARTIAL_COPY,
        c.show() + ": expected " + hresult_name(HR_NOACCESS) + " or " + hresult_name(HR_PARTIAL_COPY));
}

VMC_PROPERTY("WV-READONLY", WvReadonlyWriteTouchingReadonlyPageFails,
             "writes touching a committed PAGE_READONLY page fail (win32 profile)") {
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(2, 5).as("pages"));
  fill(env, r, gen_pattern_seed());
  // Not the last page: a write running past the read-only page stays in the region's committed
  // read-write pages (past the region it would touch free memory, where any code is accepted).
  const std::uint32_t ro = *rc::gen::inRange<std::uint32_t>(0, r.pages - 1).as("read-only page");
  must_alloc(env, r.base + std::uint64_t{ro} * env.page, env.page, MEM_COMMIT, PAGE_READONLY);
  const std::uint64_t start = r.base + std::uint64_t{ro} * env.page + gen_offset(env.page, env.page);
  const std::uint32_t length = *rc::gen::inRange<std::uint32_t>(1, env.page + 1).as("length");
  const WriteCall c = write(env.target, start, pattern_data(gen_pattern_seed(), length));
  check(env, failed(c.hr), c.show() + " writes into a PAGE_READONLY page and should fail");
}

VMC_PROPERTY("WV-EXEC", WvExecWriteToCodePagesSucceeds,
             "writes to committed EXECUTE/EXECUTE_READ memory succeed (win32 profile)") {
  const std::uint32_t protect = *rc::gen::element(PAGE_EXECUTE, PAGE_EXECUTE_READ).as("protection");
  const Region r = committed_region(env, *rc::gen::inRange<std::uint32_t>(1, 4).as("pages"), protect);
  const auto [offset, length] = gen_range(env, r.size(env.page));
  const auto data = pattern_data(gen_pattern_seed(), length);
  const WriteCall c = write(env.target, r.base + offset, data);
  check(env, c.hr == S_OK, c.show() + " on committed " + protect_name(protect) + " memory");
  const ReadCall rd = read_fully(env.target, r.base + offset, length);
  check(env, rd.hr == S_OK && rd.data == data, "after " + c.show() + ": " + rd.show() +
                                                   " does not return the bytes written");
}

VMC_PROPERTY("WV-ZERO-LENGTH-WRITABLE", WvZeroLengthWritableWriteSucceedsInWritableMemory,
             "zero-byte writes into committed writable memory return S_OK and change nothing (win32 profile)") {
  // D-ZERO-WRITE: S_OK is established where WriteProcessMemory of 0 bytes was tested (a committed
  // writable allocation); elsewhere any result is accepted as long as nothing changes.
  const std::uint32_t protect = *rc::gen::element(PAGE_READWRITE, PAGE_EXECUTE_READWRITE);
  const Region r = committed_region(env, 2, protect);
  fill(env, r, 7);
  const Inaccessible kind = gen_inaccessible();
  spoil_page(env, r, 1, kind);
  const std::uint64_t address = pick<std::uint64_t>({r.base, r.base + 5, r.base + env.page - 1});
  const Observation before = observe_all(env, r);
  const WriteCall c = write(env.target, address, {});
  check(env, c.hr == S_OK, c.show() + ": a zero-byte write into committed " + protect_name(protect) +
                               " memory should return S_OK");
  const std::string d = diff(before, observe_all(env, r));
  check(env, d.empty(), c.show() + " changed the target: " + d);
  // Anywhere else (a spoiled page, address 0): any result, and nothing changes.
  const WriteCall elsewhere = write(env.target, pick<std::uint64_t>({r.base + env.page, 0}), {});
  const std::string d2 = diff(before, observe_all(env, r));
  check(env, d2.empty(), elsewhere.show() + " changed the target: " + d2);
}

VMC_PROPERTY("WV-BUFFER-CONST", WvBufferConstCallerBufferUnchanged,
             "WriteVirtual never modifies the caller's buffer") {
  const Region r = committed_region(env, 3);
  if (*rc::gen::arbitrary<bool>().as("spoil page 2")) spoil_page(env, r, 2, gen_inaccessible());
  const auto [offset, length] = gen_range(env, r.size(env.page));
  const WriteCall c = write(env.target, r.base + offset, pattern_data(gen_pattern_seed(), length));
  check(env, !c.buffer_changed, c.show() + ": pBuffer is [in] const");
}

}  // namespace vmc
