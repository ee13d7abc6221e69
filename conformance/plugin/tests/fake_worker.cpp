// fake_worker.cpp - the scripted worker of the isolation tests (fake_worker.hpp).
#include "fake_worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vmconform/plugin/protocol.hpp"
#include "vmconform/plugin/worker.hpp"

namespace vmc::plugin::test {
namespace {

void put(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(kMessageFd, text.data() + done, text.size() - done);
    if (n <= 0) std::_Exit(5);
    done += static_cast<std::size_t>(n);
  }
}

void send(const Message& m) { put(encode(m) + "\n"); }

std::string request_line() {
  std::string line;
  char c;
  while (::read(kRequestFd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

[[noreturn]] void hang() {
  for (;;) ::pause();
}

[[noreturn]] void die_by_signal() {
  ::kill(::getpid(), SIGTERM);  // not a fault: no sanitizer turns it into an exit status
  hang();
}

/// The WorkerProcess tests: the request line names the scenario.
[[noreturn]] void act_raw(const std::string& scenario) {
  if (scenario == "echo") {
    put("one\ntwo\n");
    std::fputs("to stdout\n", stdout);
    std::fputs("to stderr\n", stderr);
    std::fflush(nullptr);
    std::_Exit(0);
  }
  if (scenario == "read-back") {
    put("got " + scenario + "\n");
    std::_Exit(0);
  }
  if (scenario == "signal") {
    put("before\n");
    die_by_signal();
  }
  if (scenario == "exit3") std::_Exit(3);
  if (scenario == "long") {
    put(std::string(5000, 'x'));
    hang();
  }
  if (scenario == "orphan") {  // a child that keeps the message pipe open after the worker exits
    const pid_t child = ::fork();
    if (child == 0) hang();
    put("child " + std::to_string(child) + "\n");
    std::_Exit(0);
  }
  hang();  // "hang", and anything unknown
}

/// The tests of the parent's verdicts: a protocol request whose "plugin" names the scenario.
[[noreturn]] void act(const Request& r) {
  const std::string& scenario = r.plugin;
  if (scenario == "hang") hang();
  if (scenario == "error") {
    send(Error{"load", "cannot open plugin fake: No such file or directory"});
    std::_Exit(2);
  }
  send(Hello{"fake", 0x1000, 0x10000, true, r.kind == Request::Kind::probe ? "a fake situation" : ""});
  if (r.kind == Request::Kind::probe || scenario == "ok") {
    if (r.kind == Request::Kind::run) {
      send(CaseStart{1});
      send(Step{"alloc 0 size=0x1000 type=MEM_COMMIT|MEM_RESERVE protect=PAGE_READWRITE"});
      PropertyOutcome o;
      o.name = r.property;
      o.cases = 3;
      send(Result{o});
    }
    std::_Exit(0);
  }
  if (scenario == "crash") {
    send(CaseStart{2});
    send(Step{"write r0 len=0x3 pattern=0x1"});
    die_by_signal();
  }
  if (scenario == "exit") {
    send(CaseStart{1});
    send(Step{"free r0 type=MEM_DECOMMIT"});
    std::_Exit(0);
  }
  if (scenario == "garbage") {
    put("this is not json\n");
    hang();
  }
  if (scenario == "other-result") {
    PropertyOutcome o;
    o.name = "SomeOtherProperty";
    send(Result{o});
    std::_Exit(0);
  }
  hang();  // anything unknown
}

}  // namespace

std::string self_executable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

void run_as_worker() {
  if (std::getenv(kRealWorkerVariable) != nullptr) run_worker();
  const std::string line = request_line();
  try {
    act(decode_request(line));
  } catch (const ProtocolError&) {
    act_raw(line);
  }
}

}  // namespace vmc::plugin::test
