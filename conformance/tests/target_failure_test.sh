#!/usr/bin/env bash
# target_failure_test.sh - ctest tests cli.*.target-*: `vmconform run` says why a backend's target
# failed. no-such-pid: attaching to a pid above the kernel's PID_MAX_LIMIT is a setup error (exit 2)
# naming the pid. attached-dies / child-dies: a `sleep` this script attached the backend to, or the
# backend's own traced child, is killed with SIGKILL while X-MODEL runs (after its progress line,
# once the process is traced); the run must exit 1 and print "target process PID died (signal 9"
# to stderr and in report.json's rule message (or, for a child killed while idle between two
# cases, which no property saw, as a "between cases" line on stderr). Only processes this script started, or children of
# the vmconform it started, are killed, by pid.
# Usage: target_failure_test.sh VMCONFORM BACKEND SCENARIO SCRATCH_DIR
set -uo pipefail
vmconform="$1" backend="$2" scenario="$3" scratch="$4"
rm -rf "$scratch" && mkdir -p "$scratch"
out="$scratch/stdout" err="$scratch/stderr" report="$scratch/report"
fail() { echo "FAIL: $*"; echo "--- stderr"; grep -v '^\[[0-9]*/[0-9]*\] ' "$err"; echo "--- stdout (tail)"; tail -n 20 "$out"; exit 1; }

wait_for() {  # wait_for COMMAND...: polls for up to 60 s
  for _ in $(seq 1 1200); do "$@" && return 0; sleep 0.05; done
  return 1
}
traced() { [[ -r /proc/$1/status ]] && ! grep -q '^TracerPid:[[:space:]]*0$' "/proc/$1/status"; }
started_x_model() { grep -q '^\[[0-9]*/[0-9]*\] X-MODEL ' "$err"; }
child_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .; }
alive() { kill -0 "$1" 2>/dev/null; }
child_or_done() { ! alive "$vm" || child_of "$vm" >/dev/null; }
traced_or_done() { ! alive "$vm" || ! alive "$1" || traced "$1"; }

case "$scenario" in
  no-such-pid)
    options="pid=1073741823"  # 0x3FFFFFFF: above PID_MAX_LIMIT, so no process has it
    [[ $backend == raw-* ]] && options+=",allow-corruption"
    "$vmconform" run --backend "$backend" --backend-options "$options" --seed 1 --cases 5 >"$out" 2>"$err"
    code=$?
    [[ $code == 2 ]] || fail "exit $code, expected 2"
    grep -q "cannot create a target of backend $backend: .*1073741823" "$err" || fail "no 'cannot create a target' message"
    ;;
  attached-dies | child-dies)
    args=(run --backend "$backend" --rule X-MODEL --seed 1 --cases 2000 --report "$report")
    victim=""
    if [[ $scenario == attached-dies ]]; then
      sleep 600 &
      victim=$!
      args+=(--backend-options "pid=$victim")
    fi
    "$vmconform" "${args[@]}" >"$out" 2>"$err" &
    vm=$!
    wait_for started_x_model || { kill -9 "$vm"; fail "X-MODEL never started"; }
    # The backend's child: the one it traces now. The backend may have replaced it (a new target)
    # by the time it is killed, and then nothing sees the kill: so a run still going 10 s after
    # a kill gets its new child killed too (up to 5 times), and any of them may be named.
    killed=()
    for attempt in 1 2 3 4 5; do
      if [[ $scenario == child-dies ]]; then
        # A run that ends (it saw an earlier kill) while we look for its next child is done.
        wait_for child_or_done >/dev/null || { kill -9 "$vm"; fail "vmconform started no child"; }
        alive "$vm" || break
        victim="$(child_of "$vm")"
        [[ -n $victim ]] || continue  # replaced between the two looks: look again
      fi
      wait_for traced_or_done "$victim" || { kill -9 "$vm" "$victim"; fail "process $victim was never traced"; }
      alive "$vm" || break
      kill -9 "$victim" 2>/dev/null || { echo "note: child $victim had already exited"; continue; }
      killed+=("$victim")
      for _ in $(seq 1 200); do kill -0 "$vm" 2>/dev/null || break; sleep 0.05; done
      kill -0 "$vm" 2>/dev/null || break
      [[ $scenario == child-dies ]] || break  # an attached process is killed once
    done
    wait "$vm"
    code=$?
    [[ $scenario == attached-dies ]] && wait "$victim" 2>/dev/null
    [[ $code == 1 ]] || fail "exit $code, expected 1 (killed: ${killed[*]})"
    found=""
    for victim in "${killed[@]}"; do
      expected="target process $victim died (signal 9"
      if grep -q "target failure during X-MODEL (XModel[A-Za-z]*): $expected" "$err"; then
        grep -qF "$expected" "$report/report.json" || fail "report.json does not say '$expected'"
        found=1
      elif [[ $scenario == child-dies ]] && grep -qF "target failure between cases: $expected" "$err"; then
        echo "note: the child was killed while idle, between two cases (no property saw it)"
        found=1
      fi
    done
    [[ -n $found ]] || fail "stderr does not say 'target process P died (signal 9' for a killed P (${killed[*]})"
    ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac
echo "PASS: $backend $scenario"
