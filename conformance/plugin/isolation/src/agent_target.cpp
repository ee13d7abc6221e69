// agent_target.cpp - AgentConnection, AgentTarget, AgentTargetFactory, probe_agent and
// run_agent_property (vmconform/plugin/agent_target.hpp).
#include "vmconform/plugin/agent_target.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "vmconform/locked_target.hpp"
#include "vmconform/reproducer.hpp"

namespace vmc::plugin {
namespace {

using Clock = AgentConnection::Clock;
constexpr auto kAgentExitGrace = std::chrono::seconds(2);  // for an agent to exit after `bye`

/// A call that the agent's failure turned into a failure of the call (never a conformance result).
constexpr hresult kAgentGone = E_UNEXPECTED;

}  // namespace

AgentConnection::AgentConnection(const AgentConfig& config, Clock::time_point deadline)
    : config_(config), deadline_(deadline), steps_([this](const std::string& line) { last_step_ = line; }) {
  for (int attempt = 1;; ++attempt) {
    start();
    if (failure_.empty() || !exited_before_hello_ || attempt >= config_.start_attempts) return;
    start_failures_.push_back(failure_);
    process_.reset();  // reaped by fail()
    failure_.clear();
    exited_before_hello_ = false;
    next_id_ = 1;
  }
}

void AgentConnection::start() {
  try {
    process_.emplace(WorkerProcess::spawn_agent(config_.command));
  } catch (const std::exception& e) {
    failure_ = std::string("the agent could not be started: ") + e.what();
    return;
  }
  AgentRequest hello;
  hello.op = AgentOp::hello;
  last_step_ = "# hello";
  if (auto r = call(hello)) hello_ = r->hello;
}

AgentConnection::~AgentConnection() {
  if (!process_) return;
  if (failure_.empty()) {
    AgentRequest bye;
    bye.op = AgentOp::bye;
    last_step_ = "# bye";
    call(bye);
  }
  process_->finish(failure_.empty() ? Clock::now() + kAgentExitGrace : Clock::now());
}

void AgentConnection::fail(const std::string& what, const AgentRequest& request) {
  if (!failure_.empty()) return;
  failure_ = "agent `" + excerpt(config_.command, 160) + "`, request #" + std::to_string(request.id) + " (" +
             agent_op_name(request.op) + (last_step_.empty() ? "" : ": `" + excerpt(last_step_, 200) + "`") + "): " + what;
  if (process_) {
    const ExitStatus status = process_->finish(Clock::now());  // kills the process group
    (void)status;
    const std::string tail = process_->output_tail();
    if (!tail.empty())
      failure_ += "; agent stderr: " + excerpt(tail.size() > 600 ? std::string_view(tail).substr(tail.size() - 600) : tail, 600);
  }
}

std::optional<AgentResponse> AgentConnection::call(AgentRequest request) {
  if (!failure_.empty() || !process_) return std::nullopt;
  request.id = next_id_++;
  if (!process_->write_line(encode_request(request) + "\n", deadline_)) {
    if (Clock::now() >= deadline_)
      fail("the agent did not read the request within the property's time limit of " +
               seconds_text(config_.timeout_seconds) + " s (--timeout; it was killed)",
           request);
    else {
      fail("the agent " + process_->finish(Clock::now() + kAgentExitGrace).describe() + " before reading the request", request);
      exited_before_hello_ = request.op == AgentOp::hello;
    }
    return std::nullopt;
  }
  std::string line;
  switch (process_->next_line(line, deadline_, kMaxAgentLineBytes)) {
    case WorkerProcess::Event::line: break;
    case WorkerProcess::Event::timeout:
      fail("the agent did not answer within the property's time limit of " + seconds_text(config_.timeout_seconds) +
               " s (--timeout; it was killed)",
           request);
      return std::nullopt;
    case WorkerProcess::Event::too_long:
      fail("the agent sent a malformed response (a line longer than 64 MiB)", request);
      return std::nullopt;
    case WorkerProcess::Event::eof:
      fail("the agent " + process_->finish(Clock::now() + kAgentExitGrace).describe() + " before answering", request);
      exited_before_hello_ = request.op == AgentOp::hello;
      return std::nullopt;
  }
  try {
    return decode_response(line, request);
  } catch (const AgentRefusal& e) {
    fail("the agent could not handle the request (it answered \"" + excerpt(e.what(), 200) + "\")", request);
  } catch (const AgentProtocolError& e) {
    const std::string why = e.what();
    if (why.rfind("out of order", 0) == 0)
      fail("the agent answered out of order (" + why + ")", request);
    else
      fail("the agent sent a malformed response (" + why + "): `" + excerpt(line, 120) + "`", request);
  }
  return std::nullopt;
}

AgentTarget::AgentTarget(AgentConnection& connection, int number) : connection_(connection), number_(number) {
  connection_.steps().start_case(page_size(), allocation_granularity());
}

AgentTarget::~AgentTarget() {
  connection_.steps().note("close target #" + std::to_string(number_));
  connection_.call(request(AgentOp::close));
}

AgentRequest AgentTarget::request(AgentOp op) const {
  AgentRequest r;
  r.op = op;
  r.target = number_;
  return r;
}

hresult AgentTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                             std::uint32_t protect, std::uint64_t* allocated_address) {
  connection_.steps().alloc(address, size, type, protect);
  AgentRequest r = request(AgentOp::allocate);
  r.address = address;
  r.size = size;
  r.type = type;
  r.protect = protect;
  const auto response = connection_.call(r);
  const hresult hr = response ? response->hr : kAgentGone;
  if (allocated_address) *allocated_address = response ? response->address : 0;
  connection_.steps().alloc_done(address, size, type, hr, response ? response->address : 0);
  return hr;
}

hresult AgentTarget::virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) {
  connection_.steps().free(address, size, free_type);
  AgentRequest r = request(AgentOp::free);
  r.address = address;
  r.size = size;
  r.type = free_type;
  const auto response = connection_.call(r);
  return response ? response->hr : kAgentGone;
}

hresult AgentTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) {
  connection_.steps().write(address, buffer, bytes_requested);
  AgentRequest r = request(AgentOp::write);
  r.address = address;
  r.data = buffer;
  r.length = bytes_requested;
  const auto response = connection_.call(r);
  return response ? response->hr : kAgentGone;
}

hresult AgentTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                                  std::uint32_t* bytes_read) {
  connection_.steps().read(address, bytes_requested);
  AgentRequest r = request(AgentOp::read);
  r.address = address;
  r.size = bytes_requested;
  const auto response = connection_.call(r);
  if (!response) {
    if (bytes_read) *bytes_read = 0;
    return kAgentGone;
  }
  if (buffer && !response->data.empty()) std::memcpy(buffer, response->data.data(), response->data.size());
  if (bytes_read) *bytes_read = static_cast<std::uint32_t>(response->data.size());
  return response->hr;
}

hresult AgentTarget::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (!has_query()) return E_NOTIMPL;
  connection_.steps().query(address);
  AgentRequest r = request(AgentOp::query);
  r.address = address;
  const auto response = connection_.call(r);
  if (!response) return kAgentGone;
  if (info && succeeded(response->hr)) *info = response->region;
  return response->hr;
}

std::vector<ForeignMemory> AgentTarget::foreign_memory() {
  if (foreign_) return *foreign_;
  connection_.steps().note("foreign memory of target #" + std::to_string(number_));
  const auto response = connection_.call(request(AgentOp::foreign));
  foreign_ = response ? response->foreign : std::vector<ForeignMemory>{};
  connection_.steps().set_foreign(*foreign_);
  return *foreign_;
}

bool AgentTarget::inject_host_fault(hresult code) {
  if (!connection_.hello().fault_injection) return false;
  connection_.steps().note("inject host fault " + hex_hresult(code));
  AgentRequest r = request(AgentOp::fault);
  r.hr = code;
  const auto response = connection_.call(r);
  return response && response->injected;
}

AgentTargetFactory::AgentTargetFactory(const AgentConfig& config, AgentConnection::Clock::time_point deadline)
    : config_(config), connection_(config, deadline) {}

std::unique_ptr<Target> AgentTargetFactory::make() {
  connection_.steps().note("open");
  AgentRequest r;
  r.op = AgentOp::open;
  const auto response = connection_.call(r);
  if (!response) throw std::runtime_error(connection_.failure());
  // The protocol is one request at a time: concurrent callers (X-LINEARIZABLE) are serialized
  // here, so that property checks the agent's sequential answers, never the pipe's.
  return std::make_unique<LockedTarget>(std::make_unique<AgentTarget>(connection_, response->target));
}

std::string start_failure_note(const std::string& failure, int start_attempts) {
  return "the agent exited before answering hello and was started again (--agent-start-attempts " +
         std::to_string(start_attempts) + "): " + failure;
}

PluginInfo probe_agent(const AgentConfig& config, std::vector<std::string>* start_failures) {
  AgentTargetFactory factory(config, deadline_after(config.timeout_seconds));
  if (start_failures) *start_failures = factory.connection().start_failures();
  if (!factory.failure().empty()) throw SetupError(factory.failure());
  const AgentHello& hello = factory.connection().hello();
  PluginInfo info;
  info.name = hello.name;
  info.abi = 1;
  info.page_size = hello.page_size;
  info.granularity = hello.granularity;
  info.query = hello.query;
  info.fault_injection = hello.fault_injection;
  info.operations.allocate = hello.allocate;
  info.operations.free = hello.free;
  info.operations.write = hello.write;
  info.operations.read = hello.read;
  info.operations.interface = hello.interface;
  info.operations.arranged_by = hello.arranged_by;
  if (!info.operations.complete() && info.operations.arranged_by.empty())
    info.operations.arranged_by = "the agent itself (its hello names no one)";
  std::string foreign;
  try {
    auto target = factory.make();
    for (const ForeignMemory& f : target->foreign_memory())
      foreign += (foreign.empty() ? "" : ", ") + f.what + " (" + hex(f.size) + " bytes at " + hex(f.address) + ")";
  } catch (const std::exception& e) {
    throw SetupError(e.what());
  }
  if (!factory.failure().empty()) throw SetupError(factory.failure());
  info.situation = foreign.empty() ? "none offered by the agent" : foreign;
  info.situation += hello.fault_injection ? "; host-fault injection: yes" : "; host-fault injection: no";
  return info;
}

PropertyOutcome run_agent_property(const AgentConfig& config, const PropertyDef& def, const RunOptions& options) {
  AgentTargetFactory factory(config, deadline_after(config.timeout_seconds));
  PropertyOutcome out = run_property(factory, def, options);
  out.agent_start_failures = factory.connection().start_failures();
  return out;
}

}  // namespace vmc::plugin
