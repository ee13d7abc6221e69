// step_log_test.cpp - StepRecorder: every plugin call as a line of the op-sequence text form,
// with addresses relative to the case's reservations (recorded as opseq::Tracker records them),
// foreign frees as free_foreign ops, and `#` comments for what the text form cannot say.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vmconform/plugin/step_log.hpp"

namespace vmc::plugin {
namespace {

using K = opseq::AddrRef::Kind;

struct Recorded {
  std::vector<std::string> lines;
  StepRecorder recorder{[this](const std::string& line) { lines.push_back(line); }};
};

opseq::Op op(opseq::OpKind kind, opseq::AddrRef addr) {
  opseq::Op o;
  o.kind = kind;
  o.addr = addr;
  return o;
}

TEST(StepRecorder, WritesCallsRelativeToTheNewestReservation) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.alloc(0, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  r.recorder.alloc_done(0, 0x2000, MEM_COMMIT | MEM_RESERVE, S_OK, 0x50000);
  opseq::Op alloc = op(opseq::OpKind::alloc, {});
  alloc.size = 0x2000;
  alloc.type = MEM_COMMIT | MEM_RESERVE;
  alloc.protect = PAGE_READWRITE;
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], opseq::to_text(alloc));

  const std::vector<std::uint8_t> data = opseq::pattern_bytes(0x41, 3);
  r.recorder.write(0x51001, data.data(), 3);
  opseq::Op write = op(opseq::OpKind::write, {K::region, 0, 1, 1});
  write.length = 3;
  write.pattern = 0x41;
  EXPECT_EQ(r.lines.back(), opseq::to_text(write));

  r.recorder.read(0x52000, 8);  // just past the reservation, in its granule tail
  opseq::Op read = op(opseq::OpKind::read, {K::region_end, 0, 0, 0});
  read.length = 8;
  EXPECT_EQ(r.lines.back(), opseq::to_text(read));
  EXPECT_EQ(r.recorder.address_text(0x50010), "r0+0x10");
}

TEST(StepRecorder, SaysWhenTheDataAreNotAPattern) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.alloc_done(0, 0x1000, MEM_COMMIT | MEM_RESERVE, S_OK, 0x50000);
  const std::uint8_t data[2] = {0x41, 0x00};
  r.recorder.write(0x50000, data, 2);
  EXPECT_NE(r.lines.back().find("# the data are not this pattern (byte 0x1 is 0x0)"), std::string::npos)
      << r.lines.back();
}

TEST(StepRecorder, FreesOfForeignMemoryAreForeignFrees) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.set_foreign({{0x7000'0000, 0x100, "a block"}, {0x7100'0000, 0x1000, "a page"}});
  r.recorder.free(0x7100'0010, 0, MEM_RELEASE);
  opseq::Op free = op(opseq::OpKind::free_foreign, {K::foreign, 1, 0, 0x10});
  free.type = MEM_RELEASE;
  EXPECT_EQ(r.lines.back(), opseq::to_text(free));
}

TEST(StepRecorder, NotesWhatTheTextFormCannotSay) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.note("open() for target #1");
  EXPECT_EQ(r.lines.back(), "# open() for target #1");
  r.recorder.query(0x1234);
  EXPECT_EQ(r.lines.back(), "# query_virtual 0+0x1234");
  r.recorder.read(0x7FFF'0000'0000, 1);  // no reservation, beyond the format's 32-bit offsets
  EXPECT_NE(r.lines.back().find("# the address is 0x7fff00000000"), std::string::npos) << r.lines.back();
}

TEST(StepRecorder, AFailedAllocationOrACommitMakesNoReservation) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.alloc_done(0, 0x1000, MEM_COMMIT | MEM_RESERVE, S_OK, 0x50000);
  r.recorder.alloc_done(0, 0x1000, MEM_RESERVE, E_OUTOFMEMORY, 0);
  r.recorder.alloc_done(0x50000, 0x1000, MEM_COMMIT, S_OK, 0x50000);
  EXPECT_EQ(r.recorder.address_text(0x50000), "r0");
  r.recorder.alloc_done(0, 0x1000, MEM_RESERVE, S_OK, 0x60000);
  EXPECT_EQ(r.recorder.address_text(0x50000), "r1");
}

TEST(StepRecorder, ANewCaseForgetsTheReservations) {
  Recorded r;
  r.recorder.start_case(0x1000, 0x10000);
  r.recorder.alloc_done(0, 0x1000, MEM_COMMIT | MEM_RESERVE, S_OK, 0x50000);
  r.recorder.start_case(0x1000, 0x10000);
  EXPECT_EQ(r.recorder.address_text(0x50000), "0+0x50000");
}

TEST(StepRecorder, WithoutASinkItRendersNothingButFollowsTheReservations) {
  StepRecorder silent{StepRecorder::Sink{}};
  silent.start_case(0x1000, 0x10000);
  silent.alloc(0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
  silent.alloc_done(0, 0x1000, MEM_RESERVE, S_OK, 0x50000);
  silent.note("nobody hears this");
  EXPECT_EQ(silent.address_text(0x50800), "r0+0x800");
}

}  // namespace
}  // namespace vmc::plugin
