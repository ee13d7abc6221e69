// worker.cpp - what a worker process does with its one request (vmconform/plugin/worker.hpp).
#include "vmconform/plugin/worker.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <variant>

#include "vmconform/differential.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/plugin/arranged_target.hpp"
#include "vmconform/plugin/foreign_memory.hpp"
#include "vmconform/plugin/plugin_library.hpp"
#include "vmconform/plugin/plugin_target.hpp"
#include "vmconform/plugin/protocol.hpp"
#include "vmconform/property.hpp"
#include "vmconform/runner.hpp"

namespace vmc::plugin {
namespace {

int g_messages = -1;  // the message pipe, moved out of the plugin's way

[[noreturn]] void leave(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);  // no destructors, no atexit handlers of the plugin
}

void send(const Message& m) {
  const std::string line = encode(m) + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(g_messages, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) leave(3);  // the parent is gone
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void fail(const std::string& kind, const std::string& message) {
  send(Error{kind, message});
  leave(2);
}

std::string read_request(int fd) {
  std::string line;
  char c;
  while (line.size() <= kMaxMessageBytes) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  return line;
}

/// Keeps the worker from outliving the parent or leaving core files, and moves the protocol
/// descriptors away from 3 and 4, where a plugin writing to a stray descriptor would hit them.
int prepare_process() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) std::_Exit(3);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  const int request = ::fcntl(kRequestFd, F_DUPFD_CLOEXEC, 200);
  g_messages = ::fcntl(kMessageFd, F_DUPFD_CLOEXEC, 200);
  ::close(kRequestFd);
  ::close(kMessageFd);
  return request;
}

void check_geometry(const PluginApi& api, vmc_target* t) {
  std::string problem = geometry_problem(api.page_size(t), api.allocation_granularity(t));
  if (problem.empty()) problem = location_problem(api, t);
  if (!problem.empty()) fail("abi", problem);
}

/// `vmconform replay --plugin`: the sequence on a fresh target of the plugin and on the model, as
/// replay runs it on a backend; the calls are announced as steps like a property's.
Replayed replay_sequence(PluginSession& session, const std::string& name, const Request& request) {
  auto parsed = opseq::parse_text(request.sequence);
  if (const auto* e = std::get_if<opseq::ParseError>(&parsed))
    fail("request", "the sequence to replay, line " + std::to_string(e->line) + ": " + e->message);
  const opseq::Sequence& s = std::get<opseq::Sequence>(parsed);
  Replayed out;
  PluginTargetFactory factory(session, name);
  std::unique_ptr<Target> target;  // outlives the checker that holds it
  std::optional<Differential> differential;
  try {
    target = factory.make();
    differential.emplace(*target, request.profile);
    std::optional<Divergence> d;
    for (std::size_t i = 0; i < s.size() && !d; ++i) {
      out.step = static_cast<int>(i + 1);
      d = differential->step(s[i]);
    }
    if (!d) {
      out.step = 0;
      d = differential->final_check();
    }
    if (d) {
      out.rule = d->rule;
      out.message = d->message;
    }
    out.trace = differential->log();
  } catch (const std::exception& e) {  // e.g. the plugin wrote past the buffer ReadVirtual gave it
    out.error = e.what();
    if (out.error.empty()) out.error = "an exception without a message";
    if (differential) out.trace = differential->log();
  }
  return out;
}

}  // namespace

void run_worker() {
  if (::fcntl(kRequestFd, F_GETFD) < 0 || ::fcntl(kMessageFd, F_GETFD) < 0) {
    std::cerr << "vmconform: `worker` is internal: `vmconform run --plugin` starts it with its pipes on fds 3 and 4\n";
    leave(2);
  }
  const int request_fd = prepare_process();
  char stack_buffer[256];  // foreign memory on this stack, for VF-FOREIGN
  for (char& c : stack_buffer) c = static_cast<char>(0xC3);
  WorkerBlocks::set_stack_buffer(stack_buffer, sizeof stack_buffer);

  Request request;
  try {
    request = decode_request(read_request(request_fd));
  } catch (const ProtocolError& e) {
    fail("request", std::string("malformed request: ") + e.what());
  }
  ::close(request_fd);

  std::optional<PluginLibrary> library;
  try {
    library = PluginLibrary::load(request.plugin);
  } catch (const LoadError& e) {
    fail(e.kind, e.what());
  }
  const PluginApi& api = library->api();
  PluginSession session(
      api, request.options, [](const std::string& line) { send(Step{line}); },
      [](int n) { send(CaseStart{n}); });
  Hello hello;
  hello.name = library->name();
  hello.query = api.query_virtual != nullptr;

  if (request.kind == Request::Kind::probe) {
    vmc_target* t = nullptr;
    try {
      t = session.open_case_target();
    } catch (const std::exception& e) {
      fail("open", std::string(e.what()) + " (check --plugin-options)");
    }
    check_geometry(api, t);
    hello.page_size = api.page_size(t);
    hello.granularity = api.allocation_granularity(t);
    hello.abi = api.abi;
    hello.interface = api.interface_name != nullptr ? api.interface_name : "";
    hello.operations = api.operations();
    hello.arranged_by = describe_arrangement(api, api.memory(t));
    hello.fault_injection = api.inject_free_failure != nullptr;
    session.steps().note("close()");
    api.close(t);
    hello.situation = session.situation().describe();
    send(hello);
    leave(0);
  }

  if (request.kind == Request::Kind::replay) {
    send(hello);
    send(replay_sequence(session, library->name(), request));
    leave(0);
  }

  send(hello);
  const PropertyDef* def = nullptr;
  for (const PropertyDef& p : properties())
    if (p.name == request.property) def = &p;
  if (def == nullptr) fail("request", "no property named " + request.property);
  RunOptions options;
  options.subject = Subject{Subject::Kind::plugin, request.plugin, request.options};
  options.profile = request.profile;
  options.seed = request.seed;
  options.cases = request.cases;
  options.depth = request.depth;
  PluginTargetFactory factory(session, library->name());
  PropertyOutcome outcome;
  try {
    outcome = run_property(factory, *def, options);
  } catch (const std::exception& e) {
    outcome.name = def->name;
    outcome.status = Status::fail;
    outcome.message = std::string("the property could not use the plugin: ") + e.what();
  }
  send(Result{outcome});
  leave(0);
}

}  // namespace vmc::plugin
