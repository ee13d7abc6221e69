// fuzz_process.cpp - libFuzzer target: the `process` backend (a traced child's memory) against
// the reference model through vmc::Differential, profile win32; a divergence is a crash. One
// factory (and so one reusable child) serves the whole run, since starting a child per input is
// slow; every input still gets a fresh target, which releases all it mapped when it goes.
#include "fuzz_support.hpp"

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  static const std::unique_ptr<vmc::TargetFactory> factory = vmc::fuzz::make_factory("process");
  vmc::fuzz::check_differential(*factory, *s);
  return 0;
}
