// report_command.cpp - `vmconform report DIR...`: one self-contained index.html from the
// report.json of one or more runs (html_report.hpp), with the figures found beside them.
//
// Each argument is a directory holding report.json (as `run --report DIR` writes it) or a
// report.json file; every one is checked against spec/report-schema.md before anything is
// written. The page goes to --out (default: index.html in the first directory, or beside the first
// file). --benchmarks DIR adds the mutation scores, fuzzing rates and benchmark medians of
// reports/benchmarks/; --fuzz-log FILE (and any fuzz.log in a given directory) adds coverage over
// executions of a fuzzing campaign.
#include <filesystem>
#include <iostream>

#include "command.hpp"
#include "vmconform/files.hpp"
#include "vmconform/html_report.hpp"
#include "vmconform/human.hpp"
#include "vmconform/report_figures.hpp"
#include "vmconform/report_reader.hpp"

namespace vmc::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::vector<std::string> inputs, fuzz_logs;
  std::string out, benchmarks, title = "vmconform report";
};

struct ReportPlan {
  std::vector<RunResult> runs;
  std::string out;
  std::vector<std::string> fuzz_logs;
};

ReportPlan plan(const ReportArgs& a) {
  ReportPlan p;
  if (a.inputs.empty()) throw UsageError("report: give at least one report directory (or report.json)");
  std::error_code ec;
  for (const std::string& in : a.inputs) {
    const bool dir = fs::is_directory(in, ec);
    const std::string file = dir ? (fs::path(in) / "report.json").string() : in;
    try {
      p.runs.push_back(load_report(file));
    } catch (const ReportError& e) {
      throw UsageError(std::string(e.what()) + (dir ? "" : " (give a directory that holds report.json, or the file)"));
    }
    if (dir && fs::is_regular_file(fs::path(in) / "fuzz.log", ec)) p.fuzz_logs.push_back((fs::path(in) / "fuzz.log").string());
  }
  for (const std::string& log : a.fuzz_logs) {
    if (!fs::is_regular_file(log, ec)) throw UsageError("--fuzz-log " + log + ": no such file");
    p.fuzz_logs.push_back(log);
  }
  if (!a.benchmarks.empty() && !fs::is_directory(a.benchmarks, ec))
    throw UsageError("--benchmarks " + a.benchmarks + ": not a directory (reports/benchmarks/ of the source tree?)");
  const fs::path first = a.inputs.front();
  p.out = !a.out.empty() ? a.out
          : fs::is_directory(first, ec) ? (first / "index.html").string()
                                        : (first.parent_path() / "index.html").string();
  if (a.out == "-") throw UsageError("--out takes a file name; '-' is not one");
  check_output_file(p.out, "--out");
  return p;
}

int report(const ReportArgs& a) {
  const ReportPlan p = plan(a);
  ReportFigures figures;
  if (!a.benchmarks.empty()) figures = benchmark_figures(a.benchmarks);
  for (const std::string& log : p.fuzz_logs)
    if (auto f = fuzz_log_figure(log)) figures.lines.push_back(std::move(*f));
  write_file_atomically(p.out, report_html(p.runs, figures, a.title));
  std::size_t failing = 0;
  for (const RunResult& r : p.runs) failing += static_cast<std::size_t>(r.summary().at("fail") + r.summary().at("xpass"));
  std::cout << "wrote " << p.out << ": " << count_text(p.runs.size(), "run") << ", "
            << count_text(failing, "failing rule") << ", "
            << count_text(figures.bars.size() + figures.lines.size(), "figure") << "\n";
  return kExitOk;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{
    "report", "Write one self-contained index.html from the report.json of one or more runs", 45,
    [](CLI::App& sub) -> Action {
      auto a = std::make_shared<ReportArgs>();
      sub.add_option("DIR", a->inputs, "Directories written by run --report (or report.json files)")->required();
      sub.add_option("--out", a->out, "The page to write (default: index.html in the first DIR)");
      sub.add_option("--benchmarks", a->benchmarks, "Add the figures of this directory (reports/benchmarks)");
      sub.add_option("--fuzz-log", a->fuzz_logs, "Add coverage over executions from a libFuzzer log (repeatable)");
      sub.add_option("--title", a->title, "The page's heading");
      return Action{[a] { plan(*a); }, [a] { return report(*a); }};
    },
    {"vmconform report out/                                   # out/index.html from out/report.json",
     "vmconform report sim/ native/ plugin/ --out all.html --benchmarks reports/benchmarks"},
    "  0  the page was written\n"
    "  2  an input is not a valid report (spec/report-schema.md), or the page cannot be written"});

}  // namespace vmc::cli
