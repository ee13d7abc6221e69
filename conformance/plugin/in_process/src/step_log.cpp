// step_log.cpp - renders plugin calls as op-sequence text lines (vmconform/plugin/step_log.hpp).
#include "vmconform/plugin/step_log.hpp"

#include <algorithm>
#include <limits>

#include "vmconform/constants.hpp"

namespace vmc::plugin {
namespace {

bool fits_i32(std::int64_t v) {
  return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max();
}

/// base + pages * page + offset = address, with the offset inside one page; false if it does
/// not fit the format's signed 32-bit fields.
bool split(std::uint64_t address, std::uint64_t base, std::uint32_t page, std::int32_t* pages, std::int32_t* offset) {
  const bool below = address < base;
  const std::uint64_t distance = below ? base - address : address - base;
  const std::int64_t whole = static_cast<std::int64_t>(distance / page), rest = static_cast<std::int64_t>(distance % page);
  if (distance / page > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) return false;
  *pages = static_cast<std::int32_t>(below ? -whole : whole);
  *offset = static_cast<std::int32_t>(below ? -rest : rest);
  return true;
}

}  // namespace

void StepRecorder::start_case(std::uint32_t page_size, std::uint32_t granularity) {
  tracker_.restart(page_size);
  tracker_.set_foreign({});
  granularity_ = granularity == 0 ? tracker_.page_size() : granularity;
}

void StepRecorder::set_foreign(const std::vector<ForeignMemory>& foreign) {
  std::vector<opseq::ForeignSample> samples;
  for (const ForeignMemory& f : foreign) samples.push_back({f.address, f.size});
  tracker_.set_foreign(std::move(samples));
}

opseq::AddrRef StepRecorder::relative(std::uint64_t address, bool* exact) const {
  *exact = true;
  opseq::AddrRef a;
  if (address == 0) return a;
  // The newest reservation holding the address; failing that, the newest whose granule tail (or
  // the pages just past its end) holds it.
  const std::vector<opseq::Handle>& handles = tracker_.handles();
  const std::uint32_t page = tracker_.page_size();
  for (const bool tails : {false, true})
    for (std::size_t i = 0; i < handles.size() && i < 256; ++i) {
      const opseq::Handle& h = handles[handles.size() - 1 - i];
      if (address < h.base || address - h.base >= h.size + (tails ? granularity_ : 0)) continue;
      a.index = static_cast<std::uint8_t>(i);
      a.kind = tails ? opseq::AddrRef::Kind::region_end : opseq::AddrRef::Kind::region;
      if (split(address, tails ? h.base + h.size : h.base, page, &a.page, &a.offset)) return a;
    }
  if (fits_i32(static_cast<std::int64_t>(address))) {
    a.kind = opseq::AddrRef::Kind::zero;
    a.offset = static_cast<std::int32_t>(address);
    return a;
  }
  // Far from every reservation: relative to the newest one, in pages.
  if (!handles.empty()) {
    a = opseq::AddrRef{};
    a.kind = opseq::AddrRef::Kind::region;
    if (split(address, handles.back().base, page, &a.page, &a.offset)) return a;
  }
  *exact = false;
  return opseq::AddrRef{};
}

std::string StepRecorder::address_text(std::uint64_t address) const {
  bool exact = false;
  const opseq::AddrRef a = relative(address, &exact);
  return exact ? opseq::to_text(a) : hex(address);
}

namespace {
std::string with_address_note(std::string line, bool exact, std::uint64_t address) {
  if (!exact) line += "  # the address is " + hex(address) + ", which the text form cannot express here";
  return line;
}
}  // namespace

void StepRecorder::alloc(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect) {
  if (!sink_) return;  // nobody listens: skip the rendering (the fuzz target)
  opseq::Op op;
  op.kind = opseq::OpKind::alloc;
  bool exact = true;
  op.addr = relative(address, &exact);
  op.size = size;
  op.type = type;
  op.protect = protect;
  emit(with_address_note(opseq::to_text(op), exact, address));
}

void StepRecorder::alloc_done(std::uint64_t address, std::uint32_t size, std::uint32_t type, hresult hr,
                              std::uint64_t allocated) {
  tracker_.record_alloc(address, size, type, hr, allocated);
}

void StepRecorder::free(std::uint64_t address, std::uint64_t size, std::uint32_t type) {
  if (!sink_) return;
  bool exact = true;
  opseq::AddrRef a = relative(address, &exact);
  opseq::Op op;
  op.kind = opseq::OpKind::free;
  op.free_size = size;
  op.type = type;
  const bool in_reservation = a.kind == opseq::AddrRef::Kind::region || a.kind == opseq::AddrRef::Kind::region_end;
  const std::vector<opseq::ForeignSample>& foreign = tracker_.foreign();
  for (std::size_t i = 0; i < foreign.size() && i < 256 && !in_reservation; ++i) {
    const std::uint64_t d = address - foreign[i].address;
    if (address >= foreign[i].address && d < std::max<std::uint64_t>(foreign[i].size, 1) && d <= 0x7FFFFFFF) {
      op.kind = opseq::OpKind::free_foreign;
      a = opseq::AddrRef{opseq::AddrRef::Kind::foreign, static_cast<std::uint8_t>(i), 0, static_cast<std::int32_t>(d)};
      exact = true;
      break;
    }
  }
  op.addr = a;
  emit(with_address_note(opseq::to_text(op), exact, address));
}

std::string StepRecorder::access_line(opseq::OpKind kind, std::uint64_t address, std::uint32_t length,
                                      std::uint8_t pattern) const {
  opseq::Op op;
  op.kind = kind;
  bool exact = true;
  op.addr = relative(address, &exact);
  op.length = length;
  op.pattern = pattern;
  std::string line = with_address_note(opseq::to_text(op), exact, address);
  if (length > opseq::kMaxLength) line += "  # length " + hex(length) + " exceeds the text form's limit";
  return line;
}

void StepRecorder::write(std::uint64_t address, const std::uint8_t* data, std::uint32_t length) {
  if (!sink_) return;
  const std::uint8_t pattern = length > 0 && data != nullptr ? data[0] : 0;
  std::string line = access_line(opseq::OpKind::write, address, length, pattern);
  if (length > 0 && length <= opseq::kMaxLength && data != nullptr) {
    const std::vector<std::uint8_t> expected = opseq::pattern_bytes(pattern, length);
    for (std::uint32_t i = 0; i < length; ++i)
      if (expected[i] != data[i]) {
        line += "  # the data are not this pattern (byte " + hex(i) + " is " + hex(data[i]) + ")";
        break;
      }
  }
  emit(line);
}

void StepRecorder::read(std::uint64_t address, std::uint32_t length) {
  if (sink_) emit(access_line(opseq::OpKind::read, address, length, 0));
}

void StepRecorder::query(std::uint64_t address) {
  if (sink_) emit("# query_virtual " + address_text(address));
}

void StepRecorder::note(const std::string& text) {
  if (sink_) emit("# " + text);
}

}  // namespace vmc::plugin
