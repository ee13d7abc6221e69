#!/usr/bin/env bash
# bench/agents.sh - what the agent protocol costs (issue 14, section 5), measured side by side in
# one run and written to reports/benchmarks/agents.md:
# - operations per second of one fixed mix (allocate 64 KiB committed, write 256 bytes, read them
#   back, query, release: bench/agent_bench.cpp) through the agent protocol, next to the same
#   implementation called in process: the Python reference agent (`reference_agent.py --bench`),
#   the Windows agent under Wine in every mode x process (`vmc_agent.exe bench ...`), and the
#   built-in `native` and `sim` backends in process for scale;
# - the wall time of the whole suite, at its default depth, against the Windows agent under Wine
#   (reference mode, both processes, both profiles; the goal is under 60 s) and against the Python
#   agent.
# Every timed command is pinned to one core with taskset. Wine needs the packages tools/deps.sh
# installs (wine, wine64, mingw-w64); without them the Wine rows say "not measured" and why.
#
# Usage: bench/agents.sh [BUILD_DIR]   (default: build/bench; a Release build with the benchmarks)
# Environment: BENCH_CPU (core, default 0), AGENT_BENCH_SECONDS (per mix measurement, default 3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(realpath -m "${1:-$root/build/bench}")"  # absolute: WINEPREFIX must be
out="$root/reports/benchmarks/agents.md"
cpu="${BENCH_CPU:-0}"
secs="${AGENT_BENCH_SECONDS:-3}"
pin=(taskset -c "$cpu")
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== configure and build $build (Release, -O2)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DVMCONFORM_BUILD_BENCHMARKS=ON -DVMCONFORM_BUILD_TESTS=OFF \
  -DVMCONFORM_WARNINGS_AS_ERRORS=OFF >"$scratch/configure.log"
targets=(vmconform vmconform_bench_agent)
[[ -n "$(command -v x86_64-w64-mingw32-gcc)" ]] && targets+=(vmc_agent_windows)
ninja -C "$build" "${targets[@]}"
bench="$build/bench/vmconform_bench_agent"
vmconform="$build/conformance/vmconform"
agent_exe="$build/agents/windows/vmc_agent.exe"
python_agent="python3 $root/agents/python/reference_agent.py"

rate() { sed -n 's/.*"ops_per_second": *\([0-9.]*\).*/\1/p' | head -n 1 | awk '{printf "%.0f", $1}'; }
rows=()
row() {  # row IMPLEMENTATION PROTOCOL_RATE IN_PROCESS_RATE
  local ratio="-"
  [[ $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ && $2 -gt 0 ]] && ratio="$(awk -v a="$3" -v b="$2" 'BEGIN {printf "%.1fx", a / b}')"
  rows+=("| $1 | $2 | $3 | $ratio |")
  echo "   $1: protocol $2 ops/s, in process $3 ops/s ($ratio)"
}

echo "== operations per second ($secs s each, core $cpu)"
p="$("${pin[@]}" "$bench" --agent "$python_agent" --seconds "$secs" | rate)"
i="$("${pin[@]}" python3 "$root/agents/python/reference_agent.py" --bench "$secs" | rate)"
row "Python reference agent" "$p" "$i"

wine_note=""
suite_rows=()
if [[ -x "$(command -v wine)" && -f "$agent_exe" ]]; then
  prefix="$build/wine-prefix"
  export WINEPREFIX="$prefix" WINEDEBUG=-all
  bash "$root/agents/windows/wine_setup.sh" start "$prefix" >/dev/null
  for mode in raw reference; do
    for process in self child; do
      p="$("${pin[@]}" "$bench" --agent "wine $agent_exe $mode $process" --seconds "$secs" | rate)" || p="failed"
      i="$("${pin[@]}" wine "$agent_exe" bench "$mode" "$process" "$secs" | rate)" || i="failed"
      row "Windows agent under Wine, $mode $process" "${p:-failed}" "${i:-failed}"
    done
  done
  echo "== the whole suite against the Windows agent under Wine (default depth)"
  for process in self child; do
    for profile in documented win32; do
      t0=$(date +%s.%N)
      rc=0
      "${pin[@]}" "$vmconform" run --agent "wine $agent_exe reference $process" --profile "$profile" --seed 1 \
        --quiet >"$scratch/suite.log" 2>&1 || rc=$?
      t="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')"
      suite_rows+=("| Windows agent under Wine, reference $process | $profile | $t | $rc |")
      echo "   reference $process $profile: $t s, exit $rc"
    done
  done
  bash "$root/agents/windows/wine_setup.sh" stop "$prefix" >/dev/null
else
  wine_note="The Windows agent was not measured: wine or the mingw-w64 build of vmc_agent.exe is missing here (tools/deps.sh installs wine, wine64 and mingw-w64)."
  echo "   $wine_note"
fi

for backend in native sim; do
  i="$("${pin[@]}" "$bench" --backend "$backend" --seconds "$secs" | rate)"
  row "built-in backend \`$backend\` (no protocol)" "-" "$i"
done

for profile in documented win32; do
  t0=$(date +%s.%N)
  rc=0
  "${pin[@]}" "$vmconform" run --agent "$python_agent" --profile "$profile" --seed 1 --quiet >"$scratch/suite.log" 2>&1 || rc=$?
  t="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')"
  suite_rows+=("| Python reference agent | $profile | $t | $rc |")
  echo "   python $profile: $t s, exit $rc"
done

{
  echo "# The agent protocol: operations per second and suite time"
  echo
  echo "Generated by \`bench/agents.sh\` on $(date -u +%Y-%m-%d) ($(uname -m), $(nproc) cores, pinned to core $cpu;"
  echo "$(wine --version 2>/dev/null || echo 'no Wine'), $(python3 --version 2>&1)). Do not edit by hand."
  echo
  echo "## Operations per second"
  echo
  echo "One mix of calls repeated for $secs s: allocate 64 KiB committed at address 0, write 256 bytes,"
  echo "read them back, query, release (5 calls; bench/agent_bench.cpp). *Protocol*: through"
  echo "\`vmconform-agent/1\` (spec/agent-protocol.md), one JSON request and response per call, as"
  echo "\`vmconform run --agent\` makes them; *in process*: the same implementation's functions called"
  echo "directly in its own process (\`reference_agent.py --bench\`, \`vmc_agent.exe bench\`)."
  echo
  echo "| implementation | protocol (ops/s) | in process (ops/s) | in process / protocol |"
  echo "|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  [[ -n "$wine_note" ]] && { echo "$wine_note"; echo; }
  echo "## The whole suite"
  echo
  echo "\`vmconform run --agent COMMAND --profile P --seed 1\` at its default depth (every property and the"
  echo "state machine, with its long sequences), wall time pinned to one core (the goal for Wine: under 60 s)."
  echo "Exit 0: every rule passed (reference mode has no baseline)."
  echo
  echo "| agent | profile | seconds | exit |"
  echo "|---|---|---:|---:|"
  printf '%s\n' "${suite_rows[@]}"
} >"$out"
echo "wrote $out"
