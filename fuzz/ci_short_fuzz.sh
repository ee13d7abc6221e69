#!/usr/bin/env bash
# ci_short_fuzz.sh - the short fuzzing step for CI: builds the `fuzz` preset's fuzzers (libFuzzer +
# ASan + UBSan, clang) and runs every fuzz target for a fixed time (default 20 s each,
# -max_total_time=20 -seed=1) on top of its seed corpus corpus/<target>/, which it never writes
# to. Fails on any crash, printing the artifact and the `vmconform replay` reproducer.
# Environment: VMCONFORM_FUZZ_BUILD_DIR (default build/fuzz, the preset's), VMCONFORM_SHORT_FUZZ_SECONDS
# (default 20), VMCONFORM_SHORT_FUZZ_TARGETS (default: all seven).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${VMCONFORM_FUZZ_BUILD_DIR:-build/fuzz}"
secs="${VMCONFORM_SHORT_FUZZ_SECONDS:-20}"
read -r -a targets <<< "${VMCONFORM_SHORT_FUZZ_TARGETS:-fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_opseq_decode fuzz_opseq_text fuzz_baseline}"

start=$SECONDS
cmake --preset fuzz -B "$build" > /dev/null
cmake --build "$build" --target all_fuzzers
echo "short fuzz: build took $((SECONDS - start)) s"

scratch="$build/short-fuzz"
rm -rf "$scratch"
passed=0 failed=0
for t in "${targets[@]}"; do
  dir="$scratch/$t"
  mkdir -p "$dir/corpus"
  t0=$SECONDS
  rc=0
  "$build/fuzz/$t" -max_total_time="$secs" -seed=1 -max_len=640 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" "corpus/$t" > "$dir/log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)"
  artifacts="$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))"
  if [ "$rc" -eq 0 ] && [ -z "$artifacts" ]; then
    passed=$((passed + 1))
    echo "PASS $t: ${execs:-?} execs, ${rate:-?} exec/s, $((SECONDS - t0)) s"
  else
    failed=$((failed + 1))
    echo "FAIL $t (exit $rc, log $dir/log):"
    grep -E '^==vmconform==|ERROR: |SUMMARY: ' "$dir/log" | head -20 || true
    for a in $artifacts; do
      echo "  artifact: $a"
      echo "  reproduce: $build/fuzz/$t $a"
      case "$t" in
        fuzz_native) echo "  replay:    vmconform replay $a --backend native" ;;
        fuzz_process) echo "  replay:    vmconform replay $a --backend process" ;;
        fuzz_mutant) echo "  replay:    vmconform replay $a --backend ${VMCONFORM_FUZZ_BACKEND:-sim}" ;;
      esac
    done
  fi
done
echo "short fuzz: $((SECONDS - start)) s in total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
