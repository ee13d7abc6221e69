// step_log.hpp - every call into a plugin as a line of the op-sequence text form.
//
// The worker announces each call before making it, so that when a plugin crashes or hangs the
// parent knows the calls of the case up to the one that never returned. StepRecorder renders a
// call as the op it is (impl/opseq/FORMAT.md, section 7), with addresses relative to the reservations
// the case has made so far (r0 = newest, end(rN), fN = foreign sample N), exactly as the state
// machine prints its counterexamples; a write whose data is not an op-sequence pattern, and
// calls the text form has no op for (queries, the second target of VF-FOREIGN, the probes),
// carry a `#` comment. The sink receives each line; the recorder keeps nothing else. Without a
// sink it renders nothing and only follows the reservations (the fuzz target fuzz_plugin).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vmconform/opseq.hpp"
#include "vmconform/opseq_tracker.hpp"
#include "vmconform/target.hpp"

namespace vmc::plugin {

class StepRecorder {
 public:
  using Sink = std::function<void(const std::string& line)>;
  explicit StepRecorder(Sink sink) : sink_(std::move(sink)) {}

  /// A fresh target: forgets the reservations and foreign samples of the previous case.
  void start_case(std::uint32_t page_size, std::uint32_t granularity);
  void set_foreign(const std::vector<ForeignMemory>& foreign);

  void alloc(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect);
  /// After the call: records a new reservation as every executor does (opseq::Tracker).
  void alloc_done(std::uint64_t address, std::uint32_t size, std::uint32_t type, hresult hr, std::uint64_t allocated);
  void free(std::uint64_t address, std::uint64_t size, std::uint32_t type);
  void write(std::uint64_t address, const std::uint8_t* data, std::uint32_t length);
  void read(std::uint64_t address, std::uint32_t length);
  void query(std::uint64_t address);
  /// A comment line ("# ...") for calls that are not ops of this case.
  void note(const std::string& text);

  /// `address` relative to the case's reservations (or absolute), e.g. "r0+p1-0x1".
  std::string address_text(std::uint64_t address) const;

 private:
  void emit(const std::string& line) {
    if (sink_) sink_(line);
  }
  opseq::AddrRef relative(std::uint64_t address, bool* exact) const;
  /// A write or read op's line, with a comment where the text form cannot say it exactly.
  std::string access_line(opseq::OpKind kind, std::uint64_t address, std::uint32_t length, std::uint8_t pattern) const;

  Sink sink_;
  std::uint32_t granularity_ = 0x10000;
  opseq::Tracker tracker_;  // the case's reservations and foreign samples
};

}  // namespace vmc::plugin
