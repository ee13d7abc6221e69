// html_report.hpp - index.html: one self-contained page people look at, from one or more runs.
//
// `vmconform report DIR...` and `vmconform run --report DIR` write it. Everything is inline (CSS,
// a little JavaScript, SVG plots, the data): no network, no other file, so it can be attached to a
// CI job or mailed. It shows the matrix of rules x runs coloured by status, a summary per
// operation and per interface with a plot of pass/fail per operation and target, every failing
// rule with its sentence from spec/rules.json, its source document, the minimised counterexample
// (op-sequence text) and the command that reproduces it, each run's coverage table
// (spec/coverage.md), and the figures of report_figures.hpp (mutation score, fuzzing, benchmarks)
// when they were found. The page is a pure function of its inputs (no clock), so the same runs
// give the same bytes.
#pragma once

#include <string>
#include <vector>

#include "vmconform/run_result.hpp"

namespace vmc {

/// A bar chart: one bar per label.
struct BarFigure {
  std::string title, unit, note;  // note: where the figures come from
  std::vector<std::pair<std::string, double>> bars;
  double max = 0;  // the axis end (0 = the largest bar)
};
/// A line chart: y over x (fuzzing: coverage over executions).
struct LineFigure {
  std::string title, x_label, y_label, note;
  std::vector<std::pair<double, double>> points;
};
struct ReportFigures {
  std::vector<BarFigure> bars;
  std::vector<LineFigure> lines;
};

/// The page; `runs` in the order given (one column each), `title` its heading.
std::string report_html(const std::vector<RunResult>& runs, const ReportFigures& figures,
                        const std::string& title = "vmconform report");

}  // namespace vmc
