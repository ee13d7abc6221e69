// fuzz_mutant.cpp - libFuzzer target: any registered backend, named by the environment variable
// VMCONFORM_FUZZ_BACKEND (default "sim"), against the reference model through vmc::Differential,
// profile win32. The time-to-find benchmark points it at the "mutant:<name>" backends.
#include <cstdlib>

#include "fuzz_support.hpp"

namespace {
std::string backend_name() {
  const char* name = std::getenv("VMCONFORM_FUZZ_BACKEND");
  return name != nullptr && *name != '\0' ? name : "sim";
}
}  // namespace

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  static const std::string backend = backend_name();  // read once: the run fuzzes one backend
  if (vmc::fuzz::factory_is_expensive(backend)) {
    static const std::unique_ptr<vmc::TargetFactory> shared = vmc::fuzz::make_factory(backend);
    vmc::fuzz::check_differential(*shared, *s);
  } else {
    vmc::fuzz::check_differential(*vmc::fuzz::make_factory(backend), *s);
  }
  return 0;
}
