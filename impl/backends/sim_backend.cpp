// sim_backend.cpp - the reference model as a backend (`--backend sim`).
//
// Every case gets a fresh model whose address choice is seeded from the run's seed and a case
// counter, so runs are reproducible and cases are independent. The model serializes its calls
// with one lock (LockedTarget), so it is a correct host for concurrent callers too.
#include "vmconform/backend_registry.hpp"
#include "vmconform/locked_target.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc {
namespace {
class SimFactory final : public TargetFactory {
 public:
  explicit SimFactory(std::uint64_t seed) : seed_(seed) {}
  std::string name() const override { return "sim"; }
  std::unique_ptr<Target> make() override {
    ModelConfig config;
    config.seed = seed_ * 0x9E3779B97F4A7C15ull + ++cases_;
    return std::make_unique<LockedTarget>(std::make_unique<ReferenceModel>(config));
  }

 private:
  std::uint64_t seed_;
  std::uint64_t cases_ = 0;
};
}  // namespace

VMC_REGISTER_BACKEND(BackendInfo{
    "sim", "the reference model (the oracle) as a backend", true,
    [](const BackendOptions& o) -> std::unique_ptr<TargetFactory> {
      return std::make_unique<SimFactory>(o.seed);
    }});

}  // namespace vmc
