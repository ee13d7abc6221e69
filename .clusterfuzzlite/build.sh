#!/bin/bash -eu
# build.sh - builds vmconform's libFuzzer targets for ClusterFuzzLite / OSS-Fuzz. It honours the
# standard variables: $CC $CXX $CFLAGS $CXXFLAGS (sanitizer and coverage flags), $LIB_FUZZING_ENGINE
# (linked into every fuzzer), $OUT (fuzzers and <name>_seed_corpus.zip land here), $WORK (build
# tree) and $SRC (the source is $SRC/vmconform, or $VMCONFORM_SOURCE_DIR). The op-sequence
# targets also get <name>.dict (corpus/opseq.dict, the op dictionary). Only the fuzz targets
# are built (all_fuzzers): no tests, no benchmarks. fuzz_plugin and fuzz_agent are not shipped:
# they need VMCONFORM_FUZZ_PLUGIN or VMCONFORM_FUZZ_AGENT, which ClusterFuzzLite cannot set per
# target (fuzz/REPRODUCING.md says why no default is baked in). Also run locally by the ctest test fuzz.clusterfuzzlite_build
# (fuzz/tests/clusterfuzzlite_build_test.sh).
set -eu  # also when run as `bash build.sh`
src_dir="${VMCONFORM_SOURCE_DIR:-$SRC/vmconform}"
build_dir="$WORK/vmconform-build"

# rapidcheck comes from the distribution's package, built against libstdc++: do not switch the
# standard library (this rules out MSan, which project.yaml does not list).
CXXFLAGS="${CXXFLAGS//-stdlib=libc++/}"
# With SanitizerCoverage (libFuzzer builds), leave the C++ standard library's templates out of it,
# as the `fuzz` preset does (fuzz/coverage-ignorelist.txt says why).
case "$CFLAGS $CXXFLAGS" in
  *fsanitize=fuzzer* | *fsanitize-coverage*)
    ignorelist="-fsanitize-coverage-ignorelist=$src_dir/fuzz/coverage-ignorelist.txt"
    CFLAGS="$CFLAGS $ignorelist" CXXFLAGS="$CXXFLAGS $ignorelist" ;;
esac
generator="Unix Makefiles"
command -v ninja >/dev/null 2>&1 && generator="Ninja"

cmake -S "$src_dir" -B "$build_dir" -G "$generator" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DVMCONFORM_FUZZ_LINKMAIN=OFF -DVMCONFORM_FUZZ_LDFLAGS="$LIB_FUZZING_ENGINE" \
  -DVMCONFORM_BUILD_TESTS=OFF -DVMCONFORM_BUILD_BENCHMARKS=OFF -DVMCONFORM_UNITY=ON
cmake --build "$build_dir" --target all_fuzzers -j "$(nproc)"

zip_dir() {  # zip_dir DIR ZIP: the files of DIR, without paths
  rm -f "$2"
  if command -v zip >/dev/null 2>&1; then
    (cd "$1" && zip -q -j "$2" ./*)
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(sys.argv[1])):
        p = os.path.join(sys.argv[1], n)
        if os.path.isfile(p): z.write(p, n)' "$1" "$2"
  else
    echo "build.sh: neither zip nor python3 found: $2 not written (the fuzzer starts from an empty corpus)"
  fi
}

for fuzzer in "$build_dir"/fuzz/fuzz_*; do
  [ -f "$fuzzer" ] && [ -x "$fuzzer" ] || continue
  name="$(basename "$fuzzer")"
  case "$name" in fuzz_plugin | fuzz_agent) continue ;; esac  # need VMCONFORM_FUZZ_PLUGIN / _AGENT (see the header)
  cp "$fuzzer" "$OUT/$name"
  if [ -d "$src_dir/corpus/$name" ]; then
    zip_dir "$src_dir/corpus/$name" "$OUT/${name}_seed_corpus.zip"
  fi
  case "$name" in  # the op-sequence targets: the op dictionary, found by the runner as <fuzzer>.dict
    fuzz_sim | fuzz_native | fuzz_process | fuzz_mutant) cp "$src_dir/corpus/opseq.dict" "$OUT/$name.dict" ;;
  esac
  echo "build.sh: $OUT/$name"
done
