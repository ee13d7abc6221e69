// plugin_library.hpp - loading a plugin shared object and checking its table (the loader).
//
// load() opens the file with dlopen, finds vmc_plugin_v2_entry (ABI version 2) or else
// vmc_plugin_v1_entry (version 1), calls it and checks the table it returns: the ABI version and
// every function pointer the version requires (for version 2: open and close, allocate and free
// together, at least one operation, a memory location when an operation is missing). Each problem
// throws a LoadError whose kind says which check failed ("load": not a loadable shared object;
// "abi": not a plugin, another ABI version, a missing function) and whose message says what to do.
// Both versions become one PluginApi, the table the rest of the host uses: version 1's with every
// operation present, version 2's with its geometry defaulted (NULL page_size: 0x1000). The library
// is never unloaded: a plugin may leave threads or atexit handlers behind, and the worker process
// that loaded it exits anyway. Runs inside the worker, never in the parent of `vmconform run` or
// `vmconform replay`, because dlopen runs the plugin's own constructors; the host that loads a
// plugin in its own process on purpose (the fuzz target fuzz_plugin, where a crashing plugin is
// the finding) also calls check_one_target, the worker probe's check of open(),
// of the memory location and of the geometry.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "vmconform/plugin.h"

namespace vmc::plugin {

/// The geometry of the memory the suite arranges for a plugin without allocate_virtual_memory
/// (that of its `native` and `process` backends, and of Windows on x86 and x64).
inline constexpr std::uint32_t kArrangedPageSize = 0x1000;
inline constexpr std::uint32_t kArrangedGranularity = 0x10000;

struct LoadError : std::runtime_error {
  LoadError(std::string kind_, const std::string& message) : std::runtime_error(message), kind(std::move(kind_)) {}
  std::string kind;  // "load", "abi" or "open"
};

/// A plugin's table, whichever ABI version it came from. open, close, page_size and
/// allocation_granularity are never NULL; the operations, query_virtual, memory_process and
/// inject_free_failure are NULL where the plugin does not provide them (never for version 1's
/// four operations).
struct PluginApi {
  int abi = 1;
  const char* name = nullptr;            // the table's name field (may be NULL)
  const char* interface_name = nullptr;  // version 2's interface_name (may be NULL)
  vmc_target* (*open)(const char* options) = nullptr;
  void (*close)(vmc_target* t) = nullptr;
  std::uint32_t (*page_size)(vmc_target* t) = nullptr;
  std::uint32_t (*allocation_granularity)(vmc_target* t) = nullptr;
  std::int64_t (*memory_process)(vmc_target* t) = nullptr;
  vmc_hresult (*allocate_virtual_memory)(vmc_target* t, std::uint64_t address, std::uint32_t size,
                                         std::uint32_t allocation_type, std::uint32_t page_protection,
                                         std::uint64_t* allocated_address) = nullptr;
  vmc_hresult (*virtual_free)(vmc_target* t, std::uint64_t address, std::uint64_t size,
                              std::uint32_t free_type) = nullptr;
  vmc_hresult (*write_virtual)(vmc_target* t, std::uint64_t address, const std::uint8_t* buffer,
                               std::uint32_t bytes_requested) = nullptr;
  vmc_hresult (*read_virtual)(vmc_target* t, std::uint64_t address, std::uint8_t* buffer,
                              std::uint32_t bytes_requested, std::uint32_t* bytes_read) = nullptr;
  vmc_hresult (*query_virtual)(vmc_target* t, std::uint64_t address, vmc_region_info* info) = nullptr;
  std::int32_t (*inject_free_failure)(vmc_target* t, vmc_hresult code) = nullptr;

  bool allocates() const { return allocate_virtual_memory != nullptr; }  // and frees (checked at load)
  bool writes() const { return write_virtual != nullptr; }
  bool reads() const { return read_virtual != nullptr; }
  /// Every operation present: the plugin is checked as a version-1 plugin is.
  bool complete() const { return allocates() && writes() && reads(); }
  /// memory_process(t), or VMC_MEMORY_ELSEWHERE when the plugin does not say.
  std::int64_t memory(vmc_target* t) const { return memory_process ? memory_process(t) : VMC_MEMORY_ELSEWHERE; }
  /// The documented operations the plugin provides, in catalogue order ("WriteVirtual", ...).
  std::vector<std::string> operations() const;
};

/// A version-1 table as a PluginApi (every pointer copied as it is).
PluginApi api_from(const vmc_plugin_v1& table);
/// A version-2 table as a PluginApi; throws LoadError "abi" (naming `path`) if the table breaks a
/// rule of plugin.h's loading paragraph that a table alone can break.
PluginApi api_from(const vmc_plugin_v2& table, const std::string& path);

class PluginLibrary {
 public:
  /// Throws LoadError.
  static PluginLibrary load(const std::string& path);

  const PluginApi& api() const { return api_; }
  /// The plugin's name field, or the file name if the plugin left it NULL.
  std::string name() const;
  const std::string& path() const { return path_; }

 private:
  PluginLibrary(std::string path, PluginApi api) : path_(std::move(path)), api_(api) {}
  std::string path_;
  PluginApi api_;
};

/// Why a target's page size and allocation granularity are unusable, or "" if they are fine.
std::string geometry_problem(std::uint32_t page_size, std::uint32_t granularity);
/// Why the suite cannot arrange or observe what a target of `api` lacks, or "": a missing
/// operation needs memory_process() >= 0, and memory the suite arranges needs the arranger's
/// geometry (page size 0x1000, granularity 0x10000).
std::string location_problem(const PluginApi& api, vmc_target* t);

/// Opens one target with `options`, checks its geometry and its memory location and closes it
/// again. Throws LoadError "open" if open() returns NULL, "abi" if geometry_problem() or
/// location_problem() finds something.
void check_one_target(const PluginApi& api, const std::string& options);

}  // namespace vmc::plugin
