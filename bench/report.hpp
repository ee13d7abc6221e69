// report.hpp - shared pieces of the benchmark report generator (vmconform_bench_report).
//
// The figures files (report_figures.cpp) turn each collected JSON file into rows of the summary
// table, one per figure of the issue, each compared with its goal; make_report.cpp writes the
// rows, the per-benchmark details and the machine description into reports/benchmarks/README.md.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vmc::bench {

struct Row {
  std::string figure, measured, goal, met, how, date;
};

std::string fmt(const char* format, double v);
/// 12.3 ns, 4.56 µs, 7.89 ms.
std::string ns_text(double ns);
/// The file as JSON; {"pending": why} if it is missing or malformed.
nlohmann::json load(const std::string& path);
/// An aggregate ("median", "mean", ...) of one benchmark's real_time or cpu_time, in ns.
std::optional<double> aggregate(const nlohmann::json& gb, const std::string& name,
                                const char* which = "median", const char* field = "real_time");

/// The median over several Google Benchmark runs of each run's median of one benchmark, in ns;
/// nullopt if a run lacks it.
std::optional<double> median_over_runs(const std::vector<nlohmann::json>& runs,
                                       const std::string& name, const char* field);
/// `model` holds one Google Benchmark run per element (model.json, model-2.json, ...): each
/// figure is the median of the runs' medians.
void model_rows(const std::vector<nlohmann::json>& model, std::vector<Row>& rows);
void rss_rows(const nlohmann::json& rss, std::vector<Row>& rows);
void conformance_rows(const nlohmann::json& conformance, std::vector<Row>& rows);
void native_rows(const nlohmann::json& native, std::vector<Row>& rows);
void process_rows(const nlohmann::json& process, std::vector<Row>& rows);

}  // namespace vmc::bench
