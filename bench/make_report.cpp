// make_report.cpp - writes reports/benchmarks/README.md from the figures bench/run.sh collected.
//
// Reads, from the directory given as the first argument: model.json (and model-2.json, model-3.json...
// when the model benchmark was run several times), native.json and process.json
// (Google Benchmark output with repetitions) or, for a backend that could not be measured,
// {"pending": "why"}; reserve_rss.json (reserve_rss); conformance.json (the timed `vmconform run`
// invocations, written by run.sh). Writes the summary table (report_figures.cpp compares each
// figure with its goal and says plainly whether it is met), then every benchmark's median, mean
// and spread, and notes. Further arguments: the load average before and after the run and a
// description of the build, printed with the machine (nproc, CPU model, kernel).
#include <sched.h>
#include <sys/utsname.h>

#include <ctime>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "report.hpp"

using nlohmann::json;
using namespace vmc::bench;

namespace {

// A table cell: a literal '|' (as in MEM_COMMIT|MEM_RESERVE) would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

void details(std::ostream& out, const char* title, const json& gb) {
  if (!gb.contains("benchmarks")) return;
  out << "\n### " << title << "\n\n"
      << "| benchmark | median CPU | median wall | mean wall | stddev wall | cv wall | repetitions "
         "|\n"
      << "|---|---|---|---|---|---|---|\n";
  for (const auto& b : gb["benchmarks"]) {
    if (b.value("aggregate_name", "") != "median") continue;
    const std::string n = b["run_name"];
    double cv = 0;
    for (const auto& e : gb["benchmarks"])
      if (e.value("run_name", "") == n && e.value("aggregate_name", "") == "cv")
        cv = e["real_time"];
    out << "| " << n << " | " << ns_text(aggregate(gb, n, "median", "cpu_time").value_or(0))
        << " | " << ns_text(aggregate(gb, n).value_or(0)) << " | "
        << ns_text(aggregate(gb, n, "mean").value_or(0)) << " | "
        << ns_text(aggregate(gb, n, "stddev").value_or(0)) << " | " << fmt("%.1f%%", cv * 100)
        << " | " << b.value("repetitions", 0) << " |\n";
  }
}

void notes(std::ostream& out, const json& model, const json& rss) {
  out << "\n## Notes\n\n"
      << "- Figures of benchmarks whose work all happens on the benchmark thread (the model, "
         "`native` and their bare baselines) are the median of that thread's CPU time (user + "
         "system, CLOCK_THREAD_CPUTIME_ID), with the wall-clock median in brackets: on a shared "
         "machine the wall clock also counts the time other processes held the core. The "
         "`process` figures are wall-clock medians, because their work happens in a child process "
         "and a ptrace thread as well.\n"
      << "- Google Benchmark library build type as it reports itself: "
      << (model.contains("context") ? model["context"].value("library_build_type", "?") : "?")
      << " (the distribution's package; it only drives the timing loop).\n";
  if (rss.contains("probe")) {
    const json& p = rss["probe"];
    const bool rounded = p.value("recorded_size", std::int64_t{-1}) == std::int64_t{1} << 32 &&
                         p.value("invariants", "") == "ok";
    out << "- Largest DWORD at address 0: `" << p.value("request", "")
        << "` on a fresh model returns " << p.value("hresult", "?") << " and records "
        << p.value("recorded_size", std::int64_t{-1})
        << " bytes (invariant check: " << p.value("invariants", "?") << ") - "
        << (rounded ? "correctly rounded up to 4 GiB."
                    : "**wrong**: it should record 4294967296 bytes (4 GiB); the size is probably "
                      "rounded in 32 bits (`size + page_size - 1` wraps).")
        << "\n";
  }
}

// A plain statement when the machine was busy: a 1-minute load average at or above the number of
// cores before or after the run means other processes competed for the pinned core.
std::string load_warning(const std::string& before, const std::string& after, int nproc) {
  const auto one_minute = [](const std::string& loads) {
    try {
      return std::stod(loads);
    } catch (const std::exception&) {
      return -1.0;
    }
  };
  const double b = one_minute(before), a = one_minute(after);
  if (nproc <= 0 || (b < nproc && a < nproc)) return "";
  return "**The machine was shared and loaded during this run** (1-minute load average " + fmt("%.2f", b) +
         " before, " + fmt("%.2f", a) + " after, on " + std::to_string(nproc) +
         " cores): other processes competed for the pinned core, so the figures are probably higher, and "
         "their spread wider, than on a quiet machine.  \n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_report DIR [LOAD_BEFORE LOAD_AFTER BUILD_DESCRIPTION]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::string load_before = argc > 2 ? argv[2] : "?", load_after = argc > 3 ? argv[3] : "?";
  const std::string build = argc > 4 ? argv[4] : "?";
  const json model = load(dir + "/model.json"), rss = load(dir + "/reserve_rss.json"),
             conf = load(dir + "/conformance.json"), native = load(dir + "/native.json"),
             process = load(dir + "/process.json");
  // Further runs of the model benchmark (BENCH_MODEL_RUNS): model-2.json, model-3.json, ...
  std::vector<json> model_runs{model};
  for (int k = 2; std::ifstream(dir + "/model-" + std::to_string(k) + ".json"); ++k)
    model_runs.push_back(load(dir + "/model-" + std::to_string(k) + ".json"));

  std::vector<Row> rows;
  model_rows(model_runs, rows);
  rss_rows(rss, rows);
  conformance_rows(conf, rows);
  native_rows(native, rows);
  process_rows(process, rows);

  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  cpu_set_t set;
  const int nproc = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  utsname u{};
  uname(&u);

  std::ofstream out(dir + "/README.md");
  out << "# Benchmark figures\n\nGenerated by `bench/run.sh` on " << date
      << " - do not edit by hand; run `bench/run.sh` again to regenerate.\n\n"
      << "Machine: nproc " << nproc << ", CPU " << cpu_model() << ", kernel " << u.release << " "
      << u.machine << ".  \nBuild: " << build
      << ".  \nLoad average (1/5/15 min) before the run: " << load_before
      << "; after: " << load_after
      << ".  \n" << load_warning(load_before, load_after, nproc)
      << "Benchmarks and conformance runs are pinned to one core with `taskset`; see the "
         "notes "
         "for which clock each figure uses. Other work on the machine shows up as a higher load "
         "average and spread (cv) below.\n\n## Figures against the goals\n\n"
      << "| figure | measured | goal | met? | how measured | date |\n|---|---|---|---|---|---|\n";
  for (const Row& r : rows)
    out << "| " << cell(r.figure) << " | " << cell(r.measured) << " | " << cell(r.goal) << " | "
        << r.met << " | " << cell(r.how) << " | " << r.date << " |\n";
  out << "\n## Every benchmark (medians, means and spread over the repetitions)\n";
  details(out, "Reference model (model.json)", model);
  for (std::size_t k = 1; k < model_runs.size(); ++k) {
    const std::string file = "model-" + std::to_string(k + 1) + ".json";
    details(out, ("Reference model, run " + std::to_string(k + 1) + " (" + file + ")").c_str(), model_runs[k]);
  }
  details(out, "native backend and bare calls (native.json)", native);
  details(out, "process backend and bare calls (process.json)", process);
  notes(out, model, rss);
  out << "\nRaw data: `model.json` (and `model-2.json`... for further runs), `native.json`, `process.json` (Google Benchmark JSON), "
         "`reserve_rss.json`, `conformance.json`. Long random sequences through the differential checker: "
         "`long-differential.md` (vmconform_bench_long_differential).\n";
  if (!out) {
    std::cerr << "cannot write " << dir << "/README.md\n";
    return 2;
  }
  std::cout << "wrote " << dir << "/README.md\n";
  return 0;
}
