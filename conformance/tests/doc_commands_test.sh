#!/usr/bin/env bash
# doc_commands_test.sh - ctest tests docs.commands.*: every command of a document's ```sh blocks
# runs against this build, so the docs cannot rot. The commands are extracted from the document
# itself (a line ending in "\" continues on the next; "# ..." after a command is a comment), the
# documented placeholders below are substituted, and each command runs in a scratch directory
# holding a copy of corpus/fuzz_native and corpus/fuzz_plugin. A command must exit 0 - or 1 for
# `run`, `compare` and `replay`, whose documented results include findings - unless a rule below
# says otherwise; a command no rule knows how to run fails the test, so a new command in a
# document needs a rule here (and a placeholder documented in CONTRIBUTING.md, "Documented
# commands").
#
# Placeholders (substituted as text, before the shell sees the command):
#   vmconform, build/dev/conformance/vmconform, build/fuzz/conformance/vmconform -> this build's vmconform
#   ./libmyplugin.so, build/libmyplugin.so, $PWD/libmyplugin.so -> this build's example C plugin
#   build/fuzz/fuzz/NAME, build/dev/fuzz/NAME -> this build's fuzz target NAME (the standalone main:
#       it runs each input once and ignores libFuzzer's -flags)
#   $PWD/build/fuzz/plugins/, build/dev/plugins/ -> this build's plugins/
#   pid=1234 -> the pid of a sleeping child process (another process to attach to)
#   python3 agents/... -> the source tree's agents/ (the reference agent), run by /usr/bin/python3
#       when it exists (the interpreter of the agent.python tests and of a Debian machine; a python3
#       earlier on PATH may be a version manager's shim that costs a process tree per start)
#   artifacts/crash-<sha1> -> fuzz_native's input of fuzz/seeds/decommit-recommit.opseq (the standalone main minimises nothing,
#       so min.bin is made a copy of it when the command did not write it)
#   main-report.json -> the report.json of an earlier command of the same document (out/report.json)
#   machineA/corpus, machineB/corpus -> two directories of a few corpus inputs
#   reports/benchmarks -> the source tree's
#   vmconform run ... (without --quick or --depth, --cases) -> vmconform run --quick --cases 2 ...
#   /opt/vmconform (an install prefix) -> a directory of the scratch directory; `cmake --install
#       build/dev` installs this build there, and `cmake -S plugins/examples/consumer` configures
#       the source tree's consumer example; its `ctest --test-dir build/consumer` runs with -N
#       (the consumer's tests are registered; ctest install.consumer builds and runs them, and
#       again with a planted bug they must catch)
#   --time 600 / --time 60 -> --time 1; VMCONFORM_FUZZERS_DIR is an empty directory, so
#       `vmconform fuzz` finds no libFuzzer binary and exits 2 saying so (expected)
# Commands checked rather than run (CI runs them for real):
#   bash tools/setup-and-run.sh, bash tools/test.sh -> `bash -n` (syntax) and the script exists
#   cmake --preset fuzz && cmake --build --preset fuzz ... -> the preset exists and this build has
#       the target all_fuzzers
# Usage: doc_commands_test.sh DOCUMENT SOURCE_DIR BUILD_DIR SCRATCH_DIR
set -uo pipefail
doc="$1" src="$2" build="$3" scratch="$4"
vmconform="$build/conformance/vmconform"
python3=python3
[[ -x /usr/bin/python3 ]] && python3=/usr/bin/python3
plugin="$build/plugins/libvmc_example_c.so"
# pid=1234 in the docs names "another process": a sleeping child of this script stands in for it.
sleep 3600 &
other=$!
trap 'kill "$other" 2> /dev/null || true' EXIT
rm -rf "$scratch" && mkdir -p "$scratch/corpus" "$scratch/fuzzers" || exit 1
cp -r "$src/corpus/fuzz_native" "$src/corpus/fuzz_plugin" "$src/corpus/opseq.dict" "$scratch/corpus/"
# The artifact: the fuzz_native input of a hand-written seed (corpus/seeds.tsv names its source).
artifact="$(awk -F'\t' '$2 == "fuzz_native" && $3 == "decommit-recommit.opseq" {print $1}' "$src/corpus/seeds.tsv")"
[[ -n $artifact ]] || { echo "FAIL: corpus/seeds.tsv has no fuzz_native input of decommit-recommit.opseq"; exit 1; }
mkdir -p "$scratch/artifacts" "$scratch/machineA/corpus" "$scratch/machineB/corpus"
cp "$scratch/corpus/fuzz_native/$artifact" "$scratch/artifacts/crash-sample"
for f in $(ls "$scratch/corpus/fuzz_native" | sed -n '2,4p'); do cp "$scratch/corpus/fuzz_native/$f" "$scratch/machineA/corpus/"; done
for f in $(ls "$scratch/corpus/fuzz_native" | sed -n '5,7p'); do cp "$scratch/corpus/fuzz_native/$f" "$scratch/machineB/corpus/"; done
export VMCONFORM_FUZZERS_DIR="$scratch/fuzzers"
cd "$scratch" || exit 1

# The commands of the document, one per line (continuations joined, comments dropped).
mapfile -t commands < <(awk '
  /^ *```sh/ { on = 1; next }
  /^ *```/ { on = 0; next }
  on {
    line = $0; sub(/^ +/, "", line)
    if (cont != "") { line = cont " " line; cont = "" }
    if (line ~ /\\$/) { sub(/ *\\$/, "", line); cont = line; next }
    sub(/[ \t]+#.*$/, "", line)
    if (line ~ /^#/ || line ~ /^ *$/) next
    print line
  }' "$src/$doc")
[[ ${#commands[@]} -gt 0 ]] || { echo "FAIL: no \`\`\`sh command found in $doc"; exit 1; }

failures=0
for original in "${commands[@]}"; do
  cmd="$original" expect="0" why=""
  case "$cmd" in
    "bash tools/"*.sh)
      script="${cmd#bash }"
      cmd="test -f '$src/$script' && bash -n '$src/$script'"
      why=" (checked: the script exists and parses; CI runs it)" ;;
    "cmake --preset fuzz && cmake --build --preset fuzz"*)
      cmd="grep -q '\"name\": \"fuzz\"' '$src/CMakePresets.json' && cmake --build '$build' --target help | grep -q '^all_fuzzers:'"
      why=" (checked: the preset exists and the build has all_fuzzers)" ;;
  esac
  # Placeholders.
  cmd="${cmd//\$PWD\/build\/fuzz\/plugins\//$build/plugins/}"
  cmd="${cmd//\$PWD\/libmyplugin.so/$plugin}"
  cmd="${cmd//build\/dev\/conformance\/vmconform/$vmconform}"
  cmd="${cmd//build\/fuzz\/conformance\/vmconform/$vmconform}"
  cmd="${cmd//build\/dev\/fuzz\//$build/fuzz/}"
  cmd="${cmd//build\/fuzz\/fuzz\//$build/fuzz/}"
  cmd="${cmd//.\/libmyplugin.so/$plugin}"
  cmd="${cmd//build\/libmyplugin.so/$plugin}"
  cmd="${cmd// build\/dev\/plugins\// $build/plugins/}"
  cmd="${cmd//pid=1234/pid=$other}"
  cmd="${cmd//python3 agents\//$python3 $src/agents/}"
  cmd="${cmd//\/opt\/vmconform/$scratch/opt/vmconform}"
  cmd="${cmd//cmake --install build\/dev /cmake --install $build }"
  cmd="${cmd//-S plugins\/examples\/consumer /-S $src/plugins/examples/consumer }"
  if [[ $cmd == *"ctest --test-dir build/consumer"* ]]; then
    cmd="${cmd//ctest --test-dir build\/consumer/ctest -N --test-dir build/consumer}"
    why=" (ctest -N: the tests are registered; ctest install.consumer runs them)"
  fi
  cmd="${cmd//artifacts\/crash-<sha1>/artifacts/crash-sample}"
  cmd="${cmd//--benchmarks reports\/benchmarks/--benchmarks $src/reports/benchmarks}"
  cmd="${cmd//--time 600/--time 1}"
  cmd="${cmd//--time 60/--time 1}"
  [[ $cmd == vmconform\ * ]] && cmd="$vmconform ${cmd#vmconform }"
  # A `run` here shows that the command works as written, not what the default depth finds (the
  # suite's own tests run that): without --quick or --depth it runs with --quick, and without
  # --cases with --cases 2 (every property still runs; the plugins.*, agent.* and backend tests
  # run the suite in full).
  if [[ $original == *"vmconform run "* && $cmd != *"--quick"* && $cmd != *"--depth"* ]]; then
    cmd="${cmd/ run / run --quick }"
    why=" (with --quick)"
  fi
  if [[ $original == *"vmconform run "* && $cmd != *"--cases"* ]]; then
    cases=2
    cmd="${cmd/ run / run --cases $cases }"
    why+=" (with --cases $cases)"
  fi
  [[ $cmd == *"main-report.json"* ]] && { [[ -f out/report.json ]] && cp out/report.json main-report.json; }
  case "$original" in
    *"vmconform fuzz "*) expect="2" ;;  # no libFuzzer binary in this build (VMCONFORM_FUZZERS_DIR)
    *"vmconform run "* | *"conformance/vmconform run "* | *"vmconform compare "* | *"vmconform replay "* | \
      *"conformance/vmconform replay "*) expect="0|1" ;;
  esac
  started=$SECONDS
  output="$(bash -c "$cmd" 2>&1)"
  code=$?
  # The standalone main does not minimise: stand in the minimised artifact with the input itself.
  [[ $original == *"-exact_artifact_path=min.bin"* && ! -f min.bin ]] && cp artifacts/crash-sample min.bin
  if [[ "|$expect|" != *"|$code|"* ]]; then
    echo "FAIL: exit $code (expected $expect): $original"
    echo "  ran: $cmd"
    echo "$output" | tail -n 15 | sed 's/^/  | /'
    failures=$((failures + 1))
  elif [[ $expect == 2 ]] && ! grep -q "no libFuzzer binary of fuzz_[a-z_]* found" <<<"$output"; then
    echo "FAIL: exit 2 without the expected 'no libFuzzer binary' message: $original"
    echo "$output" | tail -n 5 | sed 's/^/  | /'
    failures=$((failures + 1))
  else
    echo "ok (exit $code, $((SECONDS - started)) s)$why: $original"
  fi
done
echo "$doc: ${#commands[@]} commands, $failures failed"
[[ $failures == 0 ]]
