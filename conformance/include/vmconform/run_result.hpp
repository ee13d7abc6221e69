// run_result.hpp - everything a run found out, with its context: the one input of the reports.
//
// A RunResult names what was tested (Subject: a backend, or a plugin run in isolated workers),
// the profile, seed and case count, the verdict of every rule with its properties' outcomes, and
// the context a run may have beyond one backend: the shard it ran and, for a plugin, what the
// probe found out about it. report.hpp renders every format from it and nothing else; the
// one-line reproducers of reproducer.hpp repeat its Subject.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/outcome.hpp"
#include "vmconform/shard.hpp"

namespace vmc {

/// What a run tests, as the command line named it.
struct Subject {
  /// A built-in backend (--backend), a plugin shared object run in isolated worker processes
  /// (--plugin), or an agent: another program speaking the agent protocol (--agent "COMMAND",
  /// spec/agent-protocol.md), started afresh for every property.
  enum class Kind { backend, plugin, agent };
  Kind kind = Kind::backend;
  std::string name;             // the backend's name, the plugin's path or the agent's command, as typed
  std::string options;          // --backend-options, or --plugin-options (none for an agent)
  double timeout_seconds = 60;  // isolated kinds: the time limit of one property's worker
  /// An agent: how many times one property may start it while it exits before answering hello
  /// (--agent-start-attempts; 1: once, no second start).
  int agent_start_attempts = 1;
};

/// Which of the documented operations a subject provides itself. A built-in backend provides all;
/// a plugin of ABI version 2 may leave some out (vmconform/plugin.h): the suite then arranges or
/// observes the memory itself, and the rules of the missing operations do not apply to it.
struct Operations {
  bool allocate = true;  // AllocateVirtualMemory (and VirtualFree: ABI v2 has them together)
  bool free = true;      // VirtualFree
  bool write = true;     // WriteVirtual
  bool read = true;      // ReadVirtual
  std::string interface;    // the interface the subject stands for ("ICorDebugMutableDataTarget"), or ""
  std::string arranged_by;  // who provides what is missing, in words ("" when nothing is)
  bool complete() const { return allocate && free && write && read; }
  /// The operations provided, in the catalogue's order: "WriteVirtual and ReadVirtual".
  std::string provided() const;
  /// Why `rule` does not apply ("WriteVirtual and ReadVirtual only: AllocateVirtualMemory not
  /// provided"), or nullopt. The rules of the operation "all" (X-) apply, but for X-LINEARIZABLE,
  /// which only a subject providing every operation can satisfy.
  std::optional<std::string> missing(const Rule& rule) const;
  /// "ICorDebugMutableDataTarget (WriteVirtual and ReadVirtual)", or the operations alone.
  std::string checked() const;
};

/// What the probe of a plugin found out (report.json's "plugin" object, with the Subject); for an
/// agent, what its hello and a first target said (report.json's "agent" object; abi = the
/// protocol version).
struct PluginInfo {
  std::string name;  // the plugin's name field (or its file name)
  int abi = 0;       // the plugin ABI version it implements
  std::uint32_t page_size = 0, granularity = 0;
  bool query = false;     // query_virtual is present
  std::string situation;  // where its targets live and which foreign memory exists (foreign_memory.hpp)
  Operations operations{};  // what it provides (ABI v2 may lack operations)
  bool fault_injection = false;  // it can inject host failures (ABI v2 inject_free_failure)
};

struct RuleOutcome {
  std::string id;
  Status status = Status::pass;
  std::string message;
  std::string reproducer;  // a one-line command that reproduces the failure
  std::vector<PropertyOutcome> properties;
  /// False when the rule's operation is one the subject does not provide (then `skip`, with the
  /// reason in `message`, and no property ran). Last, so {id, status, message, ...} still reads.
  bool applies = true;
};

struct RunResult {
  Subject subject;
  Profile profile = Profile::win32;
  std::uint64_t seed = 0;
  int cases = 0;
  double seconds = 0;
  std::vector<RuleOutcome> rules;
  std::optional<Shard> shard;                // a sharded run: which share of the rules ran
  std::optional<PluginInfo> plugin;          // a plugin run: what its probe found
  coverage::Counts coverage;                 // every property's, merged (spec/coverage.md)
  std::map<std::string, int> summary() const;  // status name -> count
  int rules_applied() const;                   // rules whose operations the subject provides
  bool ok() const;                             // no fail, no xpass
};

}  // namespace vmc
