// isolation_test.cpp - the parent's verdicts (probe_plugin, run_isolated) on workers that behave
// and misbehave: the fake worker of fake_worker.hpp acts out the scenario named where a plugin's
// path would be.
#include <gtest/gtest.h>

#include <string>

#include "fake_worker.hpp"
#include "vmconform/plugin.h"
#include "vmconform/plugin/isolation.hpp"

namespace vmc::plugin {
namespace {

IsolationConfig config(const std::string& scenario, double timeout_seconds = 30) {
  return IsolationConfig{test::self_executable(), scenario, "", timeout_seconds};
}

PropertyOutcome run(const std::string& scenario, double timeout_seconds = 30) {
  RunOptions options;
  options.subject = Subject{Subject::Kind::plugin, scenario, ""};
  return run_isolated(config(scenario, timeout_seconds), properties().front(), options);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Isolation, TakesTheWorkersResult) {
  const PropertyOutcome o = run("ok");
  EXPECT_EQ(o.status, Status::pass) << o.message;
  EXPECT_EQ(o.name, properties().front().name);
  EXPECT_EQ(o.cases, 3);
}

TEST(Isolation, ACrashFailsWithTheSignalTheLastCallAndTheCallsOfTheCase) {
  const PropertyOutcome o = run("crash");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has(o.message, "the plugin crashed: the worker was killed by signal 15 (SIGTERM")) << o.message;
  EXPECT_TRUE(has(o.message, "while testing target #2, during `write r0 len=0x3 pattern=0x1`")) << o.message;
  EXPECT_EQ(o.counterexample.rfind("vmconform-opseq 1\n# the calls of target #2", 0), 0u) << o.counterexample;
  EXPECT_TRUE(has(o.counterexample, "write r0 len=0x3 pattern=0x1\n")) << o.counterexample;
}

TEST(Isolation, AWorkerThatExitsBeforeItsResultFails) {
  const PropertyOutcome o = run("exit");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has(o.message, "the worker exited with status 0 before reporting a result")) << o.message;
  EXPECT_TRUE(has(o.message, "during `free r0 type=MEM_DECOMMIT`")) << o.message;
}

TEST(Isolation, GarbageOnTheMessagePipeIsAMalformedMessage) {
  const PropertyOutcome o = run("garbage");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has(o.message, "the worker sent a malformed message")) << o.message;
  EXPECT_TRUE(has(o.message, "not JSON: `this is not json`")) << o.message;
}

TEST(Isolation, AHangingWorkerTimesOut) {
  const PropertyOutcome o = run("hang", 0.5);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has(o.message, "timed out: no result after 0.5 s")) << o.message;
}

TEST(Isolation, TheResultOfAnotherPropertyIsRefused) {
  const PropertyOutcome o = run("other-result");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(has(o.message, "the worker sent the result of SomeOtherProperty instead of")) << o.message;
}

TEST(Isolation, TheProbeSaysWhatTheWorkerFound) {
  const PluginInfo info = probe_plugin(config("ok"));
  EXPECT_EQ(info.name, "fake");
  EXPECT_EQ(info.abi, VMC_PLUGIN_ABI_VERSION);
  EXPECT_EQ(info.page_size, 0x1000u);
  EXPECT_EQ(info.granularity, 0x10000u);
  EXPECT_TRUE(info.query);
  EXPECT_EQ(info.situation, "a fake situation");
}

TEST(Isolation, AnErrorDuringTheProbeIsASetupError) {
  try {
    probe_plugin(config("error"));
    FAIL() << "no SetupError";
  } catch (const SetupError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open plugin fake: No such file or directory");
  }
}

TEST(Isolation, AProbeThatHangsIsASetupError) {
  EXPECT_THROW(probe_plugin(config("hang", 0.5)), SetupError);
}

}  // namespace
}  // namespace vmc::plugin
