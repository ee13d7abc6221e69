// report.cpp - renders a RunResult as JSON, Markdown, JUnit XML, a terminal table and GitHub
// annotations. The shard and plugin context of a run are rendered from the RunResult too: a
// "shard" and a "plugin" object in report.json, a paragraph under the title of report.md, and
// properties of the JUnit test suite.
#include "vmconform/report.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vmconform/catalogue.hpp"

namespace vmc {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

/// The paragraphs report.md gives a sharded or plugin run, between its title and the seed.
std::string context_paragraphs(const RunResult& r) {
  std::string context;
  if (r.shard)
    context += "Shard " + r.shard->text() + ": the rules whose index in the profile is " +
               std::to_string(r.shard->index - 1) + " modulo " + std::to_string(r.shard->count) + ".\n\n";
  if (r.plugin && r.subject.kind == Subject::Kind::agent)
    context += "Agent `" + r.subject.name + "` (" + r.plugin->name + ", protocol vmconform-agent/" +
               std::to_string(r.plugin->abi) + "), one agent process per property.\n\nForeign memory: " +
               r.plugin->situation + ".\n\n";
  else if (r.plugin)
    context += "Plugin `" + r.subject.name + "` (" + r.plugin->name + ", ABI " + std::to_string(r.plugin->abi) +
               "), run in isolated worker processes (one per property).\n\nForeign memory: " + r.plugin->situation +
               ".\n\n";
  return context;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream f(p, std::ios::binary);
  f << content;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

nlohmann::json report_json(const RunResult& r) {
  nlohmann::json j;
  j["schema"] = "vmconform-report/1";
  j["target"] = r.subject.name;
  j["profile"] = profile_name(r.profile);
  j["seed"] = r.seed;
  j["cases_per_property"] = r.cases;
  j["seconds"] = r.seconds;
  j["rules"] = nlohmann::json::array();
  for (const RuleOutcome& o : r.rules) {
    nlohmann::json rule;
    rule["id"] = o.id;
    rule["status"] = status_name(o.status);
    rule["message"] = o.message;
    rule["reproducer"] = o.reproducer;
    if (const Rule* def = find_rule(o.id)) rule["text"] = def->text;
    rule["properties"] = nlohmann::json::array();
    for (const PropertyOutcome& p : o.properties) rule["properties"].push_back(outcome_json(p));
    j["rules"].push_back(std::move(rule));
  }
  j["summary"] = r.summary();
  j["coverage"] = r.coverage.to_json();
  if (r.shard) j["shard"] = {{"index", r.shard->index}, {"count", r.shard->count}};
  if (r.plugin && r.subject.kind == Subject::Kind::agent)
    j["agent"] = {{"command", r.subject.name},
                  {"name", r.plugin->name},
                  {"protocol", "vmconform-agent/" + std::to_string(r.plugin->abi)},
                  {"page_size", r.plugin->page_size},
                  {"allocation_granularity", r.plugin->granularity},
                  {"query_virtual", r.plugin->query},
                  {"foreign_memory", r.plugin->situation},
                  {"timeout_seconds", r.subject.timeout_seconds}};
  else if (r.plugin)
    j["plugin"] = {{"path", r.subject.name},
                   {"name", r.plugin->name},
                   {"options", r.subject.options},
                   {"abi", r.plugin->abi},
                   {"page_size", r.plugin->page_size},
                   {"allocation_granularity", r.plugin->granularity},
                   {"query_virtual", r.plugin->query},
                   {"foreign_memory", r.plugin->situation},
                   {"timeout_seconds", r.subject.timeout_seconds}};
  return j;
}

std::string report_markdown(const RunResult& r) {
  std::ostringstream md;
  md << "# vmconform report: " << r.subject.name << " (" << profile_name(r.profile) << ")\n\n"
     << context_paragraphs(r) << "Seed " << r.seed << ", " << r.cases << " cases per property, " << r.seconds << " s.\n\n";
  const auto s = r.summary();
  md << "| pass | fail | xfail | xpass | skip |\n|---|---|---|---|---|\n| " << s.at("pass") << " | "
     << s.at("fail") << " | " << s.at("xfail") << " | " << s.at("xpass") << " | " << s.at("skip") << " |\n\n";
  md << "| Rule | Result | Rule text | Message |\n|---|---|---|---|\n";
  for (const RuleOutcome& o : r.rules) {
    const Rule* def = find_rule(o.id);
    md << "| " << o.id << " | " << status_name(o.status) << " | " << md_cell(def ? def->text : "") << " | "
       << md_cell(o.message.substr(0, 300)) << " |\n";
  }
  bool header = false;
  for (const RuleOutcome& o : r.rules) {
    if (o.status != Status::fail && o.status != Status::xfail && o.status != Status::xpass) continue;
    if (!header) md << "\n## Counterexamples\n";
    header = true;
    md << "\n### " << o.id << " (" << status_name(o.status) << ")\n\n";
    if (!o.reproducer.empty()) md << "Reproduce: `" << o.reproducer << "`\n\n";
    for (const PropertyOutcome& p : o.properties) {
      if (p.status != Status::fail) continue;
      md << "**" << p.name << "**\n\n```\n" << p.message << "\n" << p.counterexample << "```\n";
    }
  }
  return md.str();
}

std::string report_junit(const RunResult& r) {
  const auto s = r.summary();
  std::ostringstream x;
  const std::string suite = "vmconform." + r.subject.name + "." + profile_name(r.profile);
  std::string context;  // the run's own properties before the seed
  if (r.shard) context += "<property name=\"shard\" value=\"" + r.shard->text() + "\"/>";
  const char* kind = r.subject.kind == Subject::Kind::agent ? "agent" : "plugin";
  if (r.plugin)
    context += "<property name=\"" + std::string(kind) + "\" value=\"" + xml_escape(r.subject.name) + "\"/><property name=\"" +
               kind + "_name\" value=\"" + xml_escape(r.plugin->name) + "\"/>";
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites>\n<testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << r.rules.size()
    << "\" failures=\"" << s.at("fail") + s.at("xpass") << "\" skipped=\"" << s.at("skip")
    << "\" time=\"" << r.seconds << "\">\n"
    << "  <properties>" << context << "<property name=\"seed\" value=\"" << r.seed << "\"/></properties>\n";
  for (const RuleOutcome& o : r.rules) {
    const Rule* def = find_rule(o.id);
    x << "  <testcase classname=\"" << xml_escape(suite + "." + (def ? def->operation : "")) << "\" name=\""
      << xml_escape(o.id) << "\">\n";
    x << "    <properties><property name=\"rule\" value=\"" << xml_escape(o.id) << "\"/><property name=\"status\" value=\""
      << status_name(o.status) << "\"/></properties>\n";
    if (o.status == Status::fail || o.status == Status::xpass) {
      const std::string msg = o.status == Status::xpass ? "expected failure passed (xpass): update the baseline" : o.message;
      x << "    <failure message=\"" << xml_escape(msg.substr(0, 500)) << "\">" << xml_escape(o.message + "\n" + o.reproducer)
        << "</failure>\n";
    } else if (o.status == Status::skip) {
      x << "    <skipped message=\"" << xml_escape(o.message) << "\"/>\n";
    } else if (o.status == Status::xfail) {
      x << "    <system-out>" << xml_escape("expected failure (baseline): " + o.message) << "</system-out>\n";
    }
    x << "  </testcase>\n";
  }
  x << "</testsuite>\n</testsuites>\n";
  return x.str();
}

void write_reports(const RunResult& r, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create report directory " + dir + ": " + ec.message());
  write_file(std::filesystem::path(dir) / "report.json", report_json(r).dump(2) + "\n");
  write_file(std::filesystem::path(dir) / "report.md", report_markdown(r));
  write_file(std::filesystem::path(dir) / "junit.xml", report_junit(r));
}

std::string summary_table(const RunResult& r) {
  std::ostringstream t;
  const char* kind = r.subject.kind == Subject::Kind::agent ? "agent " : r.subject.kind == Subject::Kind::plugin ? "plugin " : "backend ";
  t << "\n" << kind << r.subject.name << ", profile " << profile_name(r.profile) << ", seed " << r.seed << "\n";
  t << "  RULE                        RESULT  PROPERTIES  CASES\n";
  for (const RuleOutcome& o : r.rules) {
    int cases = 0;
    for (const auto& p : o.properties) cases += p.cases;
    char line[160];
    std::snprintf(line, sizeof line, "  %-27s %-7s %10zu %6d\n", o.id.c_str(), status_name(o.status).c_str(),
                  o.properties.size(), cases);
    t << line;
  }
  const auto s = r.summary();
  t << "\n" << s.at("pass") << " passed, " << s.at("fail") + s.at("xpass") << " failed, " << s.at("xfail")
    << " expected failures, " << s.at("skip") << " skipped (" << r.rules.size() << " rules, " << r.seconds << " s)\n";
  return t.str();
}

std::string github_annotations(const RunResult& r) {
  std::ostringstream a;
  for (const RuleOutcome& o : r.rules) {
    if (o.status != Status::fail && o.status != Status::xpass) continue;
    std::string msg = o.status == Status::xpass ? "expected failure now passes: update the baseline" : o.message;
    for (char& c : msg)
      if (c == '\n') c = ' ';
    a << "::error title=vmconform " << o.id << " (" << r.subject.name << ", " << profile_name(r.profile) << ")::" << msg
      << (o.reproducer.empty() ? "" : " | reproduce: " + o.reproducer) << "\n";
  }
  return a.str();
}

}  // namespace vmc
