#!/usr/bin/env bash
# bench_fuzz.sh - fuzzing benchmarks, written to reports/benchmarks/fuzz.md: (1) executions per
# second of every fuzz target under libFuzzer + ASan + UBSan, one process pinned to one core,
# -max_len=640 (at most 64 ops in practice), starting from its seed corpus, the two targets with a
# goal over the seeds of BENCH_EXEC_SEEDS (median); (2) for a sample of mutants, the time fuzz_mutant
# (VMCONFORM_FUZZ_BACKEND=mutant:<name>) needs to find each one from an EMPTY corpus, median over
# 5 seeds, capped at 60 s per run, with the op dictionary corpus/opseq.dict (BENCH_DICT), and the
# size in ops of the reproducer after -minimize_crash.
# Environment: VMCONFORM_FUZZ_BUILD_DIR (default build/fuzz), BENCH_EXEC_SECONDS (20), BENCH_EXEC_SEEDS,
# BENCH_TTF_CAP (60), BENCH_SEEDS ("1 2 3 4 5"), BENCH_MUTANTS (the sample below),
# BENCH_BUDGET (seconds for part 2; mutants not started within it are listed as skipped),
# BENCH_WIDE_MUTANTS (more mutants; "all"), BENCH_WIDE_SEEDS (their seeds, default 1), BENCH_JOBS
# (mutants fuzzed at a time, default 1), BENCH_DICT, BENCH_MINIMIZE_SECONDS, BENCH_FROM (empty: the
# time-to-find runs start from an empty corpus, the default; corpus: from the shipped seed corpus
# corpus/fuzz_mutant, coverage sweep included, as `vmconform fuzz` and CI start), BENCH_PART1 (0:
# skip the executions-per-second part), BENCH_REPORT (the report file, default fuzz.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${VMCONFORM_FUZZ_BUILD_DIR:-build/fuzz}"
exec_secs="${BENCH_EXEC_SECONDS:-20}"
cap="${BENCH_TTF_CAP:-60}"
read -r -a seeds <<< "${BENCH_SEEDS:-1 2 3 4 5}"
read -r -a mutants <<< "${BENCH_MUTANTS:-partial-write zero-length-write-invalidarg all-or-nothing-read \
no-size-rounding}"
budget="${BENCH_BUDGET:-900}"
# A wider sample, seeds BENCH_WIDE_SEEDS (default 1), run after the 5-seed sample; not subject to BENCH_BUDGET.
# BENCH_WIDE_MUTANTS=all: every other mutant the suite has.
read -r -a wide <<< "${BENCH_WIDE_MUTANTS-zero-size-accepted reserve-also-commits interior-release-frees-region \
efail-not-sticky decommit-span-clamped release-ignores-size straddle-drops-last-byte recommit-zeroes \
host-fault-after-free readonly-write-succeeds}"
minimize_secs="${BENCH_MINIMIZE_SECONDS:-20}"
read -r -a wide_seeds <<< "${BENCH_WIDE_SEEDS:-1}"
ttf_jobs="${BENCH_JOBS:-1}"
# The op dictionary for the time-to-find runs (BENCH_DICT= runs them without one).
dict="${BENCH_DICT-corpus/opseq.dict}"
dict_args=(); [ -z "$dict" ] || dict_args=(-dict="$dict")
from="${BENCH_FROM:-empty}"
seed_dirs=(); [ "$from" = "empty" ] || seed_dirs=("$PWD/corpus/fuzz_mutant")
targets=(fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_plugin fuzz_opseq_decode fuzz_opseq_text fuzz_baseline
  fuzz_worker_protocol fuzz_cli_inputs fuzz_agent_protocol)
report="${BENCH_REPORT:-reports/benchmarks/fuzz.md}"
part1="${BENCH_PART1:-1}"  # 0: only the time-to-find part (executions per second stay in fuzz.md)
scratch="$build/bench-fuzz"

[ -x "$build/fuzz/fuzz_sim" ] || { cmake --preset fuzz -B "$build" > /dev/null; cmake --build "$build" --target all_fuzzers vmconform; }
[ -x "$build/conformance/vmconform" ] || cmake --build "$build" --target vmconform
[ -f "$build/plugins/libvmc_native.so" ] || cmake --build "$build" --target vmc_native
export VMCONFORM_FUZZ_PLUGIN="${VMCONFORM_FUZZ_PLUGIN:-$(cd "$build" && pwd)/plugins/libvmc_native.so}"  # for fuzz_plugin
rm -rf "$scratch"; mkdir -p "$scratch" "$(dirname "$report")"
if [ "${wide[*]:-}" = "all" ]; then
  wide=()
  for m in $("$build/conformance/vmconform" list-backends --all | sed -n 's/^mutant:\([a-z0-9-]*\).*/\1/p'); do
    case " ${mutants[*]} " in *" $m "*) ;; *) wide+=("$m") ;; esac
  done
fi
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
load="$(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$part1" = 1 ]; then
# --- 1. executions per second -------------------------------------------------------------
# Pinned to one core (taskset -c 0, when available). The two targets with a goal run once per
# seed of BENCH_EXEC_SEEDS (default 1 2 3 4 5) and are judged on the median; the others run once.
read -r -a exec_seeds <<< "${BENCH_EXEC_SEEDS:-1 2 3 4 5}"
pin=(); command -v taskset > /dev/null && pin=(taskset -c 0)
exec_rows=""; goal_rows=""
for t in "${targets[@]}"; do
  case "$t" in fuzz_sim | fuzz_native) run_seeds=("${exec_seeds[@]}") ;; *) run_seeds=(1) ;; esac
  rates=()
  for s in "${run_seeds[@]}"; do
    dir="$scratch/exec/$t/seed$s"; mkdir -p "$dir/corpus"
    TIMEFORMAT="%U %S"
    cpu="$( { time "${pin[@]}" "$build/fuzz/$t" -max_total_time="$exec_secs" -seed="$s" -max_len=640 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" "corpus/$t" > "$dir/log" 2>&1 || true; } 2>&1 )"
    execs="$(stat_of number_of_executed_units "$dir/log")"; rate="$(stat_of average_exec_per_sec "$dir/log")"
    cpu_s="$(echo "$cpu" | awk '{print $1 + $2}')"
    per_cpu="$(awk -v e="${execs:-0}" -v c="$cpu_s" 'BEGIN { printf "%d", (c > 0 ? e / c : 0) }')"
    note=""; ls "$dir"/crash-* > /dev/null 2>&1 && note="crashed (see $dir/log)"
    exec_rows+="| $t | $s | ${execs:-?} | ${rate:-?} | $cpu_s | $per_cpu | $note |"$'\n'
    echo "exec/s: $t seed $s ${rate:-?} (${per_cpu} per CPU-second) $note"
    rates+=("${rate:-0}")
  done
  if [ "${#run_seeds[@]}" -gt 1 ]; then
    goal=5000; [ "$t" = fuzz_sim ] && goal=20000
    med="$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
    range="$(printf '%s\n' "${rates[@]}" | sort -g | sed -n '1p;$p' | paste -sd- -)"
    met="**NO**"; [ "$med" -ge "$goal" ] && met="**yes**"
    goal_rows+="| $t | $goal | $med | $range | ${#run_seeds[@]} | $met |"$'\n'
  fi
done

# --- 1b. fuzz_sim under several byte caps (the default is 16 KiB) ------------------------------
cap_rows=""
for c in 4096 16384 65536; do
  dir="$scratch/cap/$c"; mkdir -p "$dir/corpus"
  VMCONFORM_FUZZ_MAX_BYTES=$c "$build/fuzz/fuzz_sim" -max_total_time=10 -seed=1 -max_len=640 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" corpus/fuzz_sim > "$dir/log" 2>&1 || true
  cap_rows+="| $c | $(stat_of average_exec_per_sec "$dir/log") | $(grep -E '^#[0-9]+' "$dir/log" | tail -n 1 | grep -o 'cov: [0-9]*' | cut -d' ' -f2) |"$'\n'
done

fi
# --- 2. time to find each mutant, and the minimised reproducer ------------------------------
# A crash counts as finding the mutant only if the unmutated model (`--backend sim`) does not
# diverge on it: the checker itself has false positives (see corpus/README.md, Findings), and
# those must not pass for the mutant's bug. libFuzzer runs in -fork=1 -ignore_crashes=1 mode so
# that it goes on after such a crash; the clock stops at the first genuine one.
vmc="$build/conformance/vmconform"
genuine() {  # genuine MUTANT FILE: the mutant diverges on FILE and sim does not
  local rc_sim=0 rc_mut=0
  "$vmc" replay "$2" --backend sim > /dev/null 2>&1 || rc_sim=$?
  "$vmc" replay "$2" --backend "mutant:$1" > /dev/null 2>&1 || rc_mut=$?
  [ "$rc_sim" -eq 0 ] && [ "$rc_mut" -eq 1 ]
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
skipped=""; part2_start=$SECONDS
mkdir -p "$scratch/ttf/rows" "$scratch/ttf/fp"
run_mutant() {  # run_mutant NAME SEED...: writes its table row and its false-positive count under ttf/
  local m="$1"; shift
  local seeds=("$@") false_positives=0
  times=(); found=0; first_crash=""
  for s in "${seeds[@]}"; do
    dir="$scratch/ttf/$m/seed$s"; mkdir -p "$dir/corpus"
    t0="$(date +%s.%N)"
    VMCONFORM_FUZZ_BACKEND="mutant:$m" setsid "$build/fuzz/fuzz_mutant" -fork=1 -ignore_crashes=1 "${dict_args[@]}" \
      -max_total_time="$cap" -seed="$s" -max_len=640 -artifact_prefix="$dir/" "$dir/corpus" "${seed_dirs[@]}" > "$dir/log" 2>&1 &
    pid=$!; hit=""; declare -A seen=()
    while [ -z "$hit" ]; do
      alive=0; kill -0 "$pid" 2> /dev/null && alive=1
      sleep 0.5
      for c in "$dir"/crash-*; do
        [ -f "$c" ] && [ -z "${seen[$c]:-}" ] || continue
        seen[$c]=1
        if genuine "$m" "$c"; then hit="$c"; else false_positives=$((false_positives + 1)); fi
      done
      [ "$alive" -eq 1 ] || break
    done
    t1="$(date +%s.%N)"
    kill -TERM -- "-$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    unset seen
    if [ -n "$hit" ]; then
      found=$((found + 1)); times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')")
      [ -n "$first_crash" ] || first_crash="$hit"
    else
      times+=("inf")
    fi
  done
  med="$(printf '%s\n' "${times[@]}" | median)"
  [ "$med" = "inf" ] && med="> $cap"
  ops="-"; raw_ops="-"; rule="-"
  if [ -n "$first_crash" ]; then
    # Every intermediate result of -minimize_crash is kept; the smallest still genuine one wins
    # (the minimiser only checks "still crashes", and may drift to a checker false positive).
    mdir="$(dirname "$first_crash")/min"; mkdir -p "$mdir"
    VMCONFORM_FUZZ_BACKEND="mutant:$m" "$build/fuzz/fuzz_mutant" -minimize_crash=1 -runs=20000 -max_total_time="$minimize_secs" \
      -max_len=640 -artifact_prefix="$mdir/" "$first_crash" > "$mdir/minimize.log" 2>&1 || true
    best="$first_crash"
    for c in $(ls -S -r "$mdir"/minimized-from-* 2> /dev/null); do
      if genuine "$m" "$c"; then best="$c"; break; fi
    done
    raw_ops="$("$vmc" replay "$first_crash" --backend "mutant:$m" 2>&1 | sed -n '1s/.* \([0-9]*\) ops).*/\1/p' || true)"
    out="$("$vmc" replay "$best" --backend "mutant:$m" 2>&1 || true)"
    ops="$(echo "$out" | sed -n '1s/.* \([0-9]*\) ops).*/\1/p')"
    rule="$(echo "$out" | sed -n 's/^  rule: \([A-Z0-9-]*\).*/\1/p' | head -n 1)"
    cp "$best" "$scratch/ttf/$m.minimized"
  fi
  expected="$("$vmc" list-backends --all | grep -A1 -E "^mutant:$m( |\$)" | sed -n 's/^    mutant breaking \([A-Z0-9-]*\):.*/\1/p')"
  echo "| mutant:$m | ${expected:-?} | $found/${#seeds[@]} | $med | ${times[*]} | $raw_ops | $ops | ${rule:--} |" \
    > "$scratch/ttf/rows/$m"
  echo "$false_positives" > "$scratch/ttf/fp/$m"
  echo "time to find: mutant:$m found $found/${#seeds[@]}, median $med s, reproducer $raw_ops -> $ops ops ($rule)"
}
# BENCH_JOBS mutants at a time (default 1; each run is one libFuzzer child, so up to one per core).
launch() {  # launch NAME SEED...: run_mutant in the background once fewer than BENCH_JOBS run
  while [ "$(jobs -rp | wc -l)" -ge "$ttf_jobs" ]; do wait -n || true; done
  run_mutant "$@" &
}
order=()
for m in "${mutants[@]}"; do
  if [ $((SECONDS - part2_start)) -ge "$budget" ]; then skipped+=" $m"; continue; fi
  order+=("$m"); launch "$m" "${seeds[@]}"
done
for m in "${wide[@]}"; do order+=("$m"); launch "$m" "${wide_seeds[@]}"; done
wait
ttf_rows=""; false_positives=0; sampled=${#order[@]}  # (ttf_summary is computed below)
for m in "${order[@]}"; do
  ttf_rows+="$(cat "$scratch/ttf/rows/$m" 2> /dev/null || echo "| mutant:$m | ? | run failed | - | - | - | - | - |")"$'\n'
  false_positives=$((false_positives + $(cat "$scratch/ttf/fp/$m" 2> /dev/null || echo 0)))
done
ttf_summary="$(printf '%s' "$ttf_rows" | awk -F'|' '
  { med = $5; gsub(/ /, "", med); ops = $8; gsub(/ /, "", ops); n++
    if (med ~ />/ || med == "-") miss++; else if (med + 0 > worst) { worst = med + 0; which = $2; gsub(/ /, "", which) }
    if (ops != "-" && ops + 0 > most) most = ops + 0 }
  END { printf "%d mutants, %d with a median above the cap; the worst median %s s (%s); the largest minimised reproducer %d ops", n, miss, worst, which, most }')"

{
  echo "# Fuzzing benchmarks"
  echo
  echo "Generated by \`fuzz/bench_fuzz.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) core(s) available to it (of $(nproc --all)), load average at start"
  echo "$load (a load above about 1 means other work shared the machine: wall-clock figures are then pessimistic)."
  echo "Fuzzers: libFuzzer + ASan + UBSan (clang; build directory \`$build\`), one process each, \`-max_len=640\` (inputs of at most 640 bytes; the 300 largest inputs of a 20 s fuzz_native run's corpus, measured on 2026-11-30, held 12 ops at the median and 39 at most: within the goal's 64)."
  echo
  if [ "$part1" = 1 ]; then
  echo "## Executions per second ($exec_secs s per run, from the seed corpus, one core${pin:+ (taskset -c 0)})"
  echo
  echo "Goals: fuzz_sim >= 20,000 exec/s, fuzz_native >= 5,000 exec/s, judged on the median of libFuzzer's"
  echo "exec/s over seeds ${exec_seeds[*]} (the rate falls as a run's corpus grows longer inputs, so every run lasts"
  echo "the same $exec_secs s):"
  echo
  echo "| target | goal | median exec/s | range | runs | met? |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$goal_rows"
  echo
  echo "Every run. \"per CPU-second\" divides the executions by the fuzzer process's user+system CPU time."
  echo
  echo "| target | seed | executions | exec/s (wall, libFuzzer) | CPU s | exec per CPU-second | note |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s' "$exec_rows"
  echo
  echo "fuzz_sim with VMCONFORM_FUZZ_MAX_BYTES (bytes written plus read per input; larger inputs are skipped), 10 s each:"
  echo
  echo "| cap (bytes) | exec/s | coverage (edges) |"
  echo "|---|---|---|"
  printf '%s' "$cap_rows"
  echo
  echo "Where the time went (perf, 2026-11-30, 20 s runs pinned to one core, before the last step below): libFuzzer's own per-execution"
  echo "bookkeeping (CollectFeatures, UpdateFeatureFrequency, AddRareFeature) and its comparison tracing"
  echo "(__sanitizer_cov_trace_*cmp*) take about half; ASan's allocator about a tenth. In fuzz_native the"
  echo "target's share is mostly the checker's page reads after each op (page faults on fresh mappings"
  echo "included), mmap/munmap, and making and destroying one native target per input; in fuzz_sim the op"
  echo "decoder, the model and its invariant check. What changed on 2026-11-30 (before: fuzz_sim 12,355-15,757,"
  echo "fuzz_native 1,338-2,100 exec/s): each fuzz target links only the code it runs (fuzz_sim had 32,672"
  echo "coverage counters, all scanned after every execution, when every target linked the whole suite;"
  echo "then 2,846 and fuzz_native 9,349, after the last step below 1,358 and 4,830); the checker keeps no per-op text and compares pages in reused"
  echo "buffers; the model's generator is SplitMix64 (was a Mersenne Twister seeded per model); committing"
  echo "a range walks runs, not pages (a 4 GiB commit had cost a million steps); the pattern generator is"
  echo "not coverage-instrumented; native commits a system-chosen reservation in one mmap; and, the largest"
  echo "step, SanitizerCoverage leaves out the C++ standard library's templates (fuzz/coverage-ignorelist.txt):"
  echo "with them instrumented, the same runs gave fuzz_sim 17,633-19,074 and fuzz_native 4,467-5,179 exec/s."
  echo
  else
    echo "Executions per second: not measured in this run (BENCH_PART1=0); see fuzz.md."
    echo
  fi
  echo "## Time to find a mutant (fuzz_mutant from $([ "$from" = empty ] && echo "an empty corpus" || echo "the shipped seed corpus corpus/fuzz_mutant"), ${dict:+dictionary $dict, }cap $cap s per run, seeds ${seeds[*]})"
  echo
  echo "Goals: median < 60 s, minimised reproducer <= 6 ops. The first ${#mutants[@]} rows: seeds ${seeds[*]}; the next"
  echo "${#wide[@]} rows (BENCH_WIDE_MUTANTS): seeds ${wide_seeds[*]} (BENCH_WIDE_SEEDS; one seed: its \"median\" is that one run); $ttf_jobs mutant(s) at a time (BENCH_JOBS). Sampled $sampled of the $("$build/conformance/vmconform" list-backends --all | grep -c '^mutant:') mutants"
  echo "(BENCH_MUTANTS)${skipped:+; not run for lack of time:$skipped}. \"inf\" = not found within the cap."
  echo "A crash counts only if \`vmconform replay --backend sim\` does not diverge on it (the checker's own false"
  echo "positives, $false_positives crash(es) in this run, are skipped; libFuzzer runs with -fork=1 -ignore_crashes=1 to go on)."
  echo "Reproducer: the first genuine crash, before and after \`-minimize_crash=1 -runs=20000\` (the smallest"
  echo "intermediate result that is still genuine; ops decoded by \`vmconform replay\`, which names the rule)."
  echo
  echo "Summary: $ttf_summary."
  echo
  echo "| backend | breaks | found | median s | times s (per seed) | crash ops | minimised ops | rule reported |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s' "$ttf_rows"
} > "$report"
echo "wrote $report"
