// report_reader.cpp - strict reading of report.json (vmconform/report_reader.hpp).
#include "vmconform/report_reader.hpp"

#include <cmath>
#include <set>

#include "vmconform/files.hpp"
#include "vmconform/json_fields.hpp"

namespace vmc {
namespace {

using nlohmann::json;

std::optional<Status> parse_status(const std::string& s) {
  for (Status st : {Status::pass, Status::fail, Status::xfail, Status::xpass, Status::skip})
    if (status_name(st) == s) return st;
  return std::nullopt;
}

/// The rule entry: id, status, message, reproducer, properties.
RuleOutcome read_rule(const json& rj, Profile profile, std::size_t index) {
  const std::string where = "rule entry " + std::to_string(index + 1);
  if (!rj.is_object()) throw FieldError(where + " is not an object");
  const JsonFields f{rj, where};
  RuleOutcome r;
  r.id = f.str("id");
  const Rule* rule = find_rule(r.id);
  if (!rule) throw FieldError(where + " names rule \"" + r.id + "\", which spec/rules.json does not have");
  if (!rule->in(profile))
    throw FieldError("rule " + r.id + " is not in profile " + profile_name(profile) + ", the report's profile");
  const std::string status = f.str("status");
  const auto st = parse_status(status);
  if (!st)
    throw FieldError("rule " + r.id + " has status \"" + status + "\" (expected pass, fail, xfail, xpass or skip)");
  r.status = *st;
  r.message = f.str("message");
  r.reproducer = f.str("reproducer");
  const json& props = f.field("properties", json::value_t::array);
  for (const json& p : props) {
    if (!p.is_object()) throw FieldError("a property of rule " + r.id + " is not an object");
    try {
      r.properties.push_back(outcome_from_json(p));
    } catch (const FieldError& e) {
      throw FieldError("rule " + r.id + ": " + e.what());
    }
  }
  if (r.status == Status::skip && r.message.empty())
    throw FieldError("rule " + r.id + " is skip without a reason in \"message\"");
  return r;
}

coverage::Counts read_coverage(const json& cj) {
  if (!cj.is_object()) throw FieldError("\"coverage\" is not an object");
  coverage::Counts c;
  if (cj.contains("cells")) {
    const json& cells = cj["cells"];
    if (!cells.is_object()) throw FieldError("\"coverage\".\"cells\" is not an object");
    for (const auto& [id, count] : cells.items()) {
      const std::uint64_t n = json_count(count, "the count of coverage cell " + id);
      // A cell this vmconform does not know comes from another version of the table: not counted.
      if (const auto i = coverage::cell_index(id)) c.hits[*i] = n;
    }
  }
  if (cj.contains("unreachable")) {
    const json& u = cj["unreachable"];
    if (!u.is_object()) throw FieldError("\"coverage\".\"unreachable\" is not an object");
    for (const auto& [id, why] : u.items()) {
      if (!why.is_string()) throw FieldError("the reason coverage cell " + id + " is unreachable is not a string");
      if (coverage::cell_index(id)) c.unreachable[id] = why.get<std::string>();
    }
  }
  return c;
}

RunResult read(const json& j) {
  if (!j.is_object()) throw FieldError(std::string("expected a JSON object, not ") + j.type_name());
  if (!j.contains("schema") || !j["schema"].is_string())
    throw FieldError("no \"schema\": \"vmconform-report/1\" (not a vmconform report)");
  if (j["schema"] != "vmconform-report/1")
    throw FieldError("schema \"" + j["schema"].get<std::string>() + "\" is not vmconform-report/1");
  const JsonFields f{j, "the report"};
  RunResult r;
  r.subject.name = f.str("target");
  if (r.subject.name.empty()) throw FieldError("\"target\" is empty");
  const std::string profile = f.str("profile");
  const auto p = parse_profile(profile);
  if (!p) throw FieldError("profile \"" + profile + "\" is not documented or win32");
  r.profile = *p;
  r.seed = f.u64("seed");
  r.cases = f.count("cases_per_property");
  if (r.cases < 1) throw FieldError("\"cases_per_property\" is 0");
  if (f.has("seconds")) {
    const json& s = j["seconds"];
    if (!s.is_number() || !std::isfinite(s.get<double>()) || s.get<double>() < 0)
      throw FieldError("\"seconds\" is not a duration");
    r.seconds = s.get<double>();
  }
  const json& rules = f.field("rules", json::value_t::array);
  if (rules.empty()) throw FieldError("\"rules\" is empty: a report of a run that checked no rule");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    RuleOutcome rule = read_rule(rules[i], r.profile, i);
    if (!seen.insert(rule.id).second) throw FieldError("rule " + rule.id + " is listed twice");
    r.rules.push_back(std::move(rule));
  }
  const json& summary = f.field("summary", json::value_t::object);
  for (const auto& [status, count] : r.summary()) {
    const auto it = summary.find(status);
    if (it == summary.end()) throw FieldError("\"summary\" has no count for " + status);
    if (json_count(*it, "the summary count of " + status) != count)
      throw FieldError("\"summary\" says " + std::to_string(it->get<long long>()) + " " + status + ", the rules say " +
                       std::to_string(count));
  }
  if (f.has("coverage")) r.coverage = read_coverage(j["coverage"]);
  if (f.has("shard")) {
    const JsonFields s{f.field("shard", json::value_t::object), "\"shard\""};
    Shard shard{s.count("index"), s.count("count")};
    if (shard.count < 1 || shard.index < 1 || shard.index > shard.count)
      throw FieldError("\"shard\" " + shard.text() + " is not a shard I/N with 1 <= I <= N");
    r.shard = shard;
  }
  if (f.has("plugin") && f.has("agent")) throw FieldError("both \"plugin\" and \"agent\": a run has one subject");
  // The time limit of an isolated subject's property, in `object`.
  const auto read_timeout = [&](const char* object) {
    const json& t = j[object]["timeout_seconds"];
    if (!t.is_number() || !(t.get<double>() > 0) || !std::isfinite(t.get<double>()))
      throw FieldError(std::string("\"") + object + "\".\"timeout_seconds\" is not a positive number");
    r.subject.timeout_seconds = t.get<double>();
  };
  if (f.has("plugin")) {
    const JsonFields pl{f.field("plugin", json::value_t::object), "\"plugin\""};
    r.subject.kind = Subject::Kind::plugin;
    PluginInfo info;
    info.name = pl.str("name");
    info.abi = pl.count("abi");
    info.page_size = pl.u32("page_size");
    info.granularity = pl.u32("allocation_granularity");
    info.query = pl.boolean("query_virtual");
    info.situation = pl.str("foreign_memory");
    if (pl.has("options")) r.subject.options = pl.str("options");
    if (pl.has("timeout_seconds")) read_timeout("plugin");
    r.plugin = info;
  }
  if (f.has("agent")) {
    const JsonFields ag{f.field("agent", json::value_t::object), "\"agent\""};
    r.subject.kind = Subject::Kind::agent;
    if (ag.str("command") != r.subject.name)
      throw FieldError("\"agent\".\"command\" is not the report's \"target\"");
    PluginInfo info;
    info.name = ag.str("name");
    const std::string protocol = ag.str("protocol"), prefix = "vmconform-agent/";
    if (protocol.rfind(prefix, 0) != 0 || protocol.size() == prefix.size() ||
        protocol.find_first_not_of("0123456789", prefix.size()) != std::string::npos || protocol.size() > prefix.size() + 3)
      throw FieldError("\"agent\".\"protocol\" \"" + protocol + "\" is not vmconform-agent/N");
    info.abi = std::stoi(protocol.substr(prefix.size()));
    info.page_size = ag.u32("page_size");
    info.granularity = ag.u32("allocation_granularity");
    info.query = ag.boolean("query_virtual");
    info.situation = ag.str("foreign_memory");
    if (ag.has("timeout_seconds")) read_timeout("agent");
    if (ag.has("start_attempts")) {
      r.subject.agent_start_attempts = ag.count("start_attempts");
      if (r.subject.agent_start_attempts < 1) throw FieldError("\"agent\".\"start_attempts\" is 0");
    }
    r.plugin = info;
  }
  return r;
}

}  // namespace

RunResult parse_report(const std::string& text, const std::string& origin) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ReportError("report " + origin + " is not valid JSON");
  try {
    return read(j);
  } catch (const FieldError& e) {
    throw ReportError("report " + origin + ": " + e.what());
  } catch (const json::exception& e) {  // a number that does not fit, ...: never nlohmann's text alone
    throw ReportError("report " + origin + ": malformed (" + e.what() + ")");
  }
}

RunResult load_report(const std::string& path) {
  std::string text;
  try {
    text = read_input_file(path, "report", kMaxReportBytes);
  } catch (const FileError& e) {
    throw ReportError(e.what());
  }
  return parse_report(text, path);
}

}  // namespace vmc
