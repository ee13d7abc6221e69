#!/usr/bin/env bash
# record_wine.sh - runs the suite against the Windows agent under Wine in every mode (raw,
# reference) x process (self, child) x profile, with the flags of the ctest agent.wine.* tests,
# and writes the reports to reports/wine/<mode>-<process>-<profile>/. With --baselines it also
# starts conformance/baselines/wine-<mode>-<process>.<profile>.json from each report (the
# reasons must then be written by hand: what Wine does and what Windows documents).
# Usage: agents/windows/record_wine.sh BUILD_DIR [--baselines]   (e.g. build/dev)
set -euo pipefail
cd "$(dirname "$0")/../.."
build="$1"; baselines="${2:-}"
vmconform="$build/conformance/vmconform"
agent="$build/agents/windows/vmc_agent.exe"
export WINEPREFIX="$PWD/$build/wine-prefix" WINEDEBUG=-all,err+all
bash agents/windows/wine_setup.sh start "$WINEPREFIX"
for mode in raw reference; do
  for process in self child; do
    for profile in documented win32; do
      out="reports/wine/$mode-$process-$profile"
      rc=0
      "$vmconform" run --agent "wine $agent $mode $process" --profile "$profile" --seed 1 --quick --cases 25 --agent-start-attempts 3 \
        --quiet --report "$out" > /dev/null 2>&1 || rc=$?
      echo "$mode-$process-$profile: exit $rc, $(grep -o '"failed": *[0-9]*' "$out/report.json" | head -1)"
      if [ "$baselines" = "--baselines" ] && [ "$rc" = 1 ]; then
        "$vmconform" baseline --write "conformance/baselines/wine-$mode-$process.$profile.json" --from "$out/report.json"
      fi
    done
  done
done
