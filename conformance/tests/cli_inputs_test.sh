#!/usr/bin/env bash
# cli_inputs_test.sh - ctest tests cli.input.*: bad input to `vmconform` is one clear line on
# stderr and exit 2 (or the documented result), before anything runs, and a failing command
# never touches its output. One scenario per test (issue 13, section 1): baselines that must not
# be overwritten, reports compare must refuse or call a regression, shards, replay files, numbers,
# outputs, backend options and baselines of another target. Every file a scenario needs is
# written into SCRATCH_DIR first.
# Usage: cli_inputs_test.sh VMCONFORM SCENARIO SCRATCH_DIR
set -uo pipefail
vmconform="$1" scenario="$2" scratch="$3"
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 1
out="$scratch/stdout" err="$scratch/stderr"

fail() { echo "FAIL ($scenario): $*"; echo "--- stderr"; cat "$err"; echo "--- stdout (tail)"; tail -n 30 "$out"; exit 1; }
# expect CODE REGEX -- ARGS...: runs vmconform ARGS, requires exit CODE and REGEX on stderr+stdout;
# an error (exit 2) must be one line on stderr and must not print nlohmann's raw text.
expect() {
  local code="$1" re="$2"
  shift 3
  local t0=$SECONDS
  "$vmconform" "$@" >"$out" 2>"$err"
  local got=$?
  [[ $got == "$code" ]] || fail "exit $got, expected $code: vmconform $*"
  cat "$out" "$err" | grep -Eq -- "$re" || fail "no /$re/ in the output of: vmconform $*"
  if [[ $code == 2 ]]; then
    [[ $(wc -l <"$err") == 1 ]] || fail "the error is not one line on stderr"
    grep -q "json.exception" "$err" && fail "nlohmann's raw message on stderr"
    [[ ! -s $out ]] || fail "an error that printed to stdout (the run started?)"
    (( SECONDS - t0 < 20 )) || fail "the error took $((SECONDS - t0)) s (checked only after running?)"
  fi
  return 0
}

# A minimal valid report: WV-ATOMIC passes, WV-ROUNDTRIP fails (target sim unless given).
report() {  # report FILE [TARGET] [STATUS-OF-WV-ATOMIC]
  local target="${2:-sim}" st="${3:-pass}"
  local pass=1 fail=1 other=""
  [[ $st == pass ]] || { pass=0; other="$st"; }
  local summary="\"pass\": $pass, \"fail\": $fail, \"xfail\": 0, \"xpass\": 0, \"skip\": 0"
  [[ $other == xfail ]] && summary="\"pass\": 0, \"fail\": 1, \"xfail\": 1, \"xpass\": 0, \"skip\": 0"
  cat >"$1" <<JSON
{"schema": "vmconform-report/1", "target": "$target", "profile": "win32", "seed": 1, "cases_per_property": 100,
 "seconds": 0.5, "summary": {$summary},
 "rules": [
  {"id": "WV-ATOMIC", "status": "$st", "message": "", "reproducer": "",
   "properties": [{"name": "WvAtomicFailedWriteChangesNothing", "status": "pass", "cases": 100}]},
  {"id": "WV-ROUNDTRIP", "status": "fail", "message": "read back differs", "reproducer": "vmconform run --rule WV-ROUNDTRIP",
   "properties": [{"name": "WvRoundtripWrittenBytesReadBack", "status": "fail", "cases": 3, "message": "read back differs"}]}]}
JSON
}
keep_baseline() {
  cat >keep.json <<'JSON'
{"schema": "vmconform-baseline/1", "backend": "sim", "profile": "win32",
 "expected_failures": [{"rule": "WV-ROUNDTRIP", "reason": "our cache drops the last byte (bug 1234)"}]}
JSON
  cp keep.json keep.orig
}
unchanged() { cmp -s keep.json keep.orig || fail "keep.json was changed"; }
opseq_text='alloc 0 size=0x1000 type=MEM_COMMIT|MEM_RESERVE protect=PAGE_READWRITE
write r0 len=0x10 pattern=3'

case "$scenario" in
  baseline-schema-only-keeps-file)  # the report of the issue: {"schema": ...} alone
    keep_baseline
    echo '{"schema":"vmconform-report/1"}' >r.json
    expect 2 'report r.json: .*target' -- baseline --write keep.json --from r.json
    unchanged ;;
  baseline-existing-needs-force)
    keep_baseline
    report r.json
    expect 2 'keep.json exists .*1 hand-written reason.*--force' -- baseline --write keep.json --from r.json
    unchanged
    expect 0 'baseline written to keep.json.*1 reason kept' -- baseline --write keep.json --from r.json --force
    grep -q 'bug 1234' keep.json || fail "--force lost the hand-written reason" ;;
  baseline-new-file)
    report r.json
    expect 0 'baseline written to new.json: 1 expected failure' -- baseline --write new.json --from r.json
    grep -q '"TODO: explain why this backend breaks WV-ROUNDTRIP"' new.json || fail "no TODO reason" ;;
  baseline-from-array)
    keep_baseline
    echo '[{"schema":"vmconform-report/1"}]' >r.json
    expect 2 'report r.json: expected a JSON object, not array' -- baseline --write keep.json --from r.json
    unchanged ;;
  baseline-from-unknown-rule)
    report r.json
    sed -i 's/"WV-ATOMIC"/"X"/' r.json
    expect 2 'names rule "X", which spec/rules.json does not have' -- baseline --write new.json --from r.json
    [[ ! -e new.json ]] || fail "new.json was written" ;;
  baseline-output-is-directory)
    report r.json
    mkdir out.json
    expect 2 '--write out.json: is a directory' -- baseline --write out.json --from r.json ;;
  compare-empty-rules)
    report old.json
    report new.json
    sed -i 's/"rules": \[/"rules": [], "old_rules": [/' new.json
    expect 2 'report new.json: "rules" is empty' -- compare old.json new.json ;;
  compare-missing-rule)
    report old.json
    report new.json
    python3 - <<'PY' || fail "python3 failed"
import json
r = json.load(open("new.json"))
r["rules"] = [x for x in r["rules"] if x["id"] != "WV-ATOMIC"]
r["summary"]["pass"] = 0
json.dump(r, open("new.json", "w"))
PY
    expect 1 'MISSING from new.json \(not checked any more\) \(1\):' -- compare old.json new.json
    grep -q 'WV-ATOMIC (pass before)' "$out" || fail "the missing rule is not named" ;;
  compare-status-banana)
    report old.json
    report new.json pass
    sed -i '0,/"status": "pass"/s//"status": "banana"/' new.json
    expect 2 'rule WV-ATOMIC has status "banana"' -- compare old.json new.json ;;
  compare-no-target)
    report old.json
    report new.json
    sed -i 's/"target": "sim", //' new.json
    expect 2 'report new.json: the report without field "target"' -- compare old.json new.json ;;
  compare-no-profile)
    report old.json
    report new.json
    sed -i 's/"profile": "win32", //' old.json
    expect 2 'report old.json: the report without field "profile"' -- compare old.json new.json ;;
  compare-summary-disagrees)
    report old.json
    report new.json
    sed -i 's/"pass": 1/"pass": 7/' new.json
    expect 2 '"summary" says 7 pass, the rules say 1' -- compare old.json new.json ;;
  shard-too-many)  # one shard more than the profile has rules (the issue's 41/41 when win32 had 40)
    n="$("$vmconform" list-rules --profile win32 | grep -c '^[A-Z]')"
    (( n > 0 )) || fail "list-rules listed no rule"
    expect 2 "--shard $((n + 1))/$((n + 1)): profile win32 has $n rules, so at most $n shards" -- \
      run --backend sim --shard "$((n + 1))/$((n + 1))"
    expect 2 "--shard 999/999: profile win32 has $n rules" -- run --backend sim --shard 999/999 ;;
  shard-empty-with-rule)
    expect 2 '--shard 2/2 holds none of the rules given with --rule' -- run --backend sim --shard 2/2 --rule WV-ROUNDTRIP ;;
  replay-bom)  # documented: the byte-order mark is skipped, the text form read
    printf '\xEF\xBB\xBFvmconform-opseq 1\n%s\n' "$opseq_text" >bom.opseq
    expect 0 'text, [0-9]+ bytes, 2 ops, UTF-8 byte-order mark skipped' -- replay bom.opseq --backend sim
    grep -q 'no divergence' "$out" || fail "no verdict" ;;
  replay-no-header)
    printf '%s\n' "$opseq_text" >noheader.opseq
    expect 2 'noheader.opseq is text without the "vmconform-opseq 1" header' -- replay noheader.opseq ;;
  replay-empty)
    : >empty.opseq
    expect 2 'empty.opseq is empty: there is no op sequence to replay' -- replay empty.opseq ;;
  replay-header-only)
    printf 'vmconform-opseq 1\n# nothing\n' >nothing.opseq
    expect 2 'nothing.opseq holds no op' -- replay nothing.opseq ;;
  replay-binary-over-limit)
    { printf '\x01'; head -c 6000000 /dev/zero | tr '\0' '\5'; } >big.bin
    expect 2 'big.bin holds 6000001 bytes, but the binary form ends after 256 ops \(513 bytes' -- replay big.bin ;;
  replay-not-a-sequence)
    printf '\x7fELF\x02\x01\x01' >elf.bin
    expect 2 'elf.bin is neither op-sequence text .* nor the binary form \(byte 0 is 0x7f' -- replay elf.bin ;;
  replay-not-regular)
    expect 2 'cannot read op-sequence file /dev/zero: not a regular file' -- replay /dev/zero ;;
  timeout-inf)
    expect 2 "--timeout takes a number of seconds .*; not 'inf'|--timeout takes a number of seconds .*, not 'inf'" -- \
      run --plugin ./libnothing.so --timeout inf ;;
  timeout-1e10)
    expect 2 "--timeout takes a number of seconds greater than 0 and at most 86400.*'1e10' is out of range" -- \
      run --plugin ./libnothing.so --timeout 1e10 ;;
  seed-negative)
    expect 2 "--seed takes a whole number from 0 to 18446744073709551615, not '-1'" -- run --backend sim --seed -1 ;;
  seed-20-digits)
    expect 2 "--seed takes a whole number .*; '99999999999999999999' is too large" -- \
      run --backend sim --seed 99999999999999999999 ;;
  seed-max)  # the largest seed is a seed
    expect 0 'seed 18446744073709551615' -- run --backend sim --seed 18446744073709551615 --cases 1 --rule WV-ATOMIC --quiet ;;
  cases-huge)
    expect 2 "--cases takes a whole number from 1 to 1000000; '1073741823' is out of range" -- \
      run --backend sim --cases 1073741823 ;;
  depth-huge)
    expect 2 "--depth takes a whole number from 1 to 1000" -- run --backend sim --depth 100000 ;;
  report-empty)
    expect 2 '--report needs a directory \(it was given ""\)' -- run --backend sim --report "" ;;
  report-dash)
    expect 2 "--report takes a directory; '-' is not one" -- run --backend sim --report - ;;
  report-names-file)
    echo data >afile
    expect 2 '--report afile: exists and is not a directory' -- run --backend sim --report afile
    [[ $(cat afile) == data ]] || fail "afile was changed" ;;
  junit-in-missing-directory)
    expect 2 '--junit no/such/dir/j.xml: directory no/such/dir does not exist' -- \
      run --backend sim --junit no/such/dir/j.xml ;;
  backend-options-sim | backend-options-native | backend-options-mutant)
    b="${scenario#backend-options-}"
    [[ $b == mutant ]] && b="mutant:partial-write"
    expect 2 "backend $b takes no --backend-options \(given 'pid=1'\); backends with options: process" -- \
      run --backend "$b" --backend-options pid=1 ;;
  baseline-other-target)
    cat >native.json <<'JSON'
{"schema": "vmconform-baseline/1", "backend": "native", "profile": "win32",
 "expected_failures": [{"rule": "WV-ROUNDTRIP", "reason": "a reason"}]}
JSON
    expect 2 'baseline native.json was written for native, not sim \(--force applies it anyway\)' -- \
      run --backend sim --baseline native.json --rule WV-ATOMIC --cases 5 --seed 1
    expect 0 'warning: baseline native.json was written for native, not sim; applied because of --force' -- \
      run --backend sim --baseline native.json --rule WV-ATOMIC --cases 5 --seed 1 --force --quiet ;;
  report-not-a-report)  # `vmconform report`: every input is checked before the page is written
    mkdir empty
    expect 2 'cannot read report empty/report.json: no such file' -- report empty --out page.html
    echo '{}' >x.json
    expect 2 'report x.json: no "schema"' -- report x.json --out page.html
    report r.json
    expect 2 'report x.json: no "schema"' -- report r.json x.json --out page.html
    [[ ! -e page.html ]] || fail "page.html was written" ;;
  report-out-unwritable)
    report r.json
    expect 2 "--out takes a file name; '-' is not one" -- report r.json --out -
    expect 2 '--out no/dir/page.html: directory no/dir does not exist' -- report r.json --out no/dir/page.html
    expect 0 'wrote page.html: 1 run, 1 failing rule, 0 figures' -- report r.json --out page.html
    grep -q '</html>' page.html || fail "page.html is not a whole page" ;;
  *)
    fail "unknown scenario" ;;
esac
echo "ok: $scenario"
