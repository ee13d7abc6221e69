// fuzz_native.cpp - libFuzzer target: the `native` backend (this process's own memory) against
// the reference model through vmc::Differential, profile win32; a divergence is a crash.
#include "fuzz_support.hpp"

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  const std::unique_ptr<vmc::TargetFactory> factory = vmc::fuzz::make_factory("native");
  vmc::fuzz::check_differential(*factory, *s);
  return 0;
}
