#!/usr/bin/env bash
# bench/run.sh - builds the benchmarks in a Release (-O2) build directory of their own, runs every
# one of them and regenerates reports/benchmarks/: model.json (reference model, Google Benchmark),
# reserve_rss.json (resident memory for 1 TiB of reservations), conformance.json (timed
# `vmconform run` against sim, both profiles), native.json / process.json (backends against the
# bare calls they wrap, or {"pending": ...} when a backend is not registered or does not build),
# and README.md, the summary table, written by vmconform_bench_report; then long-differential.md
# (vmconform_bench_long_differential: thousands of random ops per sequence through vmc::Differential
# on native, process, sim and raw-pvwritev, both profiles; reproducers in long-differential/).
# Everything timed is pinned to one core with taskset. Exits 1 at the end if the long differential
# runs found a divergence on native, process or sim (raw-pvwritev is expected to diverge).
#
# Usage: bench/run.sh [BUILD_DIR]          (default: build/bench)
# Environment: BENCH_STAGES (the stages to run, default all: "model rss conformance backends long";
#              a stage left out keeps its files, and the summary keeps its rows with their dates),
#              BENCH_CPU (core to pin to, default 0), BENCH_REPETITIONS (default 10),
#              BENCH_MODEL_RUNS (runs of the model benchmark, default 1: model.json, model-2.json...;
#              each figure is the median of the runs' medians), BENCH_BUILD_JOBS (ninja -j, default
#              ninja's own),
#              CONFORMANCE_RUNS (default 3), LONG_OPS (ops per sequence, default 5000),
#              LONG_SEQUENCES (per backend x profile, default 20), LONG_TIME (seconds per backend x
#              profile, default 30).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/bench}"
out="$root/reports/benchmarks"
cpu="${BENCH_CPU:-0}"
reps="${BENCH_REPETITIONS:-10}"
runs="${CONFORMANCE_RUNS:-3}"
long_ops="${LONG_OPS:-5000}"
long_sequences="${LONG_SEQUENCES:-20}"
long_time="${LONG_TIME:-30}"
model_runs="${BENCH_MODEL_RUNS:-1}"
stages=" ${BENCH_STAGES:-model rss conformance backends long} "
stage() { [[ "$stages" == *" $1 "* ]]; }  # stage NAME: is NAME to be run?
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"

join() { local IFS=,; echo "$*"; }
pending() {  # pending NAME REASON: the stage could not be measured
  printf '{"pending": "%s"}\n' "$2" >"$out/$1.json"
  echo "   $1: pending - $2"
}

echo "== configure $build (Release, -O2)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DVMCONFORM_BUILD_BENCHMARKS=ON -DVMCONFORM_BUILD_TESTS=OFF \
  -DVMCONFORM_WARNINGS_AS_ERRORS=OFF >"$scratch/configure.log"

echo "== build"
# The model benchmarks need only vmconform_core; the rest links every backend, so a backend that
# does not build yet must not stop the model figures.
jobs=()
[[ -n "${BENCH_BUILD_JOBS:-}" ]] && jobs=(-j "$BENCH_BUILD_JOBS")
ninja -C "$build" "${jobs[@]}" vmconform_bench_model vmconform_bench_reserve_rss vmconform_bench_report
suite_built=0  # only the stages that run it need the suite
if stage conformance || stage backends || stage long; then
  suite_built=1
  ninja -C "$build" "${jobs[@]}" vmconform vmconform_bench_native vmconform_bench_process \
    vmconform_bench_long_differential || suite_built=0
fi
cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")"
build_desc="CMAKE_BUILD_TYPE=Release, -O2 -DNDEBUG, $("$cxx" --version | head -n1), ${build#"$root"/}"

bench="$build/bench"
pin=(timeout 1800 taskset -c "$cpu")  # a hung stage ends, it does not hang the script
gb=(--benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true
    --benchmark_out_format=json)
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. reference model cost per operation (10 and 100,000 live regions)"
if stage model; then
  rm -f "$out"/model-[0-9]*.json  # further runs of an earlier measurement
  for ((i = 1; i <= model_runs; i++)); do
    file="$out/model.json"
    ((i == 1)) || file="$out/model-$i.json"
    echo "   run $i of $model_runs -> ${file#"$root"/}"
    "${pin[@]}" "$bench/vmconform_bench_model" "${gb[@]}" --benchmark_out="$file"
  done
else
  echo "   not run (BENCH_STAGES); model.json kept"
fi

echo "== 2. resident memory for reserving 1 TiB in the model"
if stage rss; then
  "$bench/vmconform_bench_reserve_rss" "$out/reserve_rss.json"
else
  echo "   not run (BENCH_STAGES); reserve_rss.json kept"
fi

echo "== 3. conformance run against sim on one core ($runs runs per profile)"
if ! stage conformance; then
  echo "   not run (BENCH_STAGES); conformance.json kept"
elif [[ $suite_built == 1 ]]; then
  vmconform="$build/conformance/vmconform"
  shown="${vmconform#"$root"/}"
  entries=()
  for profile in win32 documented; do
    args=(run --backend sim --profile "$profile" --seed 1 --quiet)
    wall=() user=() sys=() codes=()
    for ((i = 0; i < runs; i++)); do
      TIMEFORMAT='%R %U %S'
      set +e
      { time timeout 600 taskset -c "$cpu" "$vmconform" "${args[@]}" >"$scratch/run.out" 2>&1; } 2>"$scratch/time"
      code=$?
      set -e
      read -r r u s <"$scratch/time"
      wall+=("$r") user+=("$u") sys+=("$s") codes+=("$code")
      echo "   profile $profile run $((i + 1)): ${r}s wall, exit $code"
    done
    entries+=("$(printf '{"profile": "%s", "command": "taskset -c %s %s %s", "wall_s": [%s], "user_s": [%s], "sys_s": [%s], "exit_codes": [%s]}' \
      "$profile" "$cpu" "$shown" "${args[*]}" "$(join "${wall[@]}")" "$(join "${user[@]}")" \
      "$(join "${sys[@]}")" "$(join "${codes[@]}")")")
  done
  (IFS=,; printf '{"date": "%s", "runs": [%s]}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${entries[*]}") \
    >"$out/conformance.json"
else
  pending conformance "target vmconform did not build (see the ninja output)"
fi

echo "== 4. backends against the bare calls they wrap"
registered=""
stage backends && [[ $suite_built == 1 ]] && registered="$("$build/conformance/vmconform" list-backends | grep -v '^ ' | cut -d' ' -f1)"
for backend in native process; do
  if ! stage backends; then
    echo "   $backend: not run (BENCH_STAGES); $backend.json kept"
  elif [[ $suite_built != 1 ]]; then
    pending "$backend" "the backend benchmarks did not build (see the ninja output)"
  elif ! grep -qx "$backend" <<<"$registered"; then
    pending "$backend" "backend $backend is not registered yet (vmconform list-backends)"
  elif ! "${pin[@]}" "$bench/vmconform_bench_$backend" "${gb[@]}" --benchmark_out="$out/$backend.json"; then
    pending "$backend" "vmconform_bench_$backend failed; run it by hand to see why"
  fi
done

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$stages" == " model rss conformance backends long " ]] ||
  build_desc+="; this run: stages${stages% }, the other rows keep the dates of their earlier runs"
echo "== summary"
"$bench/vmconform_bench_report" "$out" "$load_before" "$load_after" "$build_desc"

echo "== 5. long differential runs ($long_ops ops per sequence, up to $long_sequences sequences, ${long_time}s per backend x profile)"
long_status=0
if ! stage long; then
  echo "   not run (BENCH_STAGES); long-differential.md kept"
elif [[ $suite_built == 1 ]]; then
  # From the source root, so the report names its reproducers by paths relative to it.
  (cd "$root" && "${pin[@]}" "$bench/vmconform_bench_long_differential" --ops "$long_ops" \
    --sequences "$long_sequences" --time "$long_time" --backend native --backend process --backend sim \
    --backend raw-pvwritev --report reports/benchmarks/long-differential.md --build "$build_desc") || long_status=$?
  [[ $long_status == 0 ]] || echo "   long differential: exit $long_status - see reports/benchmarks/long-differential.md"
else
  echo "   long-differential: not run - vmconform_bench_long_differential did not build (see the ninja output)"
fi
exit "$long_status"
