// fuzz_plugin.cpp - libFuzzer target: a third-party implementation built as a plugin
// (vmconform/plugin.h), named by the environment variable VMCONFORM_FUZZ_PLUGIN, against the
// reference model through vmc::Differential, profile win32, as fuzz_native does for the native
// backend. The plugin is loaded once, into this process (a crashing plugin is a finding), at
// initialisation, where one target is opened and its geometry checked as the worker's probe does;
// VMCONFORM_FUZZ_PLUGIN_OPTIONS, if set, is passed to every open(). An unset variable or a plugin
// the loader refuses ends the run there with one line saying why (exit 2), never per input. Every
// input gets a fresh target; its foreign memory is what `vmconform run --plugin` gives the
// plugin's situation. `vmconform replay FILE --plugin PATH` explains a crash.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fuzz_support.hpp"
#include "vmconform/plugin/foreign_memory.hpp"
#include "vmconform/plugin/plugin_library.hpp"
#include "vmconform/plugin/plugin_target.hpp"

namespace {

/// `why` continues the line after the variable's name.
[[noreturn]] void setup_error(const std::string& why) {
  std::fprintf(stderr, "==vmconform== fuzz_plugin: setup error: VMCONFORM_FUZZ_PLUGIN%s\n", why.c_str());
  std::fflush(stderr);
  std::exit(2);
}

/// Loads the plugin on first use and returns its target factory; exits 2 if it cannot.
vmc::TargetFactory& plugin_factory() {
  using namespace vmc::plugin;
  static vmc::TargetFactory* const factory = []() -> vmc::TargetFactory* {
    const char* path = std::getenv("VMCONFORM_FUZZ_PLUGIN");
    if (path == nullptr || *path == '\0')
      setup_error(" is not set: set it to the plugin shared object to fuzz "
                  "(e.g. VMCONFORM_FUZZ_PLUGIN=build/dev/plugins/libvmc_native.so)");
    const char* options = std::getenv("VMCONFORM_FUZZ_PLUGIN_OPTIONS");
    try {
      static const PluginLibrary library = PluginLibrary::load(path);
      check_one_target(library.api(), options != nullptr ? options : "");
      // No step sink: nothing renders the calls (libFuzzer's report names the crashing frame).
      static PluginSession session(library.api(), options != nullptr ? options : "", {});
      session.situation();  // probe where the targets live now, not during the first input
      static PluginTargetFactory f(session, "plugin " + library.name() + " (" + path + ")");
      return &f;
    } catch (const LoadError& e) {
      setup_error(std::string("=") + path + " cannot be used (" + e.kind + " error): " + e.what());
    } catch (const std::exception& e) {
      setup_error(std::string("=") + path + " cannot be used: " + e.what());
    }
  }();
  return *factory;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  plugin_factory();
  return 0;
}

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  char stack_buffer[256];  // foreign memory on this stack (VF-FOREIGN), as in the worker
  std::memset(stack_buffer, 0xC3, sizeof stack_buffer);
  vmc::plugin::WorkerBlocks::set_stack_buffer(stack_buffer, sizeof stack_buffer);
  vmc::fuzz::check_differential(plugin_factory(), *s);
  vmc::plugin::WorkerBlocks::set_stack_buffer(nullptr, 0);
  return 0;
}
