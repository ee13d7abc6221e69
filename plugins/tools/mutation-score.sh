#!/usr/bin/env bash
# mutation-score.sh - regenerates reports/benchmarks/mutation-score.md: every mutant plugin of
# plugins/mutants/mutants.json run through `vmconform run --plugin` in each of its profiles, once
# on the whole suite (caught = exit 1 with the expected rule failing) and once on the expected
# rule alone (the detection time). Builds what it needs in BUILD_DIR first.
#
# Usage: plugins/tools/mutation-score.sh [BUILD_DIR]     (default: build/dev, configured with
#        plugins/ added to the top-level CMakeLists.txt). Environment: SEED (default 1).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build/dev}"
out="$root/reports/benchmarks/mutation-score.md"
mkdir -p "$(dirname "$out")"

cmake --build "$build" --target vmconform vmconform_plugin_gate vmconform_mutant_plugins >/dev/null
manifest="$build/plugins/mutants-built.json"
[ -f "$manifest" ] || { echo "mutation-score.sh: $manifest is missing (is plugins/ part of the build?)" >&2; exit 2; }

"$build/plugins/vmconform_plugin_gate" score --vmconform "$build/conformance/vmconform" \
  --manifest "$manifest" --out "$out" --seed "${SEED:-1}"
{
  echo
  echo "Machine: nproc $(nproc), CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average before the last run $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Build: $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2), $build; generated $(date -u '+%Y-%m-%d %H:%M UTC')."
} >>"$out"
echo "wrote $out"
