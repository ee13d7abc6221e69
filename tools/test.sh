#!/usr/bin/env bash
# test.sh - the test command: install what is missing, then build every test under
# AddressSanitizer + UndefinedBehaviorSanitizer (preset asan-ubsan, clang) and run them all; then
# the thread-safety tests of the native backend, and the model's unit tests (its page bytes are
# shared between model copies through an atomic count), under ThreadSanitizer (preset tsan); then the
# fuzzers: built the way ClusterFuzzLite builds them (libFuzzer + ASan + UBSan; this is also the
# ClusterFuzzLite build test) and each run 10 s on top of its corpus (fuzz/ci_short_fuzz.sh).
# The plain `dev` build is the one tools/setup-and-run.sh makes and runs; the same tests pass there
# (VMCONFORM_TEST_PRESETS="dev asan-ubsan" runs both here; CI runs only the sanitized one to stay
# well under its 25-minute budget). VMCONFORM_TEST_TSAN=0 skips TSan, VMCONFORM_TEST_FUZZ=0 the
# fuzzing stage. Every stage's failure fails the command; nothing is skipped silently. The
# sanitized presets build with line tables only (-gline-tables-only: sanitizer reports keep file and
# line; full debug info made the unity sources compile about 40 % slower). The asan-ubsan tests run
# with ASAN_OPTIONS=quarantine_size_mb=64 (the test preset sets it): with the default 256 MiB of
# freed memory held back, a process kept faulting in fresh pages, which costs dearly on a virtual
# machine (a whole-suite test ran 28 % faster, a plugin run 16 %); a use-after-free is still
# caught while the memory freed after it stays under 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
vmconform_install_deps

start=$SECONDS
stage() { echo "== $1 (at $((SECONDS - start)) s)"; }

for preset in ${VMCONFORM_TEST_PRESETS:-asan-ubsan}; do
  stage "preset $preset"
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done

if [ "${VMCONFORM_TEST_TSAN:-1}" = "1" ]; then
  stage "preset tsan (native backend and model tests: thread safety)"
  cmake --preset tsan
  cmake --build --preset tsan --target vmconform_native_tests vmconform_model_tests
  ctest --preset tsan -R '^(native|model)\.'
fi

if [ "${VMCONFORM_TEST_FUZZ:-1}" = "1" ]; then
  stage "fuzzers: ClusterFuzzLite build check and short fuzzing run"
  bash fuzz/ci_short_fuzz.sh
fi
echo "== all test stages passed in $((SECONDS - start)) s"
