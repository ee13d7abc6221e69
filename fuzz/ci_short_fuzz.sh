#!/usr/bin/env bash
# ci_short_fuzz.sh - the short fuzzing step for CI. It builds the fuzzers the way ClusterFuzzLite
# does, through fuzz/tests/clusterfuzzlite_build_test.sh (which runs .clusterfuzzlite/build.sh with
# clang, libFuzzer + ASan + UBSan and checks what it ships: that is the ClusterFuzzLite test, run
# here so CI pays for one fuzzer build, not two), then runs every fuzz target for a fixed time
# (default 10 s each, -max_total_time=10 -seed=1), two at a time, on top of its seed corpus
# corpus/<target>/, which it never writes to (op-sequence targets also get the op dictionary
# corpus/opseq.dict). The nine shipped targets run from build.sh's $OUT;
# fuzz_plugin (not shipped) runs from the same build tree on the conformant `native` plugin built
# there with the same flags. Fails on any crash, printing the artifact and the reproducers; fails
# (never skips) when clang or libFuzzer is missing.
# Environment: VMCONFORM_SHORT_FUZZ_DIR (default build/short-fuzz), VMCONFORM_SHORT_FUZZ_SECONDS
# (default 10), VMCONFORM_SHORT_FUZZ_JOBS (default 2), VMCONFORM_SHORT_FUZZ_TARGETS (default: all
# ten), VMCONFORM_FUZZ_PLUGIN (default: that tree's plugins/libvmc_native.so).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
top="${VMCONFORM_SHORT_FUZZ_DIR:-build/short-fuzz}"
secs="${VMCONFORM_SHORT_FUZZ_SECONDS:-10}"
jobs="${VMCONFORM_SHORT_FUZZ_JOBS:-2}"
read -r -a targets <<< "${VMCONFORM_SHORT_FUZZ_TARGETS:-fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_plugin fuzz_opseq_decode fuzz_opseq_text fuzz_baseline fuzz_worker_protocol fuzz_cli_inputs fuzz_agent_protocol}"

start=$SECONDS
mkdir -p "$top"
top="$(cd "$top" && pwd)"
cfl="$top/clusterfuzzlite"
rc=0
bash fuzz/tests/clusterfuzzlite_build_test.sh "$root" "$cfl" || rc=$?
if [ "$rc" -ne 0 ]; then
  [ "$rc" -ne 77 ] || echo "short fuzz: FAIL: the fuzzers cannot be built here (see SKIP above); CI needs them"
  exit 1
fi
tree="$cfl/work/vmconform-build"
cmake --build "$tree" --target vmc_native fuzz_plugin  # fuzz_plugin's default plugin, same flags
echo "short fuzz: build and ClusterFuzzLite check took $((SECONDS - start)) s"
plugin="${VMCONFORM_FUZZ_PLUGIN:-$tree/plugins/libvmc_native.so}"

binary() {  # the fuzzer that runs: what ClusterFuzzLite ships, or fuzz_plugin from the tree
  if [ "$1" = fuzz_plugin ]; then echo "$tree/fuzz/fuzz_plugin"; else echo "$cfl/out/$1"; fi
}

run_one() {  # run_one TARGET: fuzzes it; its exit code goes to $dir/rc
  local t="$1" dir="$top/runs/$1" t0=$SECONDS rc=0 dict=()
  mkdir -p "$dir/corpus"
  case "$t" in fuzz_sim | fuzz_native | fuzz_process | fuzz_mutant | fuzz_plugin) dict=(-dict=corpus/opseq.dict) ;; esac
  VMCONFORM_FUZZ_PLUGIN="$plugin" "$(binary "$t")" -max_total_time="$secs" -seed=1 -max_len=640 "${dict[@]}" \
    -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" "corpus/$t" > "$dir/log" 2>&1 || rc=$?
  echo "$rc $((SECONDS - t0))" > "$dir/rc"
}

report() {  # report TARGET: PASS/FAIL line, and on failure the artifacts and how to reproduce them
  local t="$1" dir="$top/runs/$1" rc seconds execs rate artifacts a env
  [ -f "$dir/rc" ] || echo "1 0" > "$dir/rc"  # the runner itself died
  read -r rc seconds < "$dir/rc"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -n 1)"
  artifacts="$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))"
  if [ "$rc" -eq 0 ] && [ -z "$artifacts" ]; then
    passed=$((passed + 1))
    echo "PASS $t: ${execs:-?} execs, ${rate:-?} exec/s, $seconds s"
    return
  fi
  failed=$((failed + 1))
  echo "FAIL $t (exit $rc, log $dir/log):"
  grep -E '^==vmconform==|ERROR: |SUMMARY: ' "$dir/log" | head -20 || true
  for a in $artifacts; do
    echo "  artifact: $a"
    env=""
    [ "$t" != fuzz_plugin ] || env="VMCONFORM_FUZZ_PLUGIN=$plugin "
    echo "  reproduce: $env$(binary "$t") $a"
    case "$t" in
      fuzz_native) echo "  replay:    vmconform replay $a --backend native" ;;
      fuzz_process) echo "  replay:    vmconform replay $a --backend process" ;;
      fuzz_mutant) echo "  replay:    vmconform replay $a --backend ${VMCONFORM_FUZZ_BACKEND:-sim}" ;;
      fuzz_plugin) # an instrumented plugin loads only into a vmconform built with the same flags
        echo "  replay:    cmake --build $tree --target vmconform && $tree/conformance/vmconform replay $a --plugin $plugin" ;;
    esac
  done
}

rm -rf "$top/runs"
passed=0 failed=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  batch=("${targets[@]:i:jobs}")
  for t in "${batch[@]}"; do run_one "$t" & done
  wait
  for t in "${batch[@]}"; do report "$t"; done
done
echo "short fuzz: $((SECONDS - start)) s in total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
