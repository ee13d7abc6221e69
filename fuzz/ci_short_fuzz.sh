#!/usr/bin/env bash
# ci_short_fuzz.sh - the short fuzzing step for CI: builds the `fuzz` preset's fuzzers (libFuzzer +
# ASan + UBSan, clang) and runs every fuzz target for a fixed time (default 20 s each,
# -max_total_time=20 -seed=1) on top of its seed corpus corpus/<target>/, which it never writes
# to. Fails on any crash, printing the artifact and the `vmconform replay` reproducer. fuzz_plugin
# fuzzes the plugin VMCONFORM_FUZZ_PLUGIN names, by default the conformant `native` plugin built
# (instrumented) in the same build directory.
# Environment: VMCONFORM_FUZZ_BUILD_DIR (default build/fuzz, the preset's), VMCONFORM_SHORT_FUZZ_SECONDS
# (default 20), VMCONFORM_SHORT_FUZZ_TARGETS (default: all nine), VMCONFORM_FUZZ_PLUGIN (default
# <build>/plugins/libvmc_native.so).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${VMCONFORM_FUZZ_BUILD_DIR:-build/fuzz}"
secs="${VMCONFORM_SHORT_FUZZ_SECONDS:-20}"
read -r -a targets <<< "${VMCONFORM_SHORT_FUZZ_TARGETS:-fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_plugin fuzz_opseq_decode fuzz_opseq_text fuzz_baseline fuzz_worker_protocol}"

start=$SECONDS
cmake --preset fuzz -B "$build" > /dev/null
cmake --build "$build" --target all_fuzzers vmc_native  # vmc_native: fuzz_plugin's default plugin
echo "short fuzz: build took $((SECONDS - start)) s"
plugin="${VMCONFORM_FUZZ_PLUGIN:-$(cd "$build" && pwd)/plugins/libvmc_native.so}"

scratch="$build/short-fuzz"
rm -rf "$scratch"
passed=0 failed=0
for t in "${targets[@]}"; do
  dir="$scratch/$t"
  mkdir -p "$dir/corpus"
  t0=$SECONDS
  rc=0
  VMCONFORM_FUZZ_PLUGIN="$plugin" "$build/fuzz/$t" -max_total_time="$secs" -seed=1 -max_len=640 -print_final_stats=1 \
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
      env=""
      [ "$t" != fuzz_plugin ] || env="VMCONFORM_FUZZ_PLUGIN=$plugin "
      echo "  reproduce: $env$build/fuzz/$t $a"
      case "$t" in
        fuzz_native) echo "  replay:    vmconform replay $a --backend native" ;;
        fuzz_process) echo "  replay:    vmconform replay $a --backend process" ;;
        fuzz_mutant) echo "  replay:    vmconform replay $a --backend ${VMCONFORM_FUZZ_BACKEND:-sim}" ;;
        fuzz_plugin) # an instrumented plugin loads only into a vmconform built with the same flags
          echo "  replay:    cmake --build $build --target vmconform && $build/conformance/vmconform replay $a --plugin $plugin" ;;
      esac
    done
  fi
done
echo "short fuzz: $((SECONDS - start)) s in total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
