// unicorn_backend.cpp - registers `unicorn`: Win32 semantics over an emulator's guest memory.
//
// The native backends' region table (host_region_table.hpp) over UnicornPrimitives: the host keeps
// its own table of reservations and every Win32 rule, and the engine only holds the bytes and the
// page permissions. So an emulator can conform; `raw-unicorn` (raw_unicorn_target.cpp) shows what
// happens when an emulator maps each operation straight onto the engine instead. Every target has
// an engine of its own; the guest's image and stack are its foreign memory.
#include <memory>

#include "host_region_table.hpp"
#include "unicorn_primitives.hpp"
#include "vmconform/backend_registry.hpp"

namespace vmc {
namespace {

/// The engine, constructed before the table and destroyed after it (the table's destructor
/// unmaps what it still holds through the primitives, which use the engine).
struct EngineHolder {
  UnicornEngine engine;
};

class UnicornTarget final : private EngineHolder, public RegionTableTarget {
 public:
  UnicornTarget() : RegionTableTarget(std::make_unique<UnicornPrimitives>(engine)) {}
  std::vector<ForeignMemory> foreign_memory() override { return engine.guest_memory(); }
};

class UnicornFactory final : public TargetFactory {
 public:
  std::string name() const override { return "unicorn"; }
  std::unique_ptr<Target> make() override { return std::make_unique<UnicornTarget>(); }
};

}  // namespace

VMC_REGISTER_BACKEND(BackendInfo{
    "unicorn",
    "an emulator's guest memory (unicorn: uc_mem_map/uc_mem_protect/uc_mem_unmap/uc_mem_read/uc_mem_write) "
    "behind the host region table with Win32 semantics",
    true, [](const BackendOptions&) -> std::unique_ptr<TargetFactory> { return std::make_unique<UnicornFactory>(); }});

}  // namespace vmc
