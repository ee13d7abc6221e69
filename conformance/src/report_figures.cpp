// report_figures.cpp - reading benchmark files and fuzzing logs into figures
// (vmconform/report_figures.hpp).
#include "vmconform/report_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace vmc {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_small(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > (32u << 20)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return in ? std::optional<std::string>(s.str()) : std::nullopt;
}

/// A number a regex matched (digits and points): never throws; too large for a double is 0.
double number(const std::string& digits) {
  const double v = std::strtod(digits.c_str(), nullptr);
  return std::isfinite(v) ? v : 0;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void mutation_scores(const fs::path& dir, ReportFigures& out) {
  static const std::regex score(R"(\*\*Mutation score: (\d+) / (\d+) \(([0-9.]+) %\)\*\*)");
  BarFigure f{"Mutation score", "%", "", {}, 100};
  for (const auto& [file, label] : {std::pair{"mutation-score-model.md", "model mutants"},
                                    std::pair{"mutation-score.md", "plugin mutants"}}) {
    const auto text = read_small(dir / file);
    std::smatch m;
    if (!text || !std::regex_search(*text, m, score)) continue;
    f.bars.push_back({std::string(label) + " (" + m[1].str() + " / " + m[2].str() + " caught)", number(m[3])});
    f.note += (f.note.empty() ? "from " : ", ") + std::string(file);
  }
  if (!f.bars.empty()) out.bars.push_back(f);
}

void fuzz_rates(const fs::path& dir, ReportFigures& out) {
  const auto text = read_small(dir / "fuzz.md");
  if (!text) return;
  static const std::regex row(R"(^\| (fuzz_[a-z_]+) \| (\d+) \| (\d+) \| (\d+) \|)");
  std::map<std::string, std::vector<double>> rates;
  std::vector<std::string> order;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    if (!rates.count(m[1])) order.push_back(m[1]);
    rates[m[1]].push_back(number(m[4]));
  }
  BarFigure f{"Fuzzing: executions per second (median of the runs)", "exec/s", "from fuzz.md (fuzz/bench_fuzz.sh)", {}, 0};
  for (const std::string& t : order) f.bars.push_back({t, median(rates[t])});
  if (!f.bars.empty()) out.bars.push_back(f);
}

void default_run_times(const fs::path& dir, ReportFigures& out) {
  const auto text = read_small(dir / "conformance.json");
  if (!text) return;
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("runs") || !j["runs"].is_array()) return;
  static const std::regex backend(R"(--backend ([^ ]+))");
  BarFigure f{"Default run: wall time", "s", "from conformance.json (bench/run.sh), median of the runs", {}, 0};
  for (const auto& r : j["runs"]) {
    if (!r.is_object() || !r.contains("wall_s") || !r["wall_s"].is_array()) continue;
    std::vector<double> v;
    for (const auto& x : r["wall_s"])
      if (x.is_number()) v.push_back(x.get<double>());
    std::smatch m;
    const std::string cmd = r.value("command", "");
    const std::string name = std::regex_search(cmd, m, backend) ? m[1].str() : "run";
    f.bars.push_back({name + " " + r.value("profile", ""), median(v)});
  }
  if (!f.bars.empty()) out.bars.push_back(f);
}

void google_benchmarks(const fs::path& dir, ReportFigures& out) {
  for (const std::string file : {"model.json", "native.json", "process.json"}) {
    const auto text = read_small(dir / file);
    if (!text) continue;
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("benchmarks") || !j["benchmarks"].is_array()) continue;
    BarFigure f{"Benchmarks: " + file.substr(0, file.size() - 5) + " (median time per call)", "us",
                "from " + file + " (Google Benchmark, bench/run.sh)", {}, 0};
    for (const auto& b : j["benchmarks"]) {
      const std::string name = b.is_object() ? b.value("name", "") : "";
      if (name.size() < 7 || name.compare(name.size() - 7, 7, "_median") != 0 || !b.contains("real_time")) continue;
      const std::string unit = b.value("time_unit", "ns");
      const double scale = unit == "ns" ? 1e-3 : unit == "us" ? 1 : unit == "ms" ? 1e3 : 1e6;
      if (!b["real_time"].is_number()) continue;
      f.bars.push_back({name.substr(0, name.size() - 7), b["real_time"].get<double>() * scale});
      if (f.bars.size() == 12) break;
    }
    if (!f.bars.empty()) out.bars.push_back(f);
  }
}

}  // namespace

ReportFigures benchmark_figures(const std::string& dir) {
  ReportFigures out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  mutation_scores(dir, out);
  fuzz_rates(dir, out);
  default_run_times(dir, out);
  google_benchmarks(dir, out);
  return out;
}

std::optional<LineFigure> fuzz_log_figure(const std::string& path) {
  const auto text = read_small(path);
  if (!text) return std::nullopt;
  static const std::regex line_re(R"(^#(\d+)\s.*\bcov: (\d+))");
  LineFigure f{"Fuzzing: coverage over executions", "executions", "coverage (edges)", "from " + path, {}};
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, line_re)) f.points.push_back({number(m[1]), number(m[2])});
  }
  if (f.points.size() < 2) return std::nullopt;
  return f;
}

}  // namespace vmc
