#!/usr/bin/env bash
# clusterfuzzlite_build_test.sh - ctest test fuzz.clusterfuzzlite_build: runs
# .clusterfuzzlite/build.sh outside Docker with the variables ClusterFuzzLite sets (CC=clang,
# CXX=clang++, libFuzzer + ASan + UBSan flags, OUT, WORK, SRC; the source is used in place through
# VMCONFORM_SOURCE_DIR), then checks that every fuzzer, its seed corpus zip and (op-sequence targets) its .dict landed in $OUT
# and that each fuzzer runs one seed input, and that fuzz_plugin and fuzz_agent (which need
# VMCONFORM_FUZZ_PLUGIN / VMCONFORM_FUZZ_AGENT) are not shipped.
# Usage: clusterfuzzlite_build_test.sh SOURCE_DIR SCRATCH_DIR. Exit 77 (skipped) without clang or
# libFuzzer. SCRATCH_DIR/work is kept between runs, so only the first run builds from scratch.
set -euo pipefail
root="$(cd "$1" && pwd)"
scratch="$2"
targets=(fuzz_sim fuzz_native fuzz_process fuzz_mutant fuzz_opseq_decode fuzz_opseq_text fuzz_baseline
  fuzz_worker_protocol fuzz_cli_inputs fuzz_agent_protocol)

if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
  echo "SKIP: clang is not installed"; exit 77
fi
mkdir -p "$scratch"
probe="$scratch/probe.cpp"
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe" -o "$scratch/probe" 2>/dev/null; then
  echo "SKIP: clang cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"; exit 77
fi

export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export SRC="$scratch/src" WORK="$scratch/work" OUT="$scratch/out"
export VMCONFORM_SOURCE_DIR="$root"  # instead of a copy at $SRC/vmconform
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK" "$SRC"

start=$SECONDS
(cd "$root" && bash "$root/.clusterfuzzlite/build.sh") > "$scratch/build.log" 2>&1 || {
  tail -40 "$scratch/build.log"; echo "FAIL: build.sh failed (log: $scratch/build.log)"; exit 1; }
echo "build.sh took $((SECONDS - start)) s"

failures=0
for t in "${targets[@]}"; do
  if [ ! -x "$OUT/$t" ]; then echo "FAIL: $OUT/$t missing"; failures=$((failures + 1)); continue; fi
  if [ -f "$OUT/${t}_seed_corpus.zip" ]; then
    echo "ok: $OUT/${t}_seed_corpus.zip"
  elif grep -q "not written" "$scratch/build.log"; then
    echo "note: no zip or python3 here, $t has no seed zip"
  else
    echo "FAIL: $OUT/${t}_seed_corpus.zip missing"; failures=$((failures + 1))
  fi
  case "$t" in
    fuzz_sim | fuzz_native | fuzz_process | fuzz_mutant)
      if cmp -s "$root/corpus/opseq.dict" "$OUT/$t.dict"; then echo "ok: $OUT/$t.dict"
      else echo "FAIL: $OUT/$t.dict missing or not corpus/opseq.dict"; failures=$((failures + 1)); fi ;;
  esac
  input="$(find "$root/corpus/$t" -type f -size +0 | sort | sed -n 1p)"
  if "$OUT/$t" -runs=1 "$input" > "$scratch/$t.run.log" 2>&1; then
    echo "ok: $t ran $(basename "$input")"
  else
    tail -20 "$scratch/$t.run.log"; echo "FAIL: $t did not run $input"; failures=$((failures + 1))
  fi
done
for t in fuzz_plugin fuzz_agent; do
  if [ -e "$OUT/$t" ]; then
    echo "FAIL: $OUT/$t shipped, but ClusterFuzzLite cannot set the variable it needs"; failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "clusterfuzzlite build: all ${#targets[@]} fuzzers built, zipped and run"
