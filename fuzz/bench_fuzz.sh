#!/usr/bin/env bash
# bench_fuzz.sh - fuzzing benchmarks, written to reports/benchmarks/fuzz.md: (1) executions per
# second of every fuzz target under libFuzzer + ASan + UBSan, one process, -max_len=640 (about 64
# ops), starting from its seed corpus; (2) for a sample of mutants, the time fuzz_mutant
# (VMCONFORM_FUZZ_BACKEND=mutant:<name>) needs to find each one from an EMPTY corpus, median over
# 5 seeds, capped at 60 s per run, and the size in ops of the reproducer after -minimize_crash.
# Environment: VMCONFORM_FUZZ_BUILD_DIR (default build/fuzz), BENCH_EXEC_SECONDS (20),
# BENCH_TTF_CAP (60), BENCH_SEEDS ("1 2 3 4 5"), BENCH_MUTANTS (the sample below),
# BENCH_BUDGET (seconds for part 2; mutants not started within it are listed as skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${VMCONFORM_FUZZ_BUILD_DIR:-build/fuzz}"
exec_secs="${BENCH_EXEC_SECONDS:-20}"
cap="${BENCH_TTF_CAP:-60}"
read -r -a seeds <<< "${BENCH_SEEDS:-1 2 3 4 5}"
read -r -a mutants <<< "${BENCH_MUTANTS:-partial-write zero-length-write-invalidarg all-or-nothing-read \
no-size-rounding interior-release-frees-region efail-not-sticky straddle-drops-last-byte reserve-also-commits \
decommit-span-clamped host-fault-after-free recommit-zeroes granule-tail-readable dirty-after-four-allocations \
region-table-overflow}"
budget="${BENCH_BUDGET:-900}"
targets=(fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_opseq_decode fuzz_opseq_text fuzz_baseline)
report=reports/benchmarks/fuzz.md
scratch="$build/bench-fuzz"

[ -x "$build/fuzz/fuzz_sim" ] || { cmake --preset fuzz -B "$build" > /dev/null; cmake --build "$build" --target all_fuzzers vmconform; }
[ -x "$build/conformance/vmconform" ] || cmake --build "$build" --target vmconform
rm -rf "$scratch"; mkdir -p "$scratch" "$(dirname "$report")"
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
load="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. executions per second -------------------------------------------------------------
exec_rows=""
for t in "${targets[@]}"; do
  dir="$scratch/exec/$t"; mkdir -p "$dir/corpus"
  TIMEFORMAT="%U %S"
  cpu="$( { time "$build/fuzz/$t" -max_total_time="$exec_secs" -seed=1 -max_len=640 -print_final_stats=1 \
      -artifact_prefix="$dir/" "$dir/corpus" "corpus/$t" > "$dir/log" 2>&1 || true; } 2>&1 )"
  execs="$(stat_of number_of_executed_units "$dir/log")"; rate="$(stat_of average_exec_per_sec "$dir/log")"
  cpu_s="$(echo "$cpu" | awk '{print $1 + $2}')"
  per_cpu="$(awk -v e="${execs:-0}" -v c="$cpu_s" 'BEGIN { printf "%d", (c > 0 ? e / c : 0) }')"
  note=""; ls "$dir"/crash-* > /dev/null 2>&1 && note="crashed (see $dir/log)"
  exec_rows+="| $t | ${execs:-?} | ${rate:-?} | $cpu_s | $per_cpu | $note |"$'\n'
  echo "exec/s: $t ${rate:-?} (${per_cpu} per CPU-second) $note"
done

# --- 2. time to find each mutant, and the minimised reproducer ------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
ttf_rows=""; skipped=""; part2_start=$SECONDS; sampled=0
for m in "${mutants[@]}"; do
  if [ $((SECONDS - part2_start)) -ge "$budget" ]; then skipped+=" $m"; continue; fi
  sampled=$((sampled + 1))
  times=(); found=0; first_crash=""
  for s in "${seeds[@]}"; do
    dir="$scratch/ttf/$m/seed$s"; mkdir -p "$dir/corpus"
    t0="$(date +%s.%N)"
    VMCONFORM_FUZZ_BACKEND="mutant:$m" "$build/fuzz/fuzz_mutant" -max_total_time="$cap" -seed="$s" -max_len=640 \
      -artifact_prefix="$dir/" "$dir/corpus" > "$dir/log" 2>&1 || true
    t1="$(date +%s.%N)"
    crash="$(ls "$dir"/crash-* 2> /dev/null | head -n 1 || true)"
    if [ -n "$crash" ]; then
      found=$((found + 1)); times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')")
      [ -n "$first_crash" ] || first_crash="$crash"
    else
      times+=("inf")
    fi
  done
  med="$(printf '%s\n' "${times[@]}" | median)"
  [ "$med" = "inf" ] && med="> $cap"
  ops="-"; raw_ops="-"; rule="-"
  if [ -n "$first_crash" ]; then
    mdir="$(dirname "$first_crash")"
    VMCONFORM_FUZZ_BACKEND="mutant:$m" "$build/fuzz/fuzz_mutant" -minimize_crash=1 -runs=20000 -max_total_time=20 \
      -max_len=640 -exact_artifact_path="$mdir/minimized" "$first_crash" > "$mdir/minimize.log" 2>&1 || true
    [ -f "$mdir/minimized" ] || cp "$first_crash" "$mdir/minimized"
    raw_ops="$("$build/conformance/vmconform" replay "$first_crash" --backend "mutant:$m" 2>&1 | sed -n '1s/.* \([0-9]*\) ops).*/\1/p')"
    out="$("$build/conformance/vmconform" replay "$mdir/minimized" --backend "mutant:$m" 2>&1 || true)"
    ops="$(echo "$out" | sed -n '1s/.* \([0-9]*\) ops).*/\1/p')"
    rule="$(echo "$out" | sed -n 's/^  rule: \([A-Z0-9-]*\).*/\1/p' | head -n 1)"
    cp "$mdir/minimized" "$scratch/ttf/$m.minimized"
  fi
  ttf_rows+="| mutant:$m | $found/${#seeds[@]} | $med | ${times[*]} | $raw_ops | $ops | ${rule:--} |"$'\n'
  echo "time to find: mutant:$m found $found/${#seeds[@]}, median $med s, reproducer $raw_ops -> $ops ops ($rule)"
done

{
  echo "# Fuzzing benchmarks"
  echo
  echo "Generated by \`fuzz/bench_fuzz.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start"
  echo "$load (other builds were running on this machine: wall-clock figures are pessimistic)."
  echo "Fuzzers: libFuzzer + ASan + UBSan (clang, preset \`fuzz\`), one process each, \`-max_len=640\` (about 64 ops)."
  echo
  echo "## Executions per second ($exec_secs s per target, from the seed corpus, -seed=1)"
  echo
  echo "Goals: fuzz_sim >= 20,000 exec/s, fuzz_native >= 5,000 exec/s. \"per CPU-second\" divides the executions"
  echo "by the fuzzer process's user+system CPU time, which is what one dedicated core would give."
  echo
  echo "| target | executions | exec/s (wall, libFuzzer) | CPU s | exec per CPU-second | note |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$exec_rows"
  echo
  echo "## Time to find a mutant (fuzz_mutant from an empty corpus, cap $cap s per run, seeds ${seeds[*]})"
  echo
  echo "Goals: median < 60 s, minimised reproducer <= 6 ops. Sampled $sampled of the $("$build/conformance/vmconform" list-backends | grep -c '^mutant:') mutants"
  echo "(BENCH_MUTANTS)${skipped:+; not run for lack of time:$skipped}. \"inf\" = not found within the cap."
  echo "Reproducer: the first seed's crash, before and after \`-minimize_crash=1 -runs=20000\` (ops decoded by"
  echo "\`vmconform replay\`, which also names the rule)."
  echo
  echo "| backend | found | median s | times s (per seed) | crash ops | minimised ops | rule |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s' "$ttf_rows"
} > "$report"
echo "wrote $report"
