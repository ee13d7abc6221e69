// fuzz_sim.cpp - libFuzzer target: runs an op sequence on the reference model alone and checks
// the model's internal invariants (ReferenceModel::check_invariants) after every op, plus two
// promises every backend makes: success is exactly S_OK, and a successful write reads back.
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "vmconform/opseq_tracker.hpp"
#include "vmconform/reference_model.hpp"

namespace {

using vmc::opseq::OpKind;

/// Runs one op on the model; returns its status. Records new reservations in `tracker`, as every
/// executor does (impl/opseq/FORMAT.md section 5), and checks that the model made that reservation.
vmc::hresult run_op(vmc::ReferenceModel& model, const vmc::opseq::Op& op, std::uint64_t address,
                    vmc::opseq::Tracker& tracker, std::string& problem) {
  switch (op.kind) {
    case OpKind::alloc: {
      std::uint64_t out = 0;
      const vmc::hresult hr = model.allocate_virtual_memory(address, op.size, op.type, op.protect, &out);
      if (tracker.record_alloc(address, op.size, op.type, hr, out)) {
        const vmc::Allocation* a = model.allocation_containing(out);
        if (a == nullptr || a->base != out) problem = "allocation succeeded but no reservation starts at " + vmc::hex(out);
        else if (a->size != tracker.handles().back().size)
          problem = "the reservation at " + vmc::hex(out) + " is " + vmc::hex(a->size) + " bytes, the format's rule says " +
                    vmc::hex(tracker.handles().back().size);
      }
      return hr;
    }
    case OpKind::free:
    case OpKind::free_foreign: return model.virtual_free(address, op.free_size, op.type);
    case OpKind::write: {
      const std::vector<std::uint8_t> data = vmc::opseq::pattern_bytes(op.pattern, op.length);
      const vmc::hresult hr = model.write_virtual(address, data.data(), op.length);
      if (hr == vmc::S_OK && op.length > 0) {
        std::vector<std::uint8_t> back(op.length);
        std::uint32_t n = 0;
        if (model.read_virtual(address, back.data(), op.length, &n) != vmc::S_OK || n != op.length || back != data)
          problem = "a successful write does not read back";
      }
      return hr;
    }
    case OpKind::read: {
      std::vector<std::uint8_t> buffer(op.length);
      std::uint32_t n = 0xdeadbeef;
      const vmc::hresult hr = model.read_virtual(address, buffer.data(), op.length, &n);
      if (hr == vmc::S_OK && n > op.length) problem = "*pBytesRead " + vmc::hex(n) + " exceeds the request";
      return hr;
    }
    case OpKind::inject_fault: model.inject_host_fault(op.fault); return vmc::S_OK;
  }
  return vmc::S_OK;
}

}  // namespace

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  vmc::ReferenceModel model;  // default configuration: seed 1, a foreign image at 0x400000
  std::vector<vmc::opseq::ForeignSample> foreign;
  for (const vmc::ForeignMemory& f : model.foreign_memory()) foreign.push_back({f.address, f.size});
  vmc::opseq::Tracker tracker(model.page_size(), std::move(foreign));
  bool fault_pending = false;  // an injected code, which may be a success code, is returned as is
  for (std::size_t i = 0; i < s->size(); ++i) {
    const vmc::opseq::Op& op = (*s)[i];
    const std::uint64_t address = tracker.resolve(op.addr);
    std::string problem;
    const vmc::hresult hr = run_op(model, op, address, tracker, problem);
    const bool is_free = op.kind == OpKind::free || op.kind == OpKind::free_foreign;
    const bool injected = is_free && fault_pending;
    if (op.kind == OpKind::inject_fault) fault_pending = true;
    if (is_free) fault_pending = false;
    if (vmc::succeeded(hr) && hr != vmc::S_OK && !injected)
      problem = "success must be S_OK, got " + vmc::hresult_name(hr);
    if (problem.empty())
      if (std::optional<std::string> broken = model.check_invariants()) problem = "invariant broken: " + *broken;
    if (!problem.empty())
      vmc::fuzz::crash("reference model, step " + std::to_string(i + 1) + " `" + vmc::opseq::to_text(op) + "` at " +
                           vmc::hex(address),
                       "X-MODEL", problem, *s);
  }
  return 0;
}
