#!/usr/bin/env bash
# test.sh - the test command: install what is missing, then build and run every test twice,
# with the dev preset and under AddressSanitizer + UndefinedBehaviorSanitizer (asan-ubsan).
# Then the thread-safety tests of the native backend under ThreadSanitizer (preset tsan), and a
# short fuzzing run: every fuzz target for 20 s on top of its corpus (preset fuzz: libFuzzer +
# ASan + UBSan, fuzz/ci_short_fuzz.sh). The ClusterFuzzLite build test runs once (dev preset).
# Set VMCONFORM_TEST_PRESETS="dev" to run only one build, VMCONFORM_TEST_TSAN=0 to skip TSan,
# VMCONFORM_TEST_FUZZ=0 to skip the short fuzzing run.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
vmconform_install_deps

for preset in ${VMCONFORM_TEST_PRESETS:-dev asan-ubsan}; do
  echo "== preset $preset"
  cmake --preset "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done

if [ "${VMCONFORM_TEST_TSAN:-1}" = "1" ]; then
  echo "== preset tsan (native backend tests: thread safety)"
  cmake --preset tsan
  cmake --build --preset tsan --target vmconform_native_tests
  ctest --preset tsan -R '^native\.'
fi

if [ "${VMCONFORM_TEST_FUZZ:-1}" = "1" ]; then
  echo "== preset fuzz (short fuzzing run)"
  bash fuzz/ci_short_fuzz.sh
fi
