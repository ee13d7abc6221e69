// mutant_backends.cpp - exposes every mutant as a backend named "mutant:<name>", so that
// `vmconform run --backend mutant:partial-write` shows what a caught bug looks like.
#include "vmconform/backend_registry.hpp"
#include "vmconform/mutants.hpp"

namespace vmc {
namespace {

class MutantFactory final : public TargetFactory {
 public:
  MutantFactory(const MutantInfo& info, std::uint64_t seed) : info_(info), seed_(seed) {}
  std::string name() const override { return "mutant:" + info_.name; }
  std::unique_ptr<Target> make() override { return info_.make(seed_ * 0x9E3779B97F4A7C15ull + ++cases_); }

 private:
  const MutantInfo& info_;
  std::uint64_t seed_;
  std::uint64_t cases_ = 0;
};

const bool registered = [] {
  for (const MutantInfo& m : mutants()) {
    register_backend(BackendInfo{"mutant:" + m.name, "mutant breaking " + m.rule + ": " + m.description, false,
                                 [&m](const BackendOptions& o) -> std::unique_ptr<TargetFactory> {
                                   return std::make_unique<MutantFactory>(m, o.seed);
                                 }});
  }
  return true;
}();

}  // namespace
}  // namespace vmc
