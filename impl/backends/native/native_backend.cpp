// native_backend.cpp - registers `native`: Win32 semantics on the real memory of this process.
//
// Every make() returns a NativeTarget with its own empty region table, so cases are independent;
// destroying a target unmaps whatever it still holds.
#include "native_target.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc {
namespace {
class NativeFactory final : public TargetFactory {
 public:
  std::string name() const override { return "native"; }
  std::unique_ptr<Target> make() override { return std::make_unique<NativeTarget>(); }
};
}  // namespace

VMC_REGISTER_BACKEND(BackendInfo{
    "native",
    "this process's own memory (mmap/mprotect/madvise/munmap) behind a host region table with "
    "Win32 semantics; the OS chooses the base for address 0",
    true, [](const BackendOptions&) -> std::unique_ptr<TargetFactory> {
      return std::make_unique<NativeFactory>();
    }});

}  // namespace vmc
