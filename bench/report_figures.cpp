// report_figures.cpp - one row of the summary table per figure of the issue, with its goal.
//
// Benchmarks whose work all happens on the benchmark thread (the model, `native` and their bare
// baselines) are judged on the median of that thread's CPU time, with the wall-clock median shown
// in brackets, because on a shared machine the wall clock also counts time other processes held
// the core; the `process` benchmarks, whose work also happens in a child process and a ptrace
// thread, are judged on wall-clock medians. The conformance runs are judged on wall time, as the
// goal says, with their CPU time shown. Anything that could not be measured becomes a "pending"
// row saying why.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "report.hpp"

namespace vmc::bench {

using nlohmann::json;

namespace {

std::string yes_no(bool met) { return met ? "**yes**" : "**NO**"; }

std::string date_of(const json& j) {
  if (j.contains("context")) return j["context"].value("date", "?");
  return j.value("date", "?");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::string repetitions(const json& gb) {
  if (gb.contains("benchmarks") && !gb["benchmarks"].empty())
    return std::to_string(gb["benchmarks"][0].value("repetitions", 0));
  return "?";
}

struct Pair {
  const char* figure;
  const char* backend;
  const char* bare;
  const char* how;
  bool goal;  // false: information only
};

// in_thread: all the work happens on the benchmark thread, so its CPU time is the figure (wall time
// in brackets); otherwise (the process backend: work in the child and a ptrace thread) wall time.
void backend_rows(const char* name, const json& gb, const std::vector<Pair>& pairs,
                  std::vector<Row>& rows, bool in_thread) {
  if (gb.contains("pending")) {
    rows.push_back({std::string("`") + name + "` backend vs bare calls", "not measured",
                    "≤ 1.5x the bare calls", "pending", gb["pending"].get<std::string>(), "—"});
    return;
  }
  for (const Pair& p : pairs) {
    const char* field = in_thread ? "cpu_time" : "real_time";
    const auto b = aggregate(gb, p.backend, "median", field),
               bare = aggregate(gb, p.bare, "median", field);
    if (!b || !bare) {
      rows.push_back(
          {p.figure, "missing or failed", p.goal ? "≤ 1.5x" : "—", "pending", p.how, date_of(gb)});
      continue;
    }
    std::string measured = ns_text(*b) + " vs " + ns_text(*bare);
    if (in_thread)
      measured += " (wall " + ns_text(aggregate(gb, p.backend).value_or(0)) + " vs " +
                  ns_text(aggregate(gb, p.bare).value_or(0)) + ")";
    else
      measured = fmt("%.0f/s", 1e9 / *b) + fmt(" vs %.0f/s", 1e9 / *bare) + " (" + measured + ")";
    measured += fmt(" = %.2fx", *b / *bare);
    rows.push_back({p.figure, measured, p.goal ? "≤ 1.5x the bare calls" : "— (information)",
                    p.goal ? yes_no(*b <= 1.5 * *bare) : "n/a", p.how, date_of(gb)});
  }
}

}  // namespace

std::string fmt(const char* format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}
std::string ns_text(double ns) {
  return ns < 10     ? fmt("%.2f ns", ns)
         : ns < 1000 ? fmt("%.1f ns", ns)
         : ns < 1e6  ? fmt("%.2f µs", ns / 1000)
                     : fmt("%.2f ms", ns / 1e6);
}

json load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return json{{"pending", "no " + path + " (stage not run)"}};
  try {
    return json::parse(f);
  } catch (const std::exception& e) {
    return json{{"pending", path + " is not valid JSON: " + e.what()}};
  }
}

// The median (or another aggregate) in nanoseconds of one benchmark's real_time or cpu_time.
std::optional<double> aggregate(const json& gb, const std::string& name, const char* which,
                                const char* field) {
  if (!gb.contains("benchmarks")) return std::nullopt;
  for (const auto& b : gb["benchmarks"]) {
    if (b.value("run_name", "") != name || b.value("aggregate_name", "") != which) continue;
    if (b.contains("error_occurred") && b["error_occurred"].get<bool>()) return std::nullopt;
    const std::string unit = b.value("time_unit", "ns");
    const double scale = unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9 : 1.0;
    return b[field].get<double>() * scale;
  }
  return std::nullopt;
}

std::optional<double> median_over_runs(const std::vector<json>& runs, const std::string& name,
                                       const char* field) {
  std::vector<double> medians;
  for (const json& gb : runs) {
    const auto m = aggregate(gb, name, "median", field);
    if (!m) return std::nullopt;  // missing or failed in one run: no figure
    medians.push_back(*m);
  }
  if (medians.empty()) return std::nullopt;
  return median(medians);
}

void model_rows(const std::vector<json>& runs, std::vector<Row>& rows) {
  if (runs.empty() || runs.front().contains("pending")) {
    rows.push_back({"model: cost per operation", "not measured", "", "pending",
                    runs.empty() ? "no model.json" : runs.front()["pending"].get<std::string>(), "?"});
    return;
  }
  const json& gb = runs.front();
  const std::string date = runs.size() == 1 ? date_of(gb) : date_of(gb) + " .. " + date_of(runs.back());
  // Each figure: the median over the runs of each run's median (over its repetitions).
  const auto cpu = [&](const std::string& name) { return median_over_runs(runs, name, "cpu_time"); };
  const auto wall = [&](const std::string& name) { return median_over_runs(runs, name, "real_time"); };
  const std::string how =
      "Google Benchmark, " +
      (runs.size() == 1 ? repetitions(gb) + " repetitions, median"
                        : std::to_string(runs.size()) + " runs of " + repetitions(gb) +
                              " repetitions each, median of the runs' medians") +
      " of the thread's CPU time (wall time in brackets); model pre-filled with N one-page "
      "committed regions";
  // Goal at 100,000 live regions: every 64-byte operation under 500 ns (issue 10, which found
  // them at about 2 µs); allocate + release keeps the earlier 2 × 1 µs budget.
  struct Op {
    const char* key;
    const char* label;
    double divide;
    double large_goal_ns;  // met if the 100,000-region figure is below it (or equal, if or_equal)
    bool or_equal;
    const char* large_goal;
  };
  const Op ops[] = {
      {"alloc_release_pair", "allocate + release (pair / 2)", 2, 2000, true, "≤ 2 µs (2 × the 1 µs budget)"},
      {"write_64", "64-byte write", 1, 500, false, "< 500 ns (issue 10)"},
      {"read_64", "64-byte read", 1, 500, false, "< 500 ns (issue 10)"}};
  for (const Op& op : ops) {
    const std::string small_name = std::string("model/") + op.key + "/10";
    const std::string large_name = std::string("model/") + op.key + "/100000";
    const auto small = cpu(small_name), large = cpu(large_name);
    const double small_wall = wall(small_name).value_or(0) / op.divide;
    const double large_wall = wall(large_name).value_or(0) / op.divide;
    const std::string how_op =
        how + (op.divide == 2 ? "; allocate(0, 1 page)+MEM_RELEASE timed as a pair in "
                                "the loop (live count stays N), divided by 2"
                              : "; regions visited in shuffled order");
    if (!small || !large) {
      rows.push_back({std::string("model: ") + op.label, "missing", "", "pending", how_op, date});
      continue;
    }
    const double s = *small / op.divide, l = *large / op.divide;
    rows.push_back({std::string("model: ") + op.label + ", 10 live regions",
                    ns_text(s) + " (" + ns_text(small_wall) + ")", "≤ 1 µs", yes_no(s <= 1000),
                    how_op, date});
    const bool large_met = l < op.large_goal_ns || (op.or_equal && l == op.large_goal_ns);
    rows.push_back({std::string("model: ") + op.label + ", 100,000 live regions",
                    ns_text(l) + " (" + ns_text(large_wall) + ")", op.large_goal, yes_no(large_met),
                    how_op, date});
    rows.push_back({std::string("model: ") + op.label + ", 100,000 vs 10 live regions",
                    fmt("%.2fx", l / s),
                    "≤ 2x (stricter reading: relative to the measured 10-region figure)",
                    yes_no(l <= 2 * s), "ratio of the two medians above", date});
  }
  for (const char* n : {"10", "100000"})
    for (const char* op : {"allocate_batched", "release_batched"}) {
      const std::string name = std::string("model/") + op + "/" + n;
      const auto v = cpu(name), w = wall(name);
      rows.push_back({std::string("model (breakdown): ") + op + ", " + n + " live regions",
                      v && w ? ns_text(*v) + " (" + ns_text(*w) + ")" : "missing",
                      "— (information)", "n/a",
                      "one half of the pair timed, the other half done with the timer paused once "
                      "per batch of 64 (live count N..N+64)",
                      date});
    }
  for (const char* n : {"10", "100000"}) {
    const std::string name = std::string("model/copy/") + n;
    const auto v = cpu(name), w = wall(name);
    rows.push_back({std::string("model (breakdown): copy of the model, ") + n + " live regions",
                    v && w ? ns_text(*v) + " (" + ns_text(*w) + ")" : "missing",
                    "— (information)", "n/a",
                    "copy constructor + destructor of the whole model, as the checker's "
                    "`before = model_` snapshot (stored pages shared, not copied)",
                    date});
  }
  const std::pair<const char*, double> unwritten[] = {{"alloc_release_pair", 2}, {"read_64", 1}};
  for (const auto& [op, divide] : unwritten) {
    const std::string name = std::string("model/") + op + "/100000_unwritten";
    const auto v = cpu(name), w = wall(name);
    rows.push_back(
        {std::string("model (breakdown): ") + op + (divide == 2 ? " / 2" : "") +
             ", 100,000 live regions never written (no stored page)",
         v && w ? ns_text(*v / divide) + " (" + ns_text(*w / divide) + ")" : "missing",
         "— (information)", "n/a",
         "as the goal rows, on a model whose regions hold no data: shows what the "
         "stored pages cost",
         date});
  }
}

void rss_rows(const json& j, std::vector<Row>& rows) {
  if (j.contains("pending")) {
    rows.push_back({"model: resident memory for reserving 1 TiB", "not measured", "< 1 MiB",
                    "pending", j["pending"].get<std::string>(), "?"});
    return;
  }
  for (const auto& c : j["cases"]) {
    const double rss = c["rss_delta_bytes"].get<double>(),
                 heap = c["heap_delta_bytes"].get<double>();
    const bool ok = c["failed_calls"].get<int>() == 0 &&
                    c["reserved_bytes"].get<std::uint64_t>() == (1ull << 40);
    rows.push_back(
        {"model: resident memory added by reserving 1 TiB: " + c["case"].get<std::string>(),
         fmt("%.0f KiB", rss / 1024) + fmt(" (heap in use +%.1f KiB)", heap / 1024), "< 1 MiB",
         ok ? yes_no(rss < 1024 * 1024)
            : "**NO** (" + std::to_string(c.value("failed_calls", -1)) + " calls failed; " +
                  std::to_string(c.value("reserved_bytes", 0ull)) + " bytes reserved, not 1 TiB)",
         "separate program (bench/reserve_rss.cpp), each case in a fresh forked process: "
         "/proc/self/statm resident pages just before and after the calls, on a fresh model",
         date_of(j)});
  }
}

void conformance_rows(const json& j, std::vector<Row>& rows) {
  if (j.contains("pending")) {
    rows.push_back({"conformance run against sim", "not measured", "< 20 s", "pending",
                    j["pending"].get<std::string>(), "?"});
    return;
  }
  for (const auto& r : j["runs"]) {
    const double wall = median(r["wall_s"].get<std::vector<double>>());
    std::vector<double> cpu;
    for (std::size_t i = 0; i < r["user_s"].size(); ++i)
      cpu.push_back(r["user_s"][i].get<double>() + r["sys_s"][i].get<double>());
    std::string exits;
    for (const auto& e : r["exit_codes"])
      exits += (exits.empty() ? "" : ",") + std::to_string(e.get<int>());
    rows.push_back({"conformance run, backend sim, profile " + r["profile"].get<std::string>(),
                    fmt("%.2f s", wall) + fmt(" (CPU %.2f s)", median(cpu)), "< 20 s on one core",
                    yes_no(wall < 20),
                    "`" + r["command"].get<std::string>() + "`, " +
                        std::to_string(r["wall_s"].size()) +
                        " runs, median wall time; exit codes " + exits,
                    j.value("date", "?")});
  }
}

void native_rows(const json& native, std::vector<Row>& rows) {
  backend_rows(
      "native", native,
      {{"native: allocate+release pair", "native/alloc_release_pair", "bare/mmap_munmap_64k",
        "AllocateVirtualMemory(0, 1 page, COMMIT|RESERVE, RW) + VirtualFree(RELEASE) vs "
        "mmap(64 KiB, RW, private anonymous) + munmap; 10 live regions",
        true},
       {"native: 64-byte write", "native/write_64", "bare/memcpy_write_64",
        "WriteVirtual into a PAGE_READWRITE page (no mprotect lift) vs plain memcpy of 64 "
        "bytes into a read-write page (no system call is wrapped: the floor of any checked, "
        "thread-safe write is the mutex + lookup row below)",
        true},
       {"native: 64-byte read", "native/read_64", "bare/memcpy_read_64",
        "ReadVirtual vs plain memcpy of 64 bytes out of a read-write page", true},
       {"native (breakdown): pair vs the general path's system calls without the table",
        "native/alloc_release_pair", "bare/native_syscall_sequence",
        "baseline: mmap(124 KiB, PROT_NONE) + head/tail munmap trims + mprotect(1 page) + "
        "munmap(64 KiB), what native's general path issues (the measured pair takes the one-mmap "
        "fast path: mmap(1 page, RW, fixed no-replace) + munmap)",
        false},
       {"native (breakdown): write vs mutex + std::map lookup + memcpy", "native/write_64",
        "bare/locked_map_lookup_memcpy_64",
        "baseline: lock a mutex, find the region among 10 in a std::map, memcpy 64 bytes", false}},
      rows, true);
}

void process_rows(const json& process, std::vector<Row>& rows) {
  backend_rows(
      "process", process,
      {{"process: allocate+release pairs per second", "process/alloc_release_pair",
        "bare/ptrace_inject_mmap_munmap_64k",
        "AllocateVirtualMemory+VirtualFree(RELEASE) in the child vs two bare ptrace round "
        "trips injecting mmap(64 KiB) and munmap into a stopped child",
        true},
       {"process: 64-byte writes per second", "process/write_64", "bare/process_vm_writev_64",
        "WriteVirtual into a PAGE_READWRITE page vs one process_vm_writev of 64 bytes to a child",
        true},
       {"process (breakdown): pair vs one ptrace round trip", "process/alloc_release_pair",
        "bare/ptrace_round_trip",
        "baseline: one injected getpid (GETREGS, SETREGS, SINGLESTEP, waitpid, GETREGS, SETREGS)",
        false}},
      rows, false);
}

}  // namespace vmc::bench
