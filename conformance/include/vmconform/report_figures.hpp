// report_figures.hpp - the figures index.html plots besides the runs themselves, read from the
// files other tools write: reports/benchmarks/ (bench/run.sh, fuzz/bench_fuzz.sh, the mutation
// score scripts) and the log of a fuzzing campaign (`vmconform fuzz` keeps fuzz.log beside its
// artifacts).
//
// Every reader takes what it recognises and ignores the rest: a missing file, or one whose
// format moved on, gives no figure, never an error (the page is still worth writing).
#pragma once

#include <optional>
#include <string>

#include "vmconform/html_report.hpp"

namespace vmc {

/// From a directory like reports/benchmarks/: the mutation scores (mutation-score-model.md,
/// mutation-score.md: "**Mutation score: N / M (P %)**"), the median exec/s of each fuzz target
/// (fuzz.md's table of every run), the default run's wall time per profile (conformance.json)
/// and the medians of the Google Benchmark files (native.json, model.json, process.json).
ReportFigures benchmark_figures(const std::string& dir);

/// Coverage over executions from a libFuzzer log ("#N ... cov: C ..." lines); nullopt without any.
std::optional<LineFigure> fuzz_log_figure(const std::string& path);

}  // namespace vmc
