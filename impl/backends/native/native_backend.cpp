// native_backend.cpp - registers `native`: Win32 semantics on the real memory of this process.
//
// Every make() returns a NativeTarget with its own empty region table, so cases are independent;
// destroying a target unmaps whatever it still holds. Option `arena`: each target keeps its
// reservations inside an arena of its own (arena_primitives.hpp), which is how `run --plugin`
// arranges memory for a plugin that reads and writes this process's memory itself.
#include <stdexcept>

#include "native_target.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc {
namespace {
class NativeFactory final : public TargetFactory {
 public:
  explicit NativeFactory(bool arena) : arena_(arena) {}
  std::string name() const override { return "native"; }
  std::unique_ptr<Target> make() override { return std::make_unique<NativeTarget>(arena_); }

 private:
  bool arena_;
};
}  // namespace

VMC_REGISTER_BACKEND(BackendInfo{
    "native",
    "this process's own memory (mmap/mprotect/madvise/munmap) behind a host region table with "
    "Win32 semantics; the OS chooses the base for address 0; option arena: every reservation inside one "
    "PROT_NONE arena of 64 GiB (the memory around them is then never someone else's)",
    true, [](const BackendOptions& o) -> std::unique_ptr<TargetFactory> {
      if (!o.options.empty() && o.options != "arena")
        throw std::invalid_argument("native backend: unknown option '" + o.options + "' (known: arena)");
      return std::make_unique<NativeFactory>(o.options == "arena");
    }});

}  // namespace vmc
