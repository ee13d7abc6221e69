// process_target.hpp - the `process` backend's targets: the host region table over another
// process's memory, and the three raw WriteVirtual adapters.
//
// ProcessTarget is RegionTableTarget with RemotePrimitives, plus what only a remote address
// space needs: once the tracee has died (or stopped answering) every call fails with
// E_UNEXPECTED and failure() says why ("target process N died (signal S)"), and the tracee's
// own mappings (its stack, executable, vdso) are offered as foreign memory. The raw adapters
// (RawTarget) replace only WriteVirtual by one unchecked transfer - process_vm_writev,
// a pwrite of /proc/PID/mem, or a PTRACE_POKEDATA loop - the way real data targets are often
// written, so the suite can show which rules such writers break.
#pragma once

#include <memory>
#include <string>

#include "remote_primitives.hpp"
#include "host_region_table.hpp"
#include "process_backend.hpp"

namespace vmc::process {

class ProcessTarget : public RegionTableTarget {
 public:
  /// `arena`: every reservation inside one PROT_NONE arena of the tracee (arena_primitives.hpp).
  explicit ProcessTarget(std::shared_ptr<Tracee> tracee, bool arena = false);

  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                  std::uint32_t allocation_type, std::uint32_t page_protection,
                                  std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size,
                       std::uint32_t free_type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                        std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer,
                       std::uint32_t bytes_requested, std::uint32_t* bytes_read) override;
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  std::vector<ForeignMemory> foreign_memory() override;
  bool inject_host_fault(hresult code) override;

  /// The tracee's pid.
  pid_t pid() const { return tracee_->pid(); }
  /// Empty while the tracee is usable, else why not (for the CLI to print).
  std::string failure() const override { return tracee_->failure(); }
  bool tracee_alive() const { return tracee_->alive(); }

 protected:
  RemotePrimitives& remote() { return *remote_; }
  Tracee& tracee() const { return *tracee_; }

 private:
  std::shared_ptr<Tracee> tracee_;
  RemotePrimitives* remote_;  // the primitives, under the arena's when there is one
};

/// How a raw adapter performs WriteVirtual.
enum class RawWrite {
  pvwritev,  // one process_vm_writev for the whole range
  procmem,   // one pwrite to /proc/PID/mem
  ptrace,    // PTRACE_PEEKDATA / PTRACE_POKEDATA, word by word
};

class RawTarget final : public ProcessTarget {
 public:
  RawTarget(std::shared_ptr<Tracee> tracee, RawWrite how);
  /// No table check: S_OK iff the raw transfer moved every byte.
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                        std::uint32_t bytes_requested) override;

 private:
  hresult write_pvwritev(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n);
  hresult write_procmem(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n);
  hresult write_ptrace(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n);
  RawWrite how_;
};

}  // namespace vmc::process
