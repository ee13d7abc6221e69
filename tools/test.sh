#!/usr/bin/env bash
# test.sh - the test command: install what is missing, then build and run every test twice,
# with the dev preset and under AddressSanitizer + UndefinedBehaviorSanitizer (asan-ubsan).
# Set VMCONFORM_TEST_PRESETS="dev" to run only one build.
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
