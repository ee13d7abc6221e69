// protocol_test.cpp - the worker protocol's messages (PROTOCOL.md): round trips, the one encoding
// of a property outcome (the same object as in report.json), and refusals that name the problem.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "vmconform/plugin/protocol.hpp"
#include "vmconform/report.hpp"

namespace vmc::plugin {
namespace {

PropertyOutcome failing_outcome() {
  PropertyOutcome o;
  o.name = "WvAtomicFailedWriteChangesNothing";
  o.status = Status::fail;
  o.message = "[WV-ATOMIC] bytes changed";
  o.counterexample = "vmconform-opseq 1\nwrite r0 len=0x2 pattern=0x1\n";
  o.cases = 7;
  o.distribution = {{"straddles a page", 4}};
  o.agent_start_failures = {"agent `a`, request #1 (hello: `# hello`): the agent exited with status 1 before answering"};
  return o;
}

std::string message_error(const std::string& line) {
  try {
    decode_message(line);
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "";
}

TEST(Protocol, RequestsRoundTrip) {
  Request r;
  r.kind = Request::Kind::run;
  r.plugin = "./libx.so";
  r.options = "a=1 b='2'";
  r.property = "WvRoundtripWrittenBytesReadBack";
  r.profile = Profile::documented;
  r.seed = 0xFFFFFFFFFFFFFFFFull;
  r.cases = 100;
  const std::string line = encode(r);
  EXPECT_EQ(encode(decode_request(line)), line);
  EXPECT_NE(line.find("\"seed\":18446744073709551615"), std::string::npos) << line;
}

TEST(Protocol, AResultCarriesTheOutcomeAsReportJsonDoes) {
  const PropertyOutcome o = failing_outcome();
  const nlohmann::json line = nlohmann::json::parse(encode(Message{Result{o}}));
  RunResult run;
  run.rules.push_back(RuleOutcome{"WV-ATOMIC", Status::fail, o.message, "", {o}});
  EXPECT_EQ(line["outcome"], report_json(run)["rules"][0]["properties"][0]);
  const PropertyOutcome back = std::get<Result>(decode_message(line.dump())).outcome;
  EXPECT_EQ(outcome_json(back), outcome_json(o));
  EXPECT_EQ(back.distribution, o.distribution);
  EXPECT_EQ(back.agent_start_failures, o.agent_start_failures);
}

TEST(Protocol, EmptyFieldsOfAnOutcomeAreLeftOutAndReadBackEmpty) {
  PropertyOutcome o;
  o.name = "P";
  const std::string line = encode(Message{Result{o}});
  EXPECT_EQ(line, R"({"outcome":{"cases":0,"name":"P","status":"pass"},"t":"result","v":1})");
  const PropertyOutcome back = std::get<Result>(decode_message(line)).outcome;
  EXPECT_TRUE(back.message.empty() && back.counterexample.empty() && back.distribution.empty() &&
              back.agent_start_failures.empty());
}

TEST(Protocol, RefusalsNameTheProblem) {
  EXPECT_EQ(message_error("{\"v\":1,\"t\":\"hello\",\"name\":\"x\",\"page_size\":\"4096\",\"granularity\":0,"
                          "\"query\":true,\"situation\":\"\"}"),
            "field \"page_size\" of a \"hello\" message has the wrong type");
  EXPECT_EQ(message_error("{\"v\":1,\"t\":\"case\"}"), "a \"case\" message without field \"n\"");
  EXPECT_EQ(message_error("{\"v\":1,\"t\":\"result\",\"outcome\":{\"name\":\"P\",\"status\":\"xfail\",\"cases\":1}}"),
            "a result with status \"xfail\" (expected pass, fail or skip)");
  EXPECT_EQ(message_error("{\"v\":1,\"t\":\"result\",\"outcome\":{\"name\":\"P\",\"status\":\"pass\",\"cases\":1,"
                          "\"distribution\":{\"x\":2147483648}}}"),
            "a distribution count is out of range");
  EXPECT_EQ(message_error("{\"v\":1,\"t\":\"result\",\"outcome\":{\"name\":\"P\",\"status\":\"pass\",\"cases\":1,"
                          "\"agent_start_failures\":[1]}}"),
            "an agent start failure that is not a string");
  EXPECT_EQ(message_error("{\"v\":2,\"t\":\"case\",\"n\":1}"), "protocol version 2, expected 1");
  EXPECT_EQ(message_error("not json"), "not JSON");
  EXPECT_THROW(decode_request("{\"v\":1,\"t\":\"run\"}"), ProtocolError);
}

}  // namespace
}  // namespace vmc::plugin
