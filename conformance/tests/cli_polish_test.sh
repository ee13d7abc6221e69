#!/usr/bin/env bash
# cli_polish_test.sh - ctest tests cli.polish.*: the command line as people and scripts use it
# (issue 13, section 3): --version, "did you mean" for a mistyped command or option, usage and
# --help (the name `vmconform`, examples, exit statuses, profiles), --json for scripts
# (list-backends, compare, replay, `run --json -`), progress lines (plain when not a terminal,
# rewritten in place on one, through `script`'s pseudo-terminal), --color and NO_COLOR, durations
# for people, list-backends' order, and the bash completion generated from the option tables.
# One scenario per test; python3 checks the JSON.
# Usage: cli_polish_test.sh VMCONFORM SCENARIO SCRATCH_DIR
set -uo pipefail
vmconform="$1" scenario="$2" scratch="$3"
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch" || exit 1
out="$scratch/stdout" err="$scratch/stderr"

fail() { echo "FAIL ($scenario): $*"; echo "--- stderr"; tail -n 20 "$err"; echo "--- stdout (tail)"; tail -n 30 "$out"; exit 1; }
# run CODE -- ARGS...: vmconform ARGS with stdout and stderr apart; requires exit CODE.
run() {
  local code="$1"
  shift 2
  "$vmconform" "$@" >"$out" 2>"$err"
  local got=$?
  [[ $got == "$code" ]] || fail "exit $got, expected $code: vmconform $*"
}
has() { grep -Eq -- "$2" "$1" || fail "no /$2/ in $1"; }
lacks() { ! grep -Eq -- "$2" "$1" || fail "/$2/ in $1"; }
json() { python3 -c "import json, sys; d = json.load(open('$1')); sys.exit(0 if ($2) else 1)" || fail "JSON check failed on $1: $2"; }
# on_terminal FILE ARGS...: vmconform ARGS with stdin, stdout and stderr on a pseudo-terminal.
on_terminal() {
  local file="$1"
  shift
  command -v script >/dev/null || fail "script (util-linux) is not installed"
  local cmd="'$vmconform'"
  for a in "$@"; do cmd+=" '$a'"; done
  script -qec "$cmd" /dev/null >"$file" 2>&1
}
report() {  # report FILE STATUS-OF-WV-ATOMIC
  local pass=1 fail=0
  [[ $2 == fail ]] && pass=0 fail=1
  cat >"$1" <<JSON
{"schema": "vmconform-report/1", "target": "sim", "profile": "win32", "seed": 1, "cases_per_property": 100,
 "seconds": 0.5, "summary": {"pass": $pass, "fail": $fail, "xfail": 0, "xpass": 0, "skip": 0},
 "rules": [{"id": "WV-ATOMIC", "status": "$2", "message": "", "reproducer": "vmconform run --rule WV-ATOMIC",
   "properties": [{"name": "WvAtomicFailedWriteChangesNothing", "status": "$2", "cases": 100}]}]}
JSON
}
opseq='vmconform-opseq 1
alloc 0 size=0x1000 type=MEM_COMMIT|MEM_RESERVE protect=PAGE_READWRITE
write r0 len=0x10 pattern=3'

case "$scenario" in
  version)
    run 0 -- --version
    has "$out" '^vmconform [0-9]+\.[0-9]+\.[0-9]+ \(report schema vmconform-report/1, .*[0-9]+ rules\)$' ;;
  unknown-command)
    run 2 -- rnu --backend sim
    has "$err" "^vmconform: unknown command 'rnu'; did you mean 'run'\?"
    [[ $(wc -l <"$err") == 1 && ! -s $out ]] || fail "not one line on stderr" ;;
  unknown-option)
    run 2 -- run --backnd sim
    has "$err" '^vmconform: run: unknown option --backnd; did you mean --backend\?'
    [[ $(wc -l <"$err") == 1 ]] || fail "not one line on stderr" ;;
  help)
    run 0 -- --help
    cp "$out" help.txt
    has help.txt '^Usage: vmconform \[OPTIONS\] SUBCOMMAND'
    lacks help.txt '/conformance/vmconform'
    for c in list-rules list-backends run report replay baseline compare fuzz completion; do
      has help.txt "^  $c "
      run 0 -- "$c" --help
      has "$out" "^Usage: vmconform $c"
      has "$out" '^Examples:'
      has "$out" "^  vmconform $c"
      has "$out" '^Exit status:'
      has "$out" '^  2  '
      has "$out" '^Profiles \(--profile\):'
      has "$out" '^  documented  '
      has "$out" '^  win32  '
    done ;;
  list-backends)
    run 0 -- list-backends
    [[ $(grep -E '^[^ ]' "$out" | head -n 1) == native ]] || fail "the first backend is not a real one"
    lacks "$out" '^mutant:'
    has "$out" 'and [0-9]+ mutants: vmconform list-backends --all'
    run 0 -- list-backends --all
    has "$out" '^mutant:partial-write'
    # Every real backend comes before the first mutant.
    awk '/^mutant:/ {m = 1} /^[a-z]/ && !/^mutant:/ && m {exit 1}' "$out" || fail "a real backend after a mutant" ;;
  list-backends-json)
    run 0 -- list-backends --json
    json "$out" "d[0]['kind'] == 'backend' and all(b['kind'] == 'backend' for b in d) and 'sim' in [b['name'] for b in d]"
    run 0 -- list-backends --all --json
    json "$out" "any(b['name'] == 'mutant:partial-write' and b['kind'] == 'mutant' for b in d) and [b['kind'] for b in d] == sorted([b['kind'] for b in d])" ;;
  compare-json)
    report old.json pass
    report new.json fail
    run 1 -- compare old.json new.json --json
    json "$out" "[c['rule'] for c in d['new_failures']] == ['WV-ATOMIC'] and d['old']['target'] == 'sim'"
    run 0 -- compare old.json old.json --json
    json "$out" "d['new_failures'] == [] and d['missing'] == []" ;;
  replay-json)
    printf '%s\n' "$opseq" >ok.opseq
    run 0 -- replay ok.opseq --backend sim --json
    json "$out" "d['verdict'] == 'agree' and d['ops'] == 2 and d['exit_status'] == 0"
    printf 'vmconform-opseq 1\nalloc 0 size=0x1000 type=MEM_COMMIT|MEM_RESERVE protect=PAGE_READWRITE\nwrite r0+0xff8 len=0x10 pattern=3\n' >cross.opseq
    run 1 -- replay cross.opseq --backend mutant:partial-write --json
    json "$out" "d['verdict'] == 'divergence' and d['rule']['id'] and d['exit_status'] == 1 and d['step'] >= 1" ;;
  run-json-stdout)
    run 0 -- run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --json - --quiet
    json "$out" "d['schema'] == 'vmconform-report/1' and d['summary']['pass'] == 1 and d['seed'] == 1"
    has "$err" '^vmconform: backend sim, profile win32, seed 1'
    has "$err" '1 passed, 0 failed' ;;
  progress-plain)  # stderr is a file: one plain line per property, nothing rewritten or coloured
    run 0 -- run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --rule WV-ROUNDTRIP
    has "$err" '^\[1/2\] WV-[A-Z]+  Wv[A-Za-z]+$'
    has "$err" '^\[2/2\] WV-[A-Z]+  Wv[A-Za-z]+$'
    lacks "$err" $'\r|\033'
    lacks "$out" $'\033'
    has "$out" '\(2 rules, [0-9.]+ (ms|s)\)$' ;;
  progress-terminal)  # on a terminal: the line is rewritten in place, with the elapsed time
    on_terminal tty.txt run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --rule WV-ROUNDTRIP
    has tty.txt $'\r\033\\[K'
    has tty.txt '\[2/2\] WV-[A-Z]+  Wv[A-Za-z]+.* [0-9.]+ (ms|s)'
    has tty.txt '2 passed, 0 failed' ;;
  color)
    run 0 -- run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --quiet --color=always
    has "$out" $'\033\\[32mpass *\033\\[0m'
    run 0 -- run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --quiet --color=never
    lacks "$out" $'\033'
    on_terminal tty.txt run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --quiet
    has tty.txt $'\033\\[32mpass'
    NO_COLOR=1 on_terminal tty-no-color.txt run --backend sim --seed 1 --cases 3 --rule WV-ATOMIC --quiet
    has tty-no-color.txt '1 passed'
    lacks tty-no-color.txt $'\033\\[[0-9;]*m'
    run 2 -- run --backend sim --color=sometimes
    has "$err" "^vmconform: --color takes auto, always or never, not 'sometimes'" ;;
  completion)
    run 0 -- completion bash
    cp "$out" completion.bash
    bash -n completion.bash || fail "the completion script does not parse"
    # complete WORDS...: COMPREPLY of the last word, one per line.
    complete_words() {
      bash -c 'source ./completion.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vmconform; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$@" >words.txt || fail "_vmconform failed on: $*"
    }
    complete_words vmconform r
    has words.txt '^run$'
    has words.txt '^replay$'
    has words.txt '^report$'
    complete_words vmconform run --pro
    [[ $(cat words.txt) == --profile ]] || fail "--pro did not complete to --profile: $(cat words.txt)"
    complete_words vmconform run --profile ""
    [[ $(sort words.txt | tr '\n' ' ') == "documented win32 " ]] || fail "profiles: $(cat words.txt)"
    complete_words vmconform run --backend mut
    has words.txt '^mutant:partial-write$'
    complete_words vmconform run --rule WV-AT
    [[ $(cat words.txt) == WV-ATOMIC ]] || fail "rules: $(cat words.txt)"
    complete_words vmconform run --color ""
    [[ $(sort words.txt | tr '\n' ' ') == "always auto never " ]] || fail "colours: $(cat words.txt)"
    # Every option of `run --help` is completed.
    "$vmconform" run --help | grep -Eo '^  --[a-z-]+' | tr -d ' ' | sort -u >help-options.txt
    complete_words vmconform run --
    sort -u words.txt >completed.txt
    missing="$(comm -23 help-options.txt completed.txt | tr '\n' ' ')"
    [[ -z $missing ]] || fail "options not completed: $missing"
    run 2 -- completion zsh
    has "$err" "only bash is supported, not 'zsh'" ;;
  *)
    fail "unknown scenario" ;;
esac
echo "ok: $scenario"
