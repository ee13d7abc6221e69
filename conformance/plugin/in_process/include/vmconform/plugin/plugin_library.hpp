// plugin_library.hpp - loading a plugin shared object and checking its table (the loader).
//
// load() opens the file with dlopen, finds vmc_plugin_v1_entry, calls it and checks the table
// it returns: the ABI version and every required function pointer. Each problem throws a
// LoadError whose kind says which check failed ("load": not a loadable shared object; "abi":
// not a plugin, another ABI version, a missing function) and whose message says what to do.
// The library is never unloaded: a plugin may leave threads or atexit handlers behind, and
// the worker process that loaded it exits anyway. Runs inside the worker, never in the
// parent of `vmconform run` or `vmconform replay`, because dlopen runs the plugin's own
// constructors; the host that loads a plugin in its own process on purpose (the fuzz target
// fuzz_plugin, where a crashing plugin is the finding) also calls check_one_target, the worker
// probe's check of open() and of the geometry.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "vmconform/plugin.h"

namespace vmc::plugin {

struct LoadError : std::runtime_error {
  LoadError(std::string kind_, const std::string& message) : std::runtime_error(message), kind(std::move(kind_)) {}
  std::string kind;  // "load", "abi" or "open"
};

class PluginLibrary {
 public:
  /// Throws LoadError.
  static PluginLibrary load(const std::string& path);

  const vmc_plugin_v1& api() const { return *api_; }
  /// The plugin's name field, or the file name if the plugin left it NULL.
  std::string name() const;
  const std::string& path() const { return path_; }

 private:
  PluginLibrary(std::string path, const vmc_plugin_v1* api) : path_(std::move(path)), api_(api) {}
  std::string path_;
  const vmc_plugin_v1* api_;
};

/// Why a target's page size and allocation granularity are unusable, or "" if they are fine.
std::string geometry_problem(std::uint32_t page_size, std::uint32_t granularity);

/// Opens one target with `options`, checks its geometry and closes it again. Throws LoadError
/// "open" if open() returns NULL, "abi" if geometry_problem() finds something.
void check_one_target(const vmc_plugin_v1& api, const std::string& options);

}  // namespace vmc::plugin
