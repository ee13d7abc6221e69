// plugin_library.cpp - dlopen, the entry symbol and the table checks of a plugin
// (vmconform/plugin/plugin_library.hpp).
#include "vmconform/plugin/plugin_library.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace vmc::plugin {
namespace {

std::string hex_text(std::uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
  return text;
}

std::uint32_t default_page_size(vmc_target*) { return kArrangedPageSize; }
std::uint32_t default_granularity(vmc_target*) { return kArrangedGranularity; }

}  // namespace

std::vector<std::string> PluginApi::operations() const {
  std::vector<std::string> out;
  if (writes()) out.push_back("WriteVirtual");
  if (reads()) out.push_back("ReadVirtual");
  if (allocates()) {
    out.push_back("AllocateVirtualMemory");
    out.push_back("VirtualFree");
  }
  return out;
}

PluginApi api_from(const vmc_plugin_v1& table) {
  PluginApi a;
  a.abi = 1;
  a.name = table.name;
  a.open = table.open;
  a.close = table.close;
  a.page_size = table.page_size;
  a.allocation_granularity = table.allocation_granularity;
  a.allocate_virtual_memory = table.allocate_virtual_memory;
  a.virtual_free = table.virtual_free;
  a.write_virtual = table.write_virtual;
  a.read_virtual = table.read_virtual;
  a.query_virtual = table.query_virtual;
  return a;
}

PluginApi api_from(const vmc_plugin_v2& table, const std::string& path) {
  const auto refuse = [&path](const std::string& why) { throw LoadError("abi", path + ": " + why + " (see vmconform/plugin.h, ABI version 2)"); };
  if (table.abi_version != VMC_PLUGIN_ABI_VERSION_2)
    refuse("vmc_plugin_v2_entry() returned a table with abi_version " + std::to_string(table.abi_version) +
           "; a vmc_plugin_v2 table says " + std::to_string(VMC_PLUGIN_ABI_VERSION_2) + " (VMC_PLUGIN_ABI_VERSION_2)");
  if (table.struct_size < sizeof(vmc_plugin_v2))
    refuse("the table's struct_size is " + std::to_string(table.struct_size) + ", smaller than the version-2 table (" +
           std::to_string(sizeof(vmc_plugin_v2)) + " bytes): set it to sizeof(vmc_plugin_v2)");
  std::vector<std::string> missing;
  if (table.open == nullptr) missing.push_back("open");
  if (table.close == nullptr) missing.push_back("close");
  if (!missing.empty()) refuse("the table leaves required function" + std::string(missing.size() > 1 ? "s open, close" : " " + missing[0]) + " NULL");
  if ((table.allocate_virtual_memory == nullptr) != (table.virtual_free == nullptr))
    refuse(std::string("the table provides ") + (table.virtual_free == nullptr ? "allocate_virtual_memory without virtual_free" : "virtual_free without allocate_virtual_memory") +
           ": provide both or neither (without them the suite arranges memory itself)");
  if (table.allocate_virtual_memory == nullptr && table.write_virtual == nullptr && table.read_virtual == nullptr)
    refuse("the table provides none of allocate_virtual_memory, write_virtual and read_virtual: there is nothing to check");
  const bool complete = table.allocate_virtual_memory != nullptr && table.write_virtual != nullptr && table.read_virtual != nullptr;
  if (!complete && table.memory_process == nullptr)
    refuse("the table leaves an operation NULL but also memory_process: say where the memory lives "
           "(VMC_MEMORY_THIS_PROCESS or a process id) so that the suite can arrange or observe it");
  if (table.inject_free_failure != nullptr && table.virtual_free == nullptr)
    refuse("the table provides inject_free_failure without virtual_free");
  PluginApi a;
  a.abi = 2;
  a.name = table.name;
  a.interface_name = table.interface_name;
  a.open = table.open;
  a.close = table.close;
  a.page_size = table.page_size != nullptr ? table.page_size : default_page_size;
  a.allocation_granularity = table.allocation_granularity != nullptr ? table.allocation_granularity : default_granularity;
  a.memory_process = table.memory_process;
  a.allocate_virtual_memory = table.allocate_virtual_memory;
  a.virtual_free = table.virtual_free;
  a.write_virtual = table.write_virtual;
  a.read_virtual = table.read_virtual;
  a.query_virtual = table.query_virtual;
  a.inject_free_failure = table.inject_free_failure;
  return a;
}

PluginLibrary PluginLibrary::load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw LoadError("load", "cannot open plugin " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw LoadError("load", "plugin " + path + " is not a regular file");
  // dlopen searches the library path for a name without '/'; the user named a file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    const std::string why = error ? error : "unknown error";
    // A plugin built with -fsanitize=... needs the sanitizer runtime of an executable built alike.
    if (why.find("undefined symbol: __asan") != std::string::npos ||
        why.find("undefined symbol: __ubsan") != std::string::npos ||
        why.find("undefined symbol: __sancov") != std::string::npos ||
        why.find("undefined symbol: __sanitizer") != std::string::npos)
      throw LoadError("load", path + " cannot be loaded here (dlopen: " + why +
                                  "): it was built with sanitizer or fuzzer instrumentation, which only an executable "
                                  "built with the same flags provides (the fuzz preset's fuzz_plugin and vmconform), "
                                  "or rebuild it without those flags");
    throw LoadError("load", path + " is not a loadable shared object (dlopen: " + why +
                                "); build the plugin as a shared library (add_library(... MODULE ...))");
  }
  ::dlerror();
  if (void* entry2 = ::dlsym(handle, "vmc_plugin_v2_entry")) {
    using Entry2Fn = const vmc_plugin_v2* (*)();
    const vmc_plugin_v2* table = reinterpret_cast<Entry2Fn>(entry2)();
    if (table == nullptr) throw LoadError("abi", path + ": vmc_plugin_v2_entry() returned NULL instead of its table");
    return PluginLibrary(path, api_from(*table, path));
  }
  void* entry = ::dlsym(handle, "vmc_plugin_v1_entry");
  if (entry == nullptr)
    throw LoadError("abi", path + " is a shared object but not a vmconform plugin: it exports neither "
                                  "vmc_plugin_v2_entry nor vmc_plugin_v1_entry (see vmconform/plugin.h; with "
                                  "-fvisibility=hidden, mark it __attribute__((visibility(\"default\"))), and declare it "
                                  "extern \"C\" in C++)");
  using EntryFn = const vmc_plugin_v1* (*)();
  const vmc_plugin_v1* api = reinterpret_cast<EntryFn>(entry)();
  if (api == nullptr) throw LoadError("abi", path + ": vmc_plugin_v1_entry() returned NULL instead of its table");
  if (api->abi_version != VMC_PLUGIN_ABI_VERSION)
    throw LoadError("abi", path + " implements plugin ABI version " + std::to_string(api->abi_version) +
                               " in a vmc_plugin_v1 table; this vmconform supports version " +
                               std::to_string(VMC_PLUGIN_ABI_VERSION) + " there (a version-" +
                               std::to_string(VMC_PLUGIN_ABI_VERSION_2) +
                               " plugin exports vmc_plugin_v2_entry; rebuild the plugin against this vmconform's "
                               "vmconform/plugin.h)");
  std::vector<std::string> missing;
  if (api->open == nullptr) missing.push_back("open");
  if (api->close == nullptr) missing.push_back("close");
  if (api->page_size == nullptr) missing.push_back("page_size");
  if (api->allocation_granularity == nullptr) missing.push_back("allocation_granularity");
  if (api->allocate_virtual_memory == nullptr) missing.push_back("allocate_virtual_memory");
  if (api->virtual_free == nullptr) missing.push_back("virtual_free");
  if (api->write_virtual == nullptr) missing.push_back("write_virtual");
  if (api->read_virtual == nullptr) missing.push_back("read_virtual");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw LoadError("abi", path + ": the plugin table leaves required function" + (missing.size() > 1 ? "s " : " ") +
                               list + " NULL (only query_virtual is optional in ABI version 1; version 2, "
                               "vmc_plugin_v2_entry, makes every operation optional)");
  }
  return PluginLibrary(path, api_from(*api));
}

std::string geometry_problem(std::uint32_t page, std::uint32_t granularity) {
  if (page == 0 || (page & (page - 1)) != 0)
    return "page_size() returned " + std::to_string(page) + ": it must be a power of two such as 4096";
  if (granularity == 0 || granularity % page != 0)
    return "allocation_granularity() returned " + std::to_string(granularity) +
           ": it must be a non-zero multiple of the page size " + std::to_string(page);
  return "";
}

std::string location_problem(const PluginApi& api, vmc_target* t) {
  if (api.complete()) return "";
  const std::int64_t where = api.memory(t);
  if (where < 0)
    return "the plugin does not provide " + std::string(!api.allocates() ? "allocate_virtual_memory and virtual_free"
                                                        : !api.writes()  ? "write_virtual"
                                                                         : "read_virtual") +
           ", and memory_process() " + (api.memory_process ? "returned " + std::to_string(where) : "is NULL") +
           ": the suite can arrange and observe memory only in this process (VMC_MEMORY_THIS_PROCESS) or in a "
           "process given by its id (e.g. pid=N in --plugin-options)";
  if (!api.allocates()) {
    const std::uint32_t page = api.page_size(t), granularity = api.allocation_granularity(t);
    if (page != kArrangedPageSize || granularity != kArrangedGranularity)
      return "the plugin reports page size " + hex_text(page) + " and allocation granularity " + hex_text(granularity) +
             ", but the memory the suite arranges for a plugin without allocate_virtual_memory has " +
             hex_text(kArrangedPageSize) + " and " + hex_text(kArrangedGranularity) +
             " (leave page_size and allocation_granularity NULL)";
  }
  return "";
}

void check_one_target(const PluginApi& api, const std::string& options) {
  vmc_target* t = api.open(options.c_str());
  if (t == nullptr) throw LoadError("open", "the plugin's open(\"" + options + "\") returned NULL");
  std::string problem = geometry_problem(api.page_size(t), api.allocation_granularity(t));
  if (problem.empty()) problem = location_problem(api, t);
  api.close(t);
  if (!problem.empty()) throw LoadError("abi", problem);
}

std::string PluginLibrary::name() const {
  if (api_.name != nullptr && api_.name[0] != '\0') return api_.name;
  const auto slash = path_.rfind('/');
  return slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

}  // namespace vmc::plugin
