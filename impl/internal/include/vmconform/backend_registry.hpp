// backend_registry.hpp - the built-in backends by name (`vmconform run --backend NAME`).
//
// Each backend registers one factory maker at static-initialisation time with
// VMC_REGISTER_BACKEND; the conformance suite, the CLI and the fuzzers iterate the registry,
// so a backend added later is checked by the whole suite without new test code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vmconform/target.hpp"

namespace vmc {

struct BackendOptions {
  std::uint64_t seed = 1;  // for backends with a deterministic address choice
  std::string options;     // backend-specific (for example "pid=1234")
};

struct BackendInfo {
  std::string name;
  std::string description;
  /// Run by default by `vmconform run --backend all` and by the gtest suite.
  bool in_default_suite = true;
  std::function<std::unique_ptr<TargetFactory>(const BackendOptions&)> make_factory;
  /// Whether BackendOptions::options means anything to it: `--backend-options` given to a
  /// backend that takes none is an error, not silently ignored.
  bool takes_options = false;
};

/// All registered backends, sorted by name.
std::vector<BackendInfo> registered_backends();
/// nullptr if no backend has this name.
const BackendInfo* find_backend(const std::string& name);
/// Used by VMC_REGISTER_BACKEND; returns true so it can initialise a static.
bool register_backend(BackendInfo info);

}  // namespace vmc

#define VMC_REGISTER_BACKEND_CONCAT2(a, b) a##b
#define VMC_REGISTER_BACKEND_CONCAT(a, b) VMC_REGISTER_BACKEND_CONCAT2(a, b)
/// VMC_REGISTER_BACKEND(vmc::BackendInfo{...}); at namespace scope in the backend's .cpp.
#define VMC_REGISTER_BACKEND(...)                                                   \
  [[maybe_unused]] static const bool VMC_REGISTER_BACKEND_CONCAT(vmc_backend_registered_, \
                                                                 __LINE__) =        \
      ::vmc::register_backend(__VA_ARGS__)
