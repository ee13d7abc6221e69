// run_extras.cpp - shard selection and the report writers with shard and plugin context.
//
// The reports themselves come from vmconform/report.hpp; this file only adds the extra
// context to them, so a run without a shard or a plugin writes exactly what report.hpp does.
#include "run_extras.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "command.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/report.hpp"

namespace vmc::cli {
namespace {

std::string xml_attr(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream f(p, std::ios::binary);
  f << content;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

Shard parse_shard(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  try {
    std::size_t used_i = 0, used_n = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    s.index = std::stoi(text.substr(0, slash), &used_i);
    s.count = std::stoi(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw UsageError("--shard takes I/N (for example 2/4), not '" + text + "'");
  }
  if (s.count < 1 || s.index < 1 || s.index > s.count)
    throw UsageError("--shard " + text + ": the shard number must be between 1 and the number of shards");
  return s;
}

std::vector<std::string> shard_rules(const Shard& shard, Profile profile, const std::vector<std::string>& only) {
  std::vector<std::string> out;
  int index = 0;
  for (const Rule& rule : rules()) {
    if (!rule.in(profile)) continue;
    const bool mine = index++ % shard.count == shard.index - 1;
    const bool wanted = only.empty() || std::find(only.begin(), only.end(), rule.id) != only.end();
    if (mine && wanted) out.push_back(rule.id);
  }
  return out;
}

nlohmann::json report_json(const RunResult& r, const ReportExtras& extras) {
  nlohmann::json j = vmc::report_json(r);
  if (extras.shard) j["shard"] = {{"index", extras.shard->index}, {"count", extras.shard->count}};
  if (!extras.plugin.is_null()) j["plugin"] = extras.plugin;
  return j;
}

std::string report_markdown(const RunResult& r, const ReportExtras& extras) {
  std::string md = vmc::report_markdown(r);
  std::string context;
  if (extras.shard)
    context += "Shard " + extras.shard->text() + ": the rules whose index in the profile is " +
               std::to_string(extras.shard->index - 1) + " modulo " + std::to_string(extras.shard->count) + ".\n\n";
  if (!extras.plugin.is_null())
    context += "Plugin `" + extras.plugin.value("path", std::string()) + "` (" + extras.plugin.value("name", std::string()) +
               ", ABI " + std::to_string(extras.plugin.value("abi", 0)) +
               "), run in isolated worker processes (one per property).\n\nForeign memory: " +
               extras.plugin.value("foreign_memory", std::string()) + ".\n\n";
  const auto title_end = md.find("\n\n");
  if (!context.empty() && title_end != std::string::npos) md.insert(title_end + 2, context);
  return md;
}

std::string report_junit(const RunResult& r, const ReportExtras& extras) {
  std::string x = vmc::report_junit(r);
  std::string props;
  if (extras.shard) props += "<property name=\"shard\" value=\"" + extras.shard->text() + "\"/>";
  if (!extras.plugin.is_null())
    props += "<property name=\"plugin\" value=\"" + xml_attr(extras.plugin.value("path", std::string())) +
             "\"/><property name=\"plugin_name\" value=\"" + xml_attr(extras.plugin.value("name", std::string())) + "\"/>";
  const std::string anchor = "<properties><property name=\"seed\"";
  const auto at = x.find(anchor);
  if (!props.empty() && at != std::string::npos) x.insert(at + std::string("<properties>").size(), props);
  return x;
}

void write_reports(const RunResult& r, const std::string& dir, const ReportExtras& extras) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create report directory " + dir + ": " + ec.message());
  write_file(std::filesystem::path(dir) / "report.json", report_json(r, extras).dump(2) + "\n");
  write_file(std::filesystem::path(dir) / "report.md", report_markdown(r, extras));
  write_file(std::filesystem::path(dir) / "junit.xml", report_junit(r, extras));
}

}  // namespace vmc::cli
