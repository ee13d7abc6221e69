// isolation.cpp - probe_plugin and run_isolated: workers, their messages, and what a crash, a
// hang or garbage becomes (vmconform/plugin/isolation.hpp).
#include "vmconform/plugin/isolation.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <variant>

#include "vmconform/plugin.h"
#include "vmconform/plugin/protocol.hpp"
#include "vmconform/plugin/worker_process.hpp"
#include "vmconform/reproducer.hpp"

namespace vmc::plugin {
namespace {

using Clock = WorkerProcess::Clock;
constexpr std::size_t kKeptSteps = 400;        // calls of the current case kept for the report
constexpr auto kExitGrace = std::chrono::seconds(10);  // for a worker to exit after its last message

/// Everything a worker said, as far as the parent follows it.
struct Transcript {
  std::optional<Hello> hello;
  std::optional<PropertyOutcome> result;
  std::optional<Replayed> replayed;
  std::optional<Error> error;
  std::string malformed;  // why the worker's messages could not be trusted
  bool timed_out = false;
  int target = 0;  // number of the target being tested
  std::deque<std::string> steps;
  std::size_t dropped_steps = 0;
};

Transcript follow(WorkerProcess& worker, Clock::time_point deadline, bool until_hello) {
  Transcript t;
  std::string line;
  for (;;) {
    const auto event = worker.next_line(line, deadline, kMaxMessageBytes);
    if (event == WorkerProcess::Event::eof) return t;
    if (event == WorkerProcess::Event::timeout) {
      t.timed_out = true;
      return t;
    }
    if (event == WorkerProcess::Event::too_long) {
      t.malformed = "a message longer than " + std::to_string(kMaxMessageBytes) + " bytes";
      return t;
    }
    Message m;
    try {
      m = decode_message(line);
    } catch (const ProtocolError& e) {
      t.malformed = std::string(e.what()) + ": `" + excerpt(line, 120) + "`";
      return t;
    }
    if (auto* h = std::get_if<Hello>(&m)) {
      if (t.hello) {
        t.malformed = "a second hello message";
        return t;
      }
      t.hello = std::move(*h);
      if (until_hello) return t;
    } else if (auto* c = std::get_if<CaseStart>(&m)) {
      t.target = c->number;
      t.steps.clear();
      t.dropped_steps = 0;
    } else if (auto* s = std::get_if<Step>(&m)) {
      t.steps.push_back(std::move(s->text));
      if (t.steps.size() > kKeptSteps) {
        t.steps.pop_front();
        ++t.dropped_steps;
      }
    } else if (auto* r = std::get_if<Result>(&m)) {
      if (!t.hello) {
        t.malformed = "a result before the hello message";
        return t;
      }
      t.result = std::move(r->outcome);
      return t;
    } else if (auto* p = std::get_if<Replayed>(&m)) {
      if (!t.hello) {
        t.malformed = "a replay verdict before the hello message";
        return t;
      }
      t.replayed = std::move(*p);
      return t;
    } else {
      t.error = std::get<Error>(m);
      return t;
    }
  }
}

std::string where(const Transcript& t) {
  std::string s;
  if (t.target > 0) s += " while testing target #" + std::to_string(t.target);
  if (!t.steps.empty()) s += ", during `" + t.steps.back() + "`";
  return s;
}

std::string with_output(std::string message, const WorkerProcess& worker) {
  const std::string tail = worker.output_tail();
  if (!tail.empty()) message += "; worker output: " + excerpt(tail.size() > 600 ? tail.substr(tail.size() - 600) : tail, 600);
  return message;
}

/// "SUMMARY: AddressSanitizer: SEGV ..." when a sanitizer stopped the worker, else "".
std::string sanitizer_summary(const WorkerProcess& worker) {
  const std::string tail = worker.output_tail();
  const auto at = tail.rfind("SUMMARY: ");
  if (at == std::string::npos || tail.find("Sanitizer", at) == std::string::npos) return "";
  return excerpt(tail.substr(at, tail.find('\n', at) - at), 200);
}

/// The calls of the case that never finished, ready to read (or edit and replay).
std::string steps_text(const Transcript& t) {
  if (t.steps.empty()) return "";
  std::string s = "vmconform-opseq 1\n# the calls of target #" + std::to_string(t.target) +
                  ", up to the one that did not return\n";
  if (t.dropped_steps > 0)
    s += "# (" + std::to_string(t.dropped_steps) + " earlier calls not kept; region numbers assume them)\n";
  for (const std::string& line : t.steps) s += line + "\n";
  return s;
}

}  // namespace

PluginInfo probe_plugin(const IsolationConfig& config) {
  WorkerProcess worker = [&] {
    try {
      WorkerProcess w = WorkerProcess::spawn(config.worker_exe);
      w.echo_output(config.no_capture);
      return w;
    } catch (const std::exception& e) {
      throw SetupError(e.what());
    }
  }();
  Request request;
  request.kind = Request::Kind::probe;
  request.plugin = config.plugin;
  request.options = config.options;
  worker.send(encode(request) + "\n");
  const Transcript t = follow(worker, deadline_after(config.timeout_seconds), /*until_hello=*/true);
  const ExitStatus status = worker.finish(t.timed_out ? Clock::now() : Clock::now() + kExitGrace);
  const std::string subject = "plugin " + config.plugin;
  if (t.error) throw SetupError(t.error->message);
  if (!t.malformed.empty())
    throw ProbeCrashed(subject + ": the worker that loaded it sent a malformed message (" + t.malformed + ")");
  if (t.timed_out)
    throw SetupError(with_output(subject + " did not finish loading and opening a target within " +
                                     seconds_text(config.timeout_seconds) + " s" + where(t) + " (--timeout)",
                                 worker));
  if (!t.hello)
    throw ProbeCrashed(with_output(subject + ": the worker that loaded it " + status.describe() +
                                       " before reporting" + where(t),
                                   worker));
  PluginInfo info;
  info.name = t.hello->name;
  info.abi = t.hello->abi;
  info.page_size = t.hello->page_size;
  info.granularity = t.hello->granularity;
  info.query = t.hello->query;
  info.situation = t.hello->situation;
  const auto has = [&](const char* op) {
    return std::find(t.hello->operations.begin(), t.hello->operations.end(), op) != t.hello->operations.end();
  };
  info.operations.write = has("WriteVirtual");
  info.operations.read = has("ReadVirtual");
  info.operations.allocate = has("AllocateVirtualMemory");
  info.operations.free = has("VirtualFree");
  info.operations.interface = t.hello->interface;
  info.operations.arranged_by = t.hello->arranged_by;
  info.fault_injection = t.hello->fault_injection;
  return info;
}

PropertyOutcome run_isolated(const IsolationConfig& config, const PropertyDef& def, const RunOptions& options) {
  PropertyOutcome out;
  out.name = def.name;
  out.status = Status::fail;
  std::optional<WorkerProcess> worker;
  try {
    worker.emplace(WorkerProcess::spawn(config.worker_exe));
    worker->echo_output(config.no_capture);
  } catch (const std::exception& e) {
    out.message = e.what();
    return out;
  }
  Request request;
  request.plugin = config.plugin;
  request.options = config.options;
  request.property = def.name;
  request.profile = options.profile;
  request.seed = options.seed;
  request.cases = options.cases;
  request.depth = options.depth;
  worker->send(encode(request) + "\n");
  const Transcript t = follow(*worker, deadline_after(config.timeout_seconds), /*until_hello=*/false);
  const bool trust = t.malformed.empty() && !t.timed_out;
  const ExitStatus status = worker->finish(trust ? Clock::now() + kExitGrace : Clock::now());
  out.cases = t.target;
  out.counterexample = steps_text(t);
  if (t.result && t.result->name != def.name) {
    out.message = "the worker sent the result of " + t.result->name + " instead of " + def.name;
  } else if (t.result) {
    if (!status.signaled && status.exit_code == 0) return *t.result;
    out = *t.result;
    out.status = Status::fail;
    out.message = with_output("the worker " + status.describe() + " after reporting its result (" +
                                  status_name(t.result->status) + (t.result->message.empty() ? "" : ": " + t.result->message) + ")",
                              *worker);
  } else if (t.error) {
    out.message = "the worker could not run the property: " + t.error->message;
  } else if (!t.malformed.empty()) {
    out.message = "the worker sent a malformed message" + where(t) + ": " + t.malformed +
                  " (a plugin writing into the protocol pipe, or memory corrupted by the plugin); the worker was killed";
  } else if (t.timed_out) {
    out.message = with_output("timed out: no result after " + seconds_text(config.timeout_seconds) + " s" + where(t) +
                                  " (the plugin hangs; --timeout sets the limit); the worker was killed",
                              *worker);
  } else if (const std::string summary = sanitizer_summary(*worker); !summary.empty()) {
    out.message = with_output("the plugin crashed: a sanitizer stopped the worker (" + summary + "; it " +
                                  status.describe() + ") before it reported a result" + where(t),
                              *worker);
  } else {
    out.message = with_output((status.signaled ? "the plugin crashed: the worker " : "the worker ") + status.describe() +
                                  " before reporting a result" + where(t),
                              *worker);
  }
  return out;
}

ReplayVerdict replay_isolated(const IsolationConfig& config, const std::string& sequence, Profile profile) {
  WorkerProcess worker = [&] {
    try {
      WorkerProcess w = WorkerProcess::spawn(config.worker_exe);
      w.echo_output(config.no_capture);
      return w;
    } catch (const std::exception& e) {
      throw SetupError(e.what());
    }
  }();
  Request request;
  request.kind = Request::Kind::replay;
  request.plugin = config.plugin;
  request.options = config.options;
  request.profile = profile;
  request.sequence = sequence;
  worker.send(encode(request) + "\n");
  const Transcript t = follow(worker, deadline_after(config.timeout_seconds), /*until_hello=*/false);
  const bool trust = t.malformed.empty() && !t.timed_out;
  const ExitStatus status = worker.finish(trust ? Clock::now() + kExitGrace : Clock::now());
  if (t.error) throw SetupError(t.error->message);
  ReplayVerdict v;
  v.calls.assign(t.steps.begin(), t.steps.end());
  if (t.replayed && !status.signaled && status.exit_code == 0) {
    v.replayed = t.replayed;
  } else if (t.replayed) {
    v.failure = with_output("the worker " + status.describe() + " after reporting the verdict", worker);
  } else if (!t.malformed.empty()) {
    v.failure = "the worker sent a malformed message" + where(t) + ": " + t.malformed +
                " (a plugin writing into the protocol pipe, or memory corrupted by the plugin); the worker was killed";
  } else if (t.timed_out) {
    v.failure = with_output("timed out: no verdict after " + seconds_text(config.timeout_seconds) + " s" + where(t) +
                                " (the plugin hangs; --timeout sets the limit); the worker was killed",
                            worker);
  } else if (const std::string summary = sanitizer_summary(worker); !summary.empty()) {
    v.failure = with_output("the plugin crashed: a sanitizer stopped the worker (" + summary + "; it " +
                                status.describe() + ") before the verdict" + where(t),
                            worker);
  } else {
    v.failure = with_output((status.signaled ? "the plugin crashed: the worker " : "the worker ") + status.describe() +
                                " before the verdict" + where(t),
                            worker);
  }
  return v;
}

}  // namespace vmc::plugin
