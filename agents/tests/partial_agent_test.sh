#!/usr/bin/env bash
# partial_agent_test.sh - ctest agent.python.partial: an agent that says in `hello` that only
# WriteVirtual and ReadVirtual are the implementation's own (spec/agent-protocol.md, "Partial
# implementations"; the Python reference agent with --operations) is checked as a data target:
# the run passes (exit 0), the summary names the interface and what was provided for it, the rules
# of AllocateVirtualMemory and VirtualFree are `skip` with the reason (never `pass`), X-LINEARIZABLE
# is skipped, and WriteVirtual's rules (WV-ATOMIC) pass. An `operations` list naming an unknown
# operation is a setup error (exit 2) naming it.
# Usage: partial_agent_test.sh VMCONFORM PYTHON3 SCRATCH_DIR
set -uo pipefail
vmconform="$1"; python="$2"; scratch="$3"
here="$(cd "$(dirname "$0")" && pwd)"
agent="$here/../python/reference_agent.py"
rm -rf "$scratch" && mkdir -p "$scratch"
fail() { echo "FAIL: $*"; exit 1; }

rc=0
"$vmconform" run --agent "$python $agent --operations WriteVirtual,ReadVirtual --interface ICorDebugMutableDataTarget" \
  --seed 1 --quick --cases 20 --quiet --json "$scratch/report.json" >"$scratch/out" 2>&1 || rc=$?
[[ $rc == 0 ]] || { cat "$scratch/out"; fail "exit $rc, expected 0"; }
grep -q "checks: ICorDebugMutableDataTarget (WriteVirtual and ReadVirtual)" "$scratch/out" ||
  { cat "$scratch/out"; fail "the summary does not name the interface and its operations"; }
grep -q "provided for it: the reference agent's own address space" "$scratch/out" ||
  fail "the summary does not say who provided the other operations"
"$python" - "$scratch/report.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
rules = {x["id"]: x for x in r["rules"]}
def need(cond, what):
    if not cond:
        print("FAIL:", what); sys.exit(1)
for rid, x in rules.items():
    if rid.startswith(("AVM-", "VF-")):
        need(x["status"] == "skip", f"{rid} is {x['status']}, expected skip")
        need("WriteVirtual and ReadVirtual only:" in x["message"] and "not provided" in x["message"],
             f"{rid}'s reason is {x['message']!r}")
need(rules["X-LINEARIZABLE"]["status"] == "skip", "X-LINEARIZABLE is not skipped")
need(rules["WV-ATOMIC"]["status"] == "pass", f"WV-ATOMIC is {rules['WV-ATOMIC']['status']}")
skipped = sum(1 for x in rules.values() if x["status"] == "skip")
passed = sum(1 for x in rules.values() if x["status"] == "pass")
need(passed > 5, f"only {passed} rules passed")
print(f"ok: {passed} rules passed, {skipped} skipped (AllocateVirtualMemory and VirtualFree not provided)")
PY

rc=0
"$vmconform" run --agent "$python $agent --operations WriteVirtual,Teleport" --seed 1 --quick --quiet \
  >"$scratch/bad" 2>&1 || rc=$?
[[ $rc == 2 ]] || { cat "$scratch/bad"; fail "an unknown operation: exit $rc, expected 2"; }
grep -q '"operations" names "Teleport"' "$scratch/bad" || { cat "$scratch/bad"; fail "the setup error does not name the operation"; }
echo "ok: an unknown operation is a setup error naming it"
