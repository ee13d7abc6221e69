#!/usr/bin/env bash
# misbehaving_agents_test.sh - `vmconform run --agent` against agents that exit, crash, hang, print
# garbage, answer out of order, refuse a request, leave out a field or read too much: each run must
# end (no hang, no crash of vmconform), exit 1, and name the rule and the failing request in its
# report entry; and agents that refuse or hang at `hello`: exit 2 (setup error) with the reason;
# and `replay --agent` with a correct and a crashing agent.
# Usage: misbehaving_agents_test.sh VMCONFORM PYTHON3 SCRATCH_DIR
set -euo pipefail
vmconform="$1"; python="$2"; scratch="$3"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$scratch"
status=0
check() {  # behaviour, rule, expected text
  local behaviour="$1" rule="$2" expected="$3" out="$scratch/$1"
  local rc=0
  timeout 60 "$vmconform" run --agent "$python $here/misbehaving_agent.py $behaviour" --rule "$rule" --seed 1 \
    --cases 5 --timeout 4 --quiet --report "$out" > "$out.log" 2>&1 || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "FAIL $behaviour: exit $rc, expected 1"; cat "$out.log"; status=1; return
  fi
  if ! grep -q "target failure" "$out/report.md" || ! grep -q "$rule" "$out/report.md" || ! grep -q "request #" "$out/report.md" ||
     ! grep -q -- "$expected" "$out/report.md"; then
    echo "FAIL $behaviour: report.md does not name the rule, the request and '$expected'"; cat "$out/report.md"; status=1; return
  fi
  echo "ok $behaviour: $(grep -o "request #[0-9]* ([a-z]*[^)]*): [^;|]*" "$out/report.md" | head -1)"
}
check exit WV-ROUNDTRIP "exited with status 3 before answering"
check crash WV-ROUNDTRIP "killed by signal 11"
check hang WV-ROUNDTRIP "did not answer within"
check garbage WV-ROUNDTRIP "malformed response (not JSON)"
check out-of-order WV-ROUNDTRIP "answered out of order"
check refuse WV-ROUNDTRIP "could not handle the request"
check missing-field WV-ROUNDTRIP "malformed response"
check long-read RV-PREFIX "asked for"
# A problem at `hello` (the probe) is a setup error: exit 2 and a message, no report.
check_setup() {  # behaviour, expected text on stderr
  local behaviour="$1" expected="$2" out="$scratch/$1" rc=0
  timeout 60 "$vmconform" run --agent "$python $here/misbehaving_agent.py $behaviour" --seed 1 --cases 5 --timeout 4 \
    --quiet > "$out.log" 2>&1 || rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q -- "$expected" "$out.log"; then
    echo "FAIL $behaviour: exit $rc (expected 2) or no '$expected' in:"; cat "$out.log"; status=1; return
  fi
  echo "ok $behaviour: $(grep -m1 -- "$expected" "$out.log")"
}
check_setup hello-refuse "could not handle the request"
check_setup hello-hang "did not answer within"
# `replay --agent`: the reference agent agrees with the model (exit 0); one that crashes mid-replay
# is a target failure naming the request (exit 1).
check_replay() {  # agent command, expected exit, expected text[, more options]
  local rc=0 log="$scratch/replay.log"
  timeout 60 "$vmconform" replay "$here/straddling_write.opseq" --agent "$1" --timeout 10 ${4:-} > "$log" 2>&1 || rc=$?
  if [ "$rc" -ne "$2" ] || ! grep -q -- "$3" "$log"; then
    echo "FAIL replay --agent '$1': exit $rc (expected $2) or no '$3' in:"; cat "$log"; status=1; return
  fi
  echo "ok replay --agent: $(grep -m1 -- "$3" "$log")"
}
check_replay "$python $here/../python/reference_agent.py" 0 "no divergence"
check_replay "$python $here/misbehaving_agent.py crash" 1 "target failure at step 2: .*request #[0-9]* (write"
# An agent that sometimes exits before answering hello (flaky-start: the starts listed fail):
# --agent-start-attempts N starts it again, at most N starts per property, and every start that
# failed is reported (stderr notes, report.json) while the verdicts stay those of the runs that
# answered; without the option, or with every attempt failing, it is a failure as before.
check_start() {  # name, failing starts, extra options, expected exit, then texts expected in the log
  local name="$1" starts="$2" options="$3" expected="$4" out="$scratch/start-$1" rc=0
  shift 4
  rm -rf "$out" "$out.count"
  timeout 60 "$vmconform" run --agent "$python $here/misbehaving_agent.py flaky-start $out.count $starts" \
    --rule WV-ROUNDTRIP --seed 1 --cases 5 --timeout 10 --quiet --report "$out" $options > "$out.log" 2>&1 || rc=$?
  if [ "$rc" -ne "$expected" ]; then
    echo "FAIL start-$name: exit $rc, expected $expected"; cat "$out.log"; status=1; return
  fi
  for text in "$@"; do
    if ! grep -q -- "$text" "$out.log" "$out/report.json" 2>/dev/null; then
      echo "FAIL start-$name: no '$text' in the log or report.json:"; cat "$out.log"; status=1; return
    fi
  done
  echo "ok start-$name: exit $rc"
}
# The probe is start 1, the property's agent start 2 (and its second start 3).
check_start probe-no-retry 1 "" 2 "cannot use the agent: .*exited with status 1 before answering; agent stderr: misbehaving_agent: failing start 1"
check_start probe-retried 1 "--agent-start-attempts 2" 0 \
  "note: in the probe, the agent exited before answering hello and was started again (--agent-start-attempts 2): .*failing start 1"
check_start property-no-retry 2 "" 1 "target failure during WV-ROUNDTRIP"
check_start property-retried 2 "--agent-start-attempts 2" 0 \
  "note: during WV-ROUNDTRIP (.*started again (--agent-start-attempts 2): .*failing start 2" \
  '"agent_start_failures":' '"start_attempts": 2'
check_start property-all-attempts-fail 2,3 "--agent-start-attempts 2" 1 \
  "target failure during WV-ROUNDTRIP .*failing start 3" "note: during WV-ROUNDTRIP .*failing start 2" \
  "reproduce: vmconform run --agent .* --agent-start-attempts 2 "
rc=0
"$vmconform" run --backend sim --agent-start-attempts 2 --quiet > "$scratch/start-usage.log" 2>&1 || rc=$?
if [ "$rc" -ne 2 ] || ! grep -q -- "--agent-start-attempts applies to --agent" "$scratch/start-usage.log"; then
  echo "FAIL --agent-start-attempts without --agent: exit $rc"; cat "$scratch/start-usage.log"; status=1
else echo "ok --agent-start-attempts without --agent: usage error"; fi
rm -f "$scratch/start-replay.count"
check_replay "$python $here/misbehaving_agent.py flaky-start $scratch/start-replay.count 1" 0 \
  "note: the agent exited before answering hello and was started again" "--agent-start-attempts 2"
exit $status
