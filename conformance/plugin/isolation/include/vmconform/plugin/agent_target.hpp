// agent_target.hpp - vmc::Target over an agent process (spec/agent-protocol.md).
//
// AgentConnection is one agent process: started with WorkerProcess::spawn_agent (its own process
// group, stderr captured), greeted with `hello`, asked one request at a time, and ended with
// `bye` (or killed). Every request has a deadline (the property's time limit); an agent that
// exits, hangs, sends garbage, answers another id or refuses a request is ended and its
// connection keeps the reason (failure()), which names the request - its number, the call as an
// op-sequence line and the op - and quotes the end of the agent's stderr. From then on every call
// fails at once; the runner blames the target (the property fails with "target failure: ...").
//
// AgentTarget is one `open`ed target of a connection; AgentTargetFactory opens them, one per
// property case, on the connection it owns. run_agent_property() is the PropertyExecutor of
// `vmconform run --agent`: a fresh agent per property, as run_isolated gives a plugin a fresh
// worker; probe_agent() is its probe (a SetupError when the agent cannot be used at all).
//
// An agent that exits before it answers `hello` may be started again, up to
// AgentConfig::start_attempts starts in all (--agent-start-attempts; 1, no second start, by
// default): nothing was asked of it yet, so no verdict depends on the start that failed, and each
// such failure is kept (start_failures()) for the run to report. Wine's process start-up needs it
// (agents/windows/README.md). Any other failure, and a failure after hello, ends the connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/plugin/agent_protocol.hpp"
#include "vmconform/plugin/isolation.hpp"
#include "vmconform/plugin/step_log.hpp"
#include "vmconform/plugin/worker_process.hpp"
#include "vmconform/property.hpp"
#include "vmconform/runner.hpp"

namespace vmc::plugin {

struct AgentConfig {
  std::string command;  // run by /bin/sh -c 'exec COMMAND'
  double timeout_seconds = 60;
  int start_attempts = 1;  // starts of one connection while the agent exits before answering hello
};

class AgentConnection {
 public:
  using Clock = WorkerProcess::Clock;
  /// Starts the agent and says hello; if that fails, failure() says why (nothing is thrown).
  AgentConnection(const AgentConfig& config, Clock::time_point deadline);
  ~AgentConnection();  // sends bye and reaps the agent (killing its process group if needed)
  AgentConnection(const AgentConnection&) = delete;
  AgentConnection& operator=(const AgentConnection&) = delete;

  const AgentHello& hello() const { return hello_; }
  /// "" while the agent is usable, else why not (sticky).
  const std::string& failure() const { return failure_; }
  /// Why each start before the last one failed (the agent exited before answering hello), in
  /// order; empty when the first start answered.
  const std::vector<std::string>& start_failures() const { return start_failures_; }
  /// Sends `request` (its id is assigned here) and returns the decoded response, or nothing
  /// once the agent has failed (failure() says how).
  std::optional<AgentResponse> call(AgentRequest request);
  StepRecorder& steps() { return steps_; }
  /// Every later request must be answered by `deadline` (a fuzzer gives each input its own).
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

 private:
  void start();  // one start: spawn, then hello
  void fail(const std::string& what, const AgentRequest& request);

  AgentConfig config_;
  Clock::time_point deadline_;
  std::optional<WorkerProcess> process_;
  AgentHello hello_;
  std::string failure_;
  bool exited_before_hello_ = false;  // the failure is an exit before hello's answer
  std::vector<std::string> start_failures_;
  std::uint64_t next_id_ = 1;
  std::string last_step_;  // the request being answered, as an op-sequence line
  StepRecorder steps_;
};

class AgentTarget final : public Target {
 public:
  AgentTarget(AgentConnection& connection, int number);
  ~AgentTarget() override;
  AgentTarget(const AgentTarget&) = delete;
  AgentTarget& operator=(const AgentTarget&) = delete;

  std::uint32_t page_size() const override { return connection_.hello().page_size; }
  std::uint32_t allocation_granularity() const override { return connection_.hello().granularity; }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t allocation_type,
                                  std::uint32_t page_protection, std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                       std::uint32_t* bytes_read) override;
  bool has_query() const override { return connection_.hello().query; }
  /// A partial agent whose reads are the implementation's own but whose memory is arranged for it
  /// (a data target): its reads reach the whole process.
  bool reads_beyond_host() const override { return connection_.hello().read && !connection_.hello().allocate; }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  std::vector<ForeignMemory> foreign_memory() override;
  bool inject_host_fault(hresult code) override;
  std::string failure() const override { return connection_.failure(); }

 private:
  AgentRequest request(AgentOp op) const;

  AgentConnection& connection_;
  int number_;  // the agent's number of this target
  std::optional<std::vector<ForeignMemory>> foreign_;
};

class AgentTargetFactory final : public TargetFactory {
 public:
  AgentTargetFactory(const AgentConfig& config, AgentConnection::Clock::time_point deadline);
  std::string name() const override { return "agent " + config_.command; }
  /// Opens a target; throws std::runtime_error once the agent has failed.
  std::unique_ptr<Target> make() override;
  std::string failure() const override { return connection_.failure(); }
  AgentConnection& connection() { return connection_; }

 private:
  AgentConfig config_;
  AgentConnection connection_;
};

/// What `hello` and a first target say about the agent (PluginInfo's fields; abi = 1).
/// What a run says of one of start_failures(): "the agent exited before answering hello and was
/// started again (--agent-start-attempts N): FAILURE".
std::string start_failure_note(const std::string& failure, int start_attempts);

/// `start_failures`, when given, receives the probe connection's start_failures().
PluginInfo probe_agent(const AgentConfig& config, std::vector<std::string>* start_failures = nullptr);
PropertyOutcome run_agent_property(const AgentConfig& config, const PropertyDef& def, const RunOptions& options);

}  // namespace vmc::plugin
