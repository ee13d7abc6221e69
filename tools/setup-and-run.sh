#!/usr/bin/env bash
# setup-and-run.sh - the main job: install what is missing, build (preset dev), and run the
# conformance suite against every built-in backend in both profiles, writing reports/.
# Exit status: 0 when every rule passed everywhere, 1 when a rule failed, 2 on a setup error.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
vmconform_install_deps

cmake --preset dev
cmake --build --preset dev

seed="${VMCONFORM_SEED:-1}"
cases="${VMCONFORM_CASES:-100}"
status=0
bin=build/dev/conformance/vmconform
for backend in $("$bin" list-backends | awk '/^[^ ]/ && !/not in the default suite/ {print $1}'); do
  for profile in documented win32; do
    out="reports/run/$backend-$profile"
    echo "== $backend ($profile) -> $out"
    rc=0
    "$bin" run --backend "$backend" --profile "$profile" --seed "$seed" --cases "$cases" --quiet --report "$out" || rc=$?
    if [ "$rc" -gt "$status" ]; then status=$rc; fi
  done
done
echo "vmconform: reports are in reports/run/<backend>-<profile>/ (report.md, report.json, junit.xml)"
exit "$status"
