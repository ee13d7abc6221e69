// worker_test.cpp - the worker's side (run_worker) as the parent meets it: the test executable
// runs the real worker, started through WorkerProcess, on the C example plugin. A probe says what
// the plugin is and where its targets live; a run streams the calls of each case and ends with
// the property's result; a plugin that cannot be loaded, an unknown property and a malformed
// request are `error` messages.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "fake_worker.hpp"
#include "vmconform/plugin/protocol.hpp"
#include "vmconform/plugin/worker_process.hpp"
#include "vmconform/property.hpp"

namespace vmc::plugin {
namespace {

struct Exchange {
  std::vector<Message> messages;
  ExitStatus status;
};

/// Starts a real worker, sends `request_line` and collects every message until it exits.
Exchange exchange(const std::string& request_line) {
  ::setenv(test::kRealWorkerVariable, "1", 1);
  WorkerProcess w = WorkerProcess::spawn(test::self_executable());
  ::unsetenv(test::kRealWorkerVariable);
  w.send(request_line + "\n");
  Exchange e;
  const auto deadline = WorkerProcess::Clock::now() + std::chrono::seconds(60);
  std::string line;
  while (w.next_line(line, deadline, kMaxMessageBytes) == WorkerProcess::Event::line)
    e.messages.push_back(decode_message(line));
  e.status = w.finish(deadline);
  return e;
}

Request request(Request::Kind kind, const std::string& plugin, const std::string& property = "") {
  Request r;
  r.kind = kind;
  r.plugin = plugin;
  r.property = property;
  r.seed = 1;
  r.cases = 5;
  return r;
}

const PropertyDef& property_of(const std::string& rule) {
  for (const PropertyDef& p : properties())
    if (p.rule == rule) return p;
  throw std::logic_error("no property checks " + rule);
}

TEST(Worker, ProbeLoadsThePluginAndSaysWhereItsTargetsLive) {
  const Exchange e = exchange(encode(request(Request::Kind::probe, VMCONFORM_EXAMPLE_PLUGIN)));
  ASSERT_FALSE(e.messages.empty());
  const auto* hello = std::get_if<Hello>(&e.messages.back());
  ASSERT_NE(hello, nullptr);
  EXPECT_EQ(hello->page_size, 0x1000u);
  EXPECT_EQ(hello->granularity, 0x10000u);
  EXPECT_TRUE(hello->query);
  EXPECT_FALSE(hello->situation.empty());
  EXPECT_EQ(e.status.describe(), "exited with status 0");
}

TEST(Worker, RunsOnePropertyStreamingTheCallsOfEachCase) {
  const PropertyDef& def = property_of("WV-ROUNDTRIP");
  const Exchange e = exchange(encode(request(Request::Kind::run, VMCONFORM_EXAMPLE_PLUGIN, def.name)));
  ASSERT_GE(e.messages.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<Hello>(e.messages.front()));
  int cases = 0, steps = 0;
  for (const Message& m : e.messages) {
    cases += std::holds_alternative<CaseStart>(m);
    steps += std::holds_alternative<Step>(m);
  }
  EXPECT_GE(cases, 5);
  EXPECT_GT(steps, cases);
  const auto* result = std::get_if<Result>(&e.messages.back());
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->outcome.name, def.name);
  EXPECT_EQ(result->outcome.status, Status::pass) << result->outcome.message;
  EXPECT_EQ(result->outcome.cases, 5);
  EXPECT_EQ(e.status.describe(), "exited with status 0");
}

/// The worker's one message is an error of `kind` containing `text`, and it exits with status 2.
void expect_error(const Exchange& e, const std::string& kind, const std::string& text) {
  ASSERT_FALSE(e.messages.empty());
  const auto* error = std::get_if<Error>(&e.messages.back());
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->kind, kind);
  EXPECT_NE(error->message.find(text), std::string::npos) << error->message;
  EXPECT_EQ(e.status.describe(), "exited with status 2");
}

TEST(Worker, APluginThatCannotBeLoadedIsALoadError) {
  expect_error(exchange(encode(request(Request::Kind::probe, "/nonexistent/plugin.so"))), "load",
               "cannot open plugin /nonexistent/plugin.so");
}

TEST(Worker, AnUnknownPropertyIsARequestError) {
  expect_error(exchange(encode(request(Request::Kind::run, VMCONFORM_EXAMPLE_PLUGIN, "NoSuchProperty"))), "request",
               "no property named NoSuchProperty");
}

TEST(Worker, AMalformedRequestIsARequestError) {
  expect_error(exchange("{\"v\": 1, \"t\": \"run\"}"), "request", "malformed request");
}

}  // namespace
}  // namespace vmc::plugin
