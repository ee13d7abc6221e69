// plugin_library.cpp - dlopen, the entry symbol and the table checks of a plugin
// (vmconform/plugin/plugin_library.hpp).
#include "vmconform/plugin/plugin_library.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace vmc::plugin {

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
  void* entry = ::dlsym(handle, "vmc_plugin_v1_entry");
  if (entry == nullptr)
    throw LoadError("abi", path + " is a shared object but not a vmconform plugin: it does not export "
                                  "vmc_plugin_v1_entry (see vmconform/plugin.h; with -fvisibility=hidden, mark it "
                                  "__attribute__((visibility(\"default\"))), and declare it extern \"C\" in C++)");
  using EntryFn = const vmc_plugin_v1* (*)();
  const vmc_plugin_v1* api = reinterpret_cast<EntryFn>(entry)();
  if (api == nullptr) throw LoadError("abi", path + ": vmc_plugin_v1_entry() returned NULL instead of its table");
  if (api->abi_version != VMC_PLUGIN_ABI_VERSION)
    throw LoadError("abi", path + " implements plugin ABI version " + std::to_string(api->abi_version) +
                               "; this vmconform supports version " + std::to_string(VMC_PLUGIN_ABI_VERSION) +
                               " (rebuild the plugin against this vmconform's vmconform/plugin.h)");
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
                               list + " NULL (only query_virtual is optional)");
  }
  return PluginLibrary(path, api);
}

std::string geometry_problem(std::uint32_t page, std::uint32_t granularity) {
  if (page == 0 || (page & (page - 1)) != 0)
    return "page_size() returned " + std::to_string(page) + ": it must be a power of two such as 4096";
  if (granularity == 0 || granularity % page != 0)
    return "allocation_granularity() returned " + std::to_string(granularity) +
           ": it must be a non-zero multiple of the page size " + std::to_string(page);
  return "";
}

void check_one_target(const vmc_plugin_v1& api, const std::string& options) {
  vmc_target* t = api.open(options.c_str());
  if (t == nullptr) throw LoadError("open", "the plugin's open(\"" + options + "\") returned NULL");
  const std::string problem = geometry_problem(api.page_size(t), api.allocation_granularity(t));
  api.close(t);
  if (!problem.empty()) throw LoadError("abi", problem);
}

std::string PluginLibrary::name() const {
  if (api_->name != nullptr && api_->name[0] != '\0') return api_->name;
  const auto slash = path_.rfind('/');
  return slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

}  // namespace vmc::plugin
