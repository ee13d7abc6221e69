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
};

struct RuleOutcome {
  std::string id;
  Status status = Status::pass;
  std::string message;
  std::string reproducer;  // a one-line command that reproduces the failure
  std::vector<PropertyOutcome> properties;
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
  bool ok() const;                             // no fail, no xpass
};

}  // namespace vmc
