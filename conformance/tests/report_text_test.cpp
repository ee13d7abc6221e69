// report_text_test.cpp - what people and later commands read of a run: durations and counts
// (human.hpp), counterexamples as named fields and op-sequence text rather than RapidCheck's
// C++ types (counterexample.hpp), report.json read back strictly (report_reader.hpp: the
// round trip of report_json, and what it refuses), the fuzzing log's figure (report_figures.hpp)
// and index.html's escaping and self-containment (html_report.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "vmconform/counterexample.hpp"
#include "vmconform/html_report.hpp"
#include "vmconform/human.hpp"
#include "vmconform/report.hpp"
#include "vmconform/report_figures.hpp"
#include "vmconform/report_reader.hpp"

namespace {

TEST(Human, DurationsReadLikeAPersonWouldSayThem) {
  EXPECT_EQ(vmc::duration_text(0.0033), "3.3 ms");
  EXPECT_EQ(vmc::duration_text(0.034), "34 ms");
  EXPECT_EQ(vmc::duration_text(0.9999), "1.0 s");
  EXPECT_EQ(vmc::duration_text(1.234), "1.2 s");
  EXPECT_EQ(vmc::duration_text(12.3), "12 s");
  EXPECT_EQ(vmc::duration_text(59.7), "1 min 00 s");
  EXPECT_EQ(vmc::duration_text(125), "2 min 05 s");
  EXPECT_EQ(vmc::duration_text(3725), "1 h 02 min");
  EXPECT_EQ(vmc::duration_text(-1), "?");
  EXPECT_EQ(vmc::duration_text(1.0 / 0.0), "?");
}

TEST(Human, CountsCarryTheirNoun) {
  EXPECT_EQ(vmc::count_text(0, "rule"), "0 rules");
  EXPECT_EQ(vmc::count_text(1, "rule"), "1 rule");
  EXPECT_EQ(vmc::count_text(40, "rule"), "40 rules");
  EXPECT_EQ(vmc::count_text(1, "property", "properties"), "1 property");
  EXPECT_EQ(vmc::count_text(2, "property", "properties"), "2 properties");
}

TEST(Counterexample, NamedDrawsAreNameEqualsValue) {
  EXPECT_EQ(vmc::readable_counterexample({{"pages", "2"}, {"bad page", "1\n"}}), "pages = 2\nbad page = 1\n");
}

TEST(Counterexample, UnnamedDrawsShowTheirTypeOnlyAsAHint) {
  const std::string text =
      vmc::readable_counterexample({{"unsigned int", "2"}, {"std::vector<unsigned char, std::allocator<unsigned char>>", "[1, 2]"}});
  EXPECT_EQ(text, "value 1 = 2  (unsigned int)\nvalue 2 = [1, 2]  (vector<unsigned char>)\n");
}

TEST(Counterexample, AStateMachineIsOpSequenceText) {
  const std::string commands = "alloc 0 size=0x1000 type=MEM_COMMIT protect=PAGE_READWRITE\nwrite r0 len=0x1001 pattern=1";
  const std::string text = vmc::readable_counterexample(
      {{"std::vector<std::shared_ptr<const rc::state::Command<vmc::(anonymous namespace)::SmModel, vmc::Target>>>",
        commands}});
  EXPECT_EQ(text, "vmconform-opseq 1\n" + commands + "\n");
  EXPECT_EQ(text.find("Command<"), std::string::npos);
  EXPECT_EQ(text.find("anonymous"), std::string::npos);
}

vmc::RunResult sample_run() {
  vmc::RunResult r;
  r.subject.name = "sim";
  r.profile = vmc::Profile::win32;
  r.seed = 18446744073709551615ull;
  r.cases = 100;
  r.seconds = 0.25;
  vmc::RuleOutcome pass{"WV-ROUNDTRIP", vmc::Status::pass, "", "", {}};
  pass.properties.push_back({"WvRoundtripWrittenBytesReadBack", vmc::Status::pass, "", "", 100, {}, "", {}, {}});
  vmc::RuleOutcome fail{"WV-ATOMIC", vmc::Status::fail, "changed <a> byte & more", "vmconform run --rule WV-ATOMIC", {}};
  fail.properties.push_back(
      {"WvAtomicFailedWriteChangesNothing", vmc::Status::fail, "changed <a> byte", "pages = 2\n", 3, {}, "", {}, {}});
  r.rules = {pass, fail};
  return r;
}

TEST(ReportReader, ReadsBackWhatReportJsonWrote) {
  const vmc::RunResult r = sample_run();
  const vmc::RunResult back = vmc::parse_report(vmc::report_json(r).dump(2), "sample");
  EXPECT_EQ(back.subject.name, "sim");
  EXPECT_EQ(back.seed, r.seed);
  ASSERT_EQ(back.rules.size(), 2u);
  EXPECT_EQ(back.rules[1].id, "WV-ATOMIC");
  EXPECT_EQ(back.rules[1].status, vmc::Status::fail);
  ASSERT_EQ(back.rules[1].properties.size(), 1u);
  EXPECT_EQ(back.rules[1].properties[0].counterexample, "pages = 2\n");
  EXPECT_EQ(back.summary(), r.summary());
}

TEST(ReportReader, ReadsBackAnAgentRunAsAnAgentRun) {
  vmc::RunResult r = sample_run();
  r.subject = vmc::Subject{vmc::Subject::Kind::agent, "wine vmc_agent.exe raw self", "", 30, 3};
  vmc::PluginInfo info;
  info.name = "win32-raw-self";
  info.abi = 1;
  info.page_size = 0x1000;
  info.granularity = 0x10000;
  info.query = true;
  info.situation = "none offered by the agent";
  r.plugin = info;
  const vmc::RunResult back = vmc::parse_report(vmc::report_json(r).dump(2), "agent");
  EXPECT_EQ(back.subject.kind, vmc::Subject::Kind::agent);
  EXPECT_EQ(back.subject.name, r.subject.name);
  EXPECT_EQ(back.subject.timeout_seconds, 30);
  EXPECT_EQ(back.subject.agent_start_attempts, 3);
  ASSERT_TRUE(back.plugin.has_value());
  EXPECT_EQ(back.plugin->name, "win32-raw-self");
  EXPECT_EQ(back.plugin->abi, 1);
  EXPECT_EQ(back.plugin->granularity, 0x10000u);
  EXPECT_EQ(vmc::report_json(back), vmc::report_json(r));
}

void expect_refused(const std::string& text, const std::string& says) {
  try {
    vmc::parse_report(text, "r.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const vmc::ReportError& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("json.exception"), std::string::npos) << e.what();
  }
}

TEST(ReportReader, RefusesWhatIsNotAReportWithTheReason) {
  expect_refused("", "report r.json is not valid JSON");
  expect_refused("[1]", "expected a JSON object, not array");
  expect_refused(R"({"schema": "vmconform-report/1"})", "target");
  expect_refused(R"({"schema": "vmconform-report/2"})", "is not vmconform-report/1");
  nlohmann::json j = vmc::report_json(sample_run());
  j["rules"][0]["status"] = "banana";
  expect_refused(j.dump(), "has status \"banana\"");
  j = vmc::report_json(sample_run());
  j["rules"][0]["id"] = "X";
  expect_refused(j.dump(), "names rule \"X\"");
  j = vmc::report_json(sample_run());
  j["rules"] = nlohmann::json::array();
  expect_refused(j.dump(), "\"rules\" is empty");
  j = vmc::report_json(sample_run());
  j["rules"].push_back(j["rules"][0]);
  expect_refused(j.dump(), "is listed twice");
  j = vmc::report_json(sample_run());
  j["seed"] = -1;
  expect_refused(j.dump(), "seed");
  vmc::RunResult agent = sample_run();
  agent.subject = vmc::Subject{vmc::Subject::Kind::agent, "python3 a.py", "", 60, 1};
  agent.plugin = vmc::PluginInfo{};
  j = vmc::report_json(agent);
  j["agent"]["protocol"] = "vmconform-agent/x";
  expect_refused(j.dump(), "is not vmconform-agent/N");
  j = vmc::report_json(agent);
  j["agent"]["command"] = "other";
  expect_refused(j.dump(), "is not the report's");
  j = vmc::report_json(agent);
  j["plugin"] = j["agent"];
  expect_refused(j.dump(), "a run has one subject");
}

TEST(ReportFigures, CoverageOverExecutionsFromALibFuzzerLog) {
  const std::string path = ::testing::TempDir() + "/vmconform-fuzz.log";
  {
    std::ofstream log(path);
    log << "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 12 corp: 1/1b exec/s: 0 rss: 30Mb\n"
           "#1024\tpulse  cov: 40 ft: 50 corp: 5/30b exec/s: 512 rss: 31Mb\n"
           "#4096\tNEW    cov: 55 ft: 70 corp: 9/60b lim: 4 exec/s: 1024 rss: 32Mb\n"
           "#99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
           "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
           "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999 cov: 1\n";
  }
  const auto f = vmc::fuzz_log_figure(path);
  ASSERT_TRUE(f.has_value());
  ASSERT_GE(f->points.size(), 3u);
  EXPECT_EQ(f->points[0], (std::pair<double, double>{2, 10}));
  EXPECT_EQ(f->points[2], (std::pair<double, double>{4096, 55}));
  std::remove(path.c_str());
  EXPECT_FALSE(vmc::fuzz_log_figure(path).has_value());  // no file: no figure, no error
}

TEST(HtmlReport, EscapesWhatRunsSayAndLoadsNothing) {
  const std::string page = vmc::report_html({sample_run()}, {}, "a <title>");
  EXPECT_NE(page.find("<title>a &lt;title&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("changed &lt;a&gt; byte &amp; more"), std::string::npos);
  EXPECT_EQ(page.find("changed <a>"), std::string::npos);
  EXPECT_NE(page.find("<code class=\"reproducer\">vmconform run --rule WV-ATOMIC</code>"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find(" src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page, vmc::report_html({sample_run()}, {}, "a <title>"));  // no clock: the same bytes
}

}  // namespace
