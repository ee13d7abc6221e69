// process_factory.hpp - the factory behind `process` and the `raw-*` backends.
//
// Options (BackendOptions::options, comma-separated): empty - the factory starts its own child
// (a stopped exec of /proc/self/exe) and reuses it for target after target, each target
// releasing everything it mapped; a new child only when every existing one is in use or dead.
// "pid=N" - attach to that running process instead (all targets share it; it is detached,
// cleaned and left running when the factory goes). Raw adapters refuse pid=N unless
// "allow-corruption" is also given: their writes go wherever the address points. "arena" - every
// target keeps its reservations inside an arena of its own in the tracee (how `run --plugin`
// arranges memory in process N for a plugin that reads and writes it itself).
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "process_target.hpp"
#include "process_backend.hpp"
#include "vmconform/target.hpp"

namespace vmc::process {

struct ProcessOptions {
  std::optional<pid_t> pid;
  bool allow_corruption = false;
  bool arena = false;  // reservations inside one PROT_NONE arena of the tracee (arena_primitives.hpp)
};
/// Throws std::invalid_argument with a message naming the bad option.
ProcessOptions parse_options(const std::string& text);

class ProcessFactory final : public TargetFactory {
 public:
  /// `raw` empty: the conformant `process` backend. Throws std::invalid_argument for pid=N
  /// with a raw adapter without allow-corruption.
  ProcessFactory(std::string name, std::optional<RawWrite> raw, ProcessOptions options);
  ~ProcessFactory() override;
  std::string name() const override { return name_; }
  /// Throws std::runtime_error if no child can be started or the process cannot be attached.
  std::unique_ptr<Target> make() override;
  /// The last failure of a tracee of this factory ("target process N died (signal S)"), or "".
  std::string failure() const override;

 private:
  std::shared_ptr<Tracee> acquire();
  std::string name_;
  std::optional<RawWrite> raw_;
  ProcessOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Tracee>> children_;  // own children, idle or in use
  std::shared_ptr<Tracee> attached_;               // the pid=N process
  std::string last_failure_;
};

}  // namespace vmc::process
