// model_plugin.cpp - the example C++ plugin: vmconform's reference model behind the plugin ABI.
//
// Shows the C++ side of vmconform/plugin.h: a class of your own (here vmc::ReferenceModel, the
// suite's oracle, which is correct by definition) wrapped in a heap object that stands for the
// opaque vmc_target, captureless lambdas converted to the C function pointers, and no exception
// ever crossing the C boundary (open() returns NULL instead), and one lock per target: a plugin
// is called from several threads at once. Options: "seed=N" seeds the
// model's address choice; every open() without one takes the next seed, so cases differ.
#include <cstdlib>
#include <exception>
#include <mutex>
#include <new>
#include <string>

#include "vmconform/plugin.h"
#include "vmconform/reference_model.hpp"

struct vmc_target {
  vmc::ReferenceModel model;
  std::mutex lock;  // the model is not thread-safe; the suite calls a plugin from several threads
};

namespace {

std::uint64_t next_seed = 1;

vmc::ModelConfig config_from(const char* options) {
  vmc::ModelConfig config;
  const std::string text = options ? options : "";
  const auto at = text.find("seed=");
  config.seed = at == std::string::npos ? next_seed++ : std::strtoull(text.c_str() + at + 5, nullptr, 0);
  return config;
}

vmc::ReferenceModel& model(vmc_target* t) { return t->model; }
/// The model, locked for one call.
struct Locked {
  std::lock_guard<std::mutex> guard;
  vmc::ReferenceModel& model;
  explicit Locked(vmc_target* t) : guard(t->lock), model(t->model) {}
};

const vmc_plugin_v1 plugin = {
    VMC_PLUGIN_ABI_VERSION,
    "example-cpp-reference-model",
    [](const char* options) -> vmc_target* {
      try {
        return new vmc_target{vmc::ReferenceModel(config_from(options)), {}};
      } catch (const std::exception&) {
        return nullptr;
      }
    },
    [](vmc_target* t) { delete t; },
    [](vmc_target* t) { return model(t).page_size(); },
    [](vmc_target* t) { return model(t).allocation_granularity(); },
    [](vmc_target* t, std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
       std::uint64_t* allocated) { return Locked(t).model.allocate_virtual_memory(address, size, type, protect, allocated); },
    [](vmc_target* t, std::uint64_t address, std::uint64_t size, std::uint32_t type) {
      return Locked(t).model.virtual_free(address, size, type);
    },
    [](vmc_target* t, std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) {
      return Locked(t).model.write_virtual(address, buffer, n);
    },
    [](vmc_target* t, std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) {
      return Locked(t).model.read_virtual(address, buffer, n, bytes_read);
    },
    [](vmc_target* t, std::uint64_t address, vmc_region_info* info) -> vmc_hresult {
      if (info == nullptr) return vmc::E_POINTER;
      vmc::RegionInfo r;
      const vmc::hresult hr = Locked(t).model.query_virtual(address, &r);
      *info = vmc_region_info{r.base_address, r.allocation_base, r.region_size,
                              r.allocation_protect, r.state, r.protect, r.type};
      return hr;
    },
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vmc_plugin_v1* vmc_plugin_v1_entry(void) { return &plugin; }
