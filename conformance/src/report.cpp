// report.cpp - renders a RunResult as JSON, Markdown, JUnit XML, a terminal table and GitHub
// annotations. The shard and plugin context of a run are rendered from the RunResult too: a
// "shard" and a "plugin" object in report.json, a paragraph under the title of report.md, and
// properties of the JUnit test suite.
#include "vmconform/report.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "vmconform/catalogue.hpp"
#include "vmconform/files.hpp"
#include "vmconform/html_report.hpp"
#include "vmconform/human.hpp"

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

/// What the run checked: the subject's operations (all of them for a backend).
Operations operations_of(const RunResult& r) { return r.plugin ? r.plugin->operations : Operations{}; }

/// "13 of 41 rules applied to ICorDebugMutableDataTarget (WriteVirtual and ReadVirtual)".
std::string applied_sentence(const RunResult& r) {
  return std::to_string(r.rules_applied()) + " of " + std::to_string(r.rules.size()) + " rules applied to " +
         operations_of(r).checked();
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
               "), run in isolated worker processes (one per property).\n\nChecked: " + applied_sentence(r) +
               (r.plugin->operations.arranged_by.empty() ? std::string()
                                                         : "; provided for it: " + r.plugin->operations.arranged_by) +
               ".\n\nForeign memory: " + r.plugin->situation + ".\n\n";
  return context;
}

void write_file(const std::filesystem::path& p, const std::string& content) { write_file_atomically(p.string(), content); }

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
    if (!o.applies) rule["applies"] = false;
    rule["message"] = o.message;
    rule["reproducer"] = o.reproducer;
    if (const Rule* def = find_rule(o.id)) rule["text"] = def->text;
    rule["properties"] = nlohmann::json::array();
    for (const PropertyOutcome& p : o.properties) rule["properties"].push_back(outcome_json(p));
    j["rules"].push_back(std::move(rule));
  }
  j["summary"] = r.summary();
  {
    const Operations ops = operations_of(r);
    nlohmann::json names = nlohmann::json::array();
    for (const char* op : {"WriteVirtual", "ReadVirtual", "AllocateVirtualMemory", "VirtualFree"})
      if ((op[0] == 'W' && ops.write) || (op[0] == 'R' && ops.read) || (op[0] == 'A' && ops.allocate) ||
          (op[0] == 'V' && ops.free))
        names.push_back(op);
    j["interface"] = {{"name", ops.interface},
                      {"operations", names},
                      {"arranged_by", ops.arranged_by},
                      {"rules_applied", r.rules_applied()},
                      {"rules", r.rules.size()}};
  }
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
                  {"timeout_seconds", r.subject.timeout_seconds},
                  {"start_attempts", r.subject.agent_start_attempts}};
  else if (r.plugin)
    j["plugin"] = {{"path", r.subject.name},
                   {"name", r.plugin->name},
                   {"options", r.subject.options},
                   {"abi", r.plugin->abi},
                   {"page_size", r.plugin->page_size},
                   {"allocation_granularity", r.plugin->granularity},
                   {"query_virtual", r.plugin->query},
                   {"foreign_memory", r.plugin->situation},
                   {"fault_injection", r.plugin->fault_injection},
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
               kind + "_name\" value=\"" + xml_escape(r.plugin->name) +
               "\"/><property name=\"checked\" value=\"" + xml_escape(applied_sentence(r)) + "\"/>";
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
  write_file(std::filesystem::path(dir) / "index.html", report_html({r}, {}));
}

std::string summary_table(const RunResult& r, const std::function<std::string(Status, const std::string&)>& paint) {
  std::ostringstream t;
  const char* kind = r.subject.kind == Subject::Kind::agent ? "agent " : r.subject.kind == Subject::Kind::plugin ? "plugin " : "backend ";
  t << "\n" << kind << r.subject.name << ", profile " << profile_name(r.profile) << ", seed " << r.seed << "\n";
  t << "  RULE                        RESULT  PROPERTIES  CASES\n";
  for (const RuleOutcome& o : r.rules) {
    int cases = 0;
    for (const auto& p : o.properties) cases += p.cases;
    char id[64], rest[64];
    std::snprintf(id, sizeof id, "  %-27s ", o.id.c_str());
    std::snprintf(rest, sizeof rest, " %10zu %6d", o.properties.size(), cases);
    std::string status = status_name(o.status);
    status.resize(std::max<std::size_t>(status.size(), 7), ' ');  // padded before colouring
    t << id << (paint ? paint(o.status, status) : status) << rest
      << (o.status == Status::skip && !o.message.empty() ? "  " + o.message : std::string()) << "\n";
  }
  const auto s = r.summary();
  t << "\n" << s.at("pass") << " passed, " << s.at("fail") + s.at("xpass") << " failed, "
    << count_text(static_cast<std::uint64_t>(s.at("xfail")), "expected failure") << ", " << s.at("skip")
    << " skipped (" << count_text(r.rules.size(), "rule") << ", " << duration_text(r.seconds) << ")\n";
  if (r.rules_applied() != static_cast<int>(r.rules.size()) || !operations_of(r).complete())
    t << applied_sentence(r) << "; the other " << r.rules.size() - r.rules_applied()
      << " are skipped: their operations are not provided\n";
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
