#!/usr/bin/env bash
# html_report_test.sh - ctest test report.html.chromium: index.html looked at in a real browser.
# `vmconform run --report` writes index.html beside report.json; `vmconform report` writes one page
# from the sample reports of conformance/tests/data/html/ (sim passing, a mutant failing, the
# example plugin) with the figures of reports/benchmarks/. The page must load nothing from
# elsewhere; headless Chromium (Debian's `chromium`, installed by tools/deps.sh) renders it: the
# DOM after its script ran must show the headline the script writes, the status counts, the
# failing rule with its op-sequence counterexample and reproducer, and the plots (with the
# coverage over executions of a sample libFuzzer log, --fuzz-log). A screenshot
# goes to reports/screenshots/html-report.png (the README shows it; the sample inputs are fixed,
# so it changes only when the page does). Without Chromium the test fails, saying how to install it.
# Usage: html_report_test.sh VMCONFORM SOURCE_DIR SCRATCH_DIR
set -uo pipefail
vmconform="$1" src="$2" scratch="$3"
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

browser=""
for b in chromium chromium-headless-shell chromium-browser; do
  command -v "$b" >/dev/null && { browser="$(command -v "$b")"; break; }
done
[[ -n $browser ]] || fail "Chromium is not installed: this test renders index.html in it. Install it with tools/deps.sh (or: apt-get install chromium)"

# 1. run --report writes index.html beside the other reports.
"$vmconform" run --backend sim --quick --cases 5 --seed 1 --quiet --report "$scratch/run" >"$scratch/run.log" 2>&1 ||
  fail "vmconform run --report failed: $(tail -n 3 "$scratch/run.log")"
[[ -s $scratch/run/index.html ]] || fail "run --report wrote no index.html"

# 2. One page from the sample runs.
data="$src/conformance/tests/data/html"
page="$scratch/page/index.html"
mkdir -p "$scratch/page"
# A libFuzzer log as `vmconform fuzz` keeps it (fuzz.log): coverage over executions.
printf '#2\tINITED cov: 120 ft: 130 corp: 8/90b exec/s: 0 rss: 40Mb\n#4096\tpulse  cov: 180 ft: 260 corp: 20/300b exec/s: 2048 rss: 41Mb\n#65536\tpulse  cov: 231 ft: 400 corp: 41/900b exec/s: 3276 rss: 44Mb\n' \
  >"$scratch/fuzz.log"
"$vmconform" report "$data/sim-win32" "$data/partial-write-win32" "$data/example-c-documented" --out "$page" \
  --benchmarks "$src/reports/benchmarks" --fuzz-log "$scratch/fuzz.log" --title "vmconform report (sample runs)" \
  >"$scratch/report.log" 2>&1 ||
  fail "vmconform report failed: $(cat "$scratch/report.log")"
grep -q "wrote $page: 3 runs, 4 failing rules" "$scratch/report.log" || fail "unexpected summary: $(cat "$scratch/report.log")"

# Self-contained: no reference to another file or to the network.
if grep -Eo '(src|href)="[^"#][^"]*"|<link |@import|url\(' "$page" | grep -v '^href="#' | head -n 3 | grep -q .; then
  fail "the page refers to something outside itself: $(grep -Eo '(src|href)="[^"#][^"]*"|<link |@import|url\(' "$page" | head -n 3)"
fi

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --disable-extensions --user-data-dir="$scratch/profile" --hide-scrollbars)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" >"$scratch/dom.html" 2>"$scratch/chromium.log" ||
  fail "chromium --dump-dom failed: $(tail -n 5 "$scratch/chromium.log")"

dom="$scratch/dom.html"
check() {  # check REGEX WHAT
  grep -Eq -- "$1" "$dom" || fail "the rendered page lacks $2 (/$1/)"
}
check '<div id="headline" class="bad">4 failing rules in 1 run of 3</div>' "the headline the script writes"
check '<b id="total-fail">4</b>' "the count of failing rules"
check '<b id="total-pass">[0-9]+</b>' "the count of passing rules"
check 'WV-ATOMIC <span class="mute">in mutant:partial-write \(win32\)' "the failing rule"
check '<pre class="counterexample">vmconform-opseq 1' "an op-sequence counterexample"
check '<code class="reproducer">vmconform run --backend mutant:partial-write' "the reproducer"
check 'If a WriteVirtual fails' "the rule's sentence from spec/rules.json"
check '<svg role="img" aria-label="rules by status, per operation and target"' "the pass/fail plot"
check 'aria-label="coverage cells of sim \(win32\)' "the coverage plot"
check 'Mutation score' "the mutation score figure"
check 'Fuzzing: executions per second' "the fuzzing figure"
check '<svg role="img" aria-label="Fuzzing: coverage over executions"' "the fuzzing log's coverage plot"

# The screenshot the README shows.
shots="$src/reports/screenshots"
mkdir -p "$shots"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,2200 --screenshot="$scratch/html-report.png" "file://$page" \
  >>"$scratch/chromium.log" 2>&1 || fail "chromium --screenshot failed: $(tail -n 5 "$scratch/chromium.log")"
[[ $(head -c 8 "$scratch/html-report.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "the screenshot is not a PNG"
(( $(stat -c %s "$scratch/html-report.png") > 20000 )) || fail "the screenshot is suspiciously small"
cmp -s "$scratch/html-report.png" "$shots/html-report.png" || cp "$scratch/html-report.png" "$shots/html-report.png"
echo "ok: rendered in $browser; screenshot $shots/html-report.png"
