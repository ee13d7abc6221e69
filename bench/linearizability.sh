#!/usr/bin/env bash
# bench/linearizability.sh - reports/benchmarks/linearizability.md: the figures of X-LINEARIZABLE's
# checker (vmconform_bench_linearizability: histories checked per second, the largest history
# checked within 1 s with and without partitioning) and the share of the default run's time the
# property takes on native, sim and the example C plugin (seeds 1-5: the default run timed whole,
# then with --rule X-LINEARIZABLE alone). Builds in the Release directory of bench/run.sh.
#
# Usage: bench/linearizability.sh [BUILD_DIR]     (default: build/bench)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/bench}"
out="$root/reports/benchmarks/linearizability.md"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVMCONFORM_BUILD_BENCHMARKS=ON \
  -DVMCONFORM_BUILD_TESTS=OFF -DVMCONFORM_WARNINGS_AS_ERRORS=OFF >/dev/null
ninja -C "$build" vmconform_bench_linearizability vmconform vmc_example_c >/dev/null
"$build/bench/vmconform_bench_linearizability" "$out" "${LIN_SECONDS:-10}" >/dev/null
plugin="$(find "$build" -name 'libvmc_example_c.so' | head -n1)"
{
  echo
  echo "## Share of the default run (seeds 1-5, median)"
  echo
  echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores."
  echo
  echo "| target | default run | X-LINEARIZABLE alone | share |"
  echo "|---|---|---|---|"
  scratch="$(mktemp -d)"
  for target in "--backend native" "--backend sim" "--plugin $plugin"; do
    whole=() alone=()
    for seed in 1 2 3 4 5; do
      # shellcheck disable=SC2086
      /usr/bin/time -f %e -o "$scratch/whole" "$build/conformance/vmconform" run $target --seed "$seed" --quiet >/dev/null 2>&1 || true
      # shellcheck disable=SC2086
      /usr/bin/time -f %e -o "$scratch/alone" "$build/conformance/vmconform" run $target --seed "$seed" --quiet \
        --rule X-LINEARIZABLE >/dev/null 2>&1 || true
      whole+=("$(tail -n1 "$scratch/whole")") alone+=("$(tail -n1 "$scratch/alone")")
    done
    w="$(printf '%s\n' "${whole[@]}" | sort -g | sed -n 3p)"
    a="$(printf '%s\n' "${alone[@]}" | sort -g | sed -n 3p)"
    name="${target#--backend }"; name="${name#--plugin "$build"/}"
    echo "| $name | $w s | $a s | $(awk -v a="$a" -v w="$w" 'BEGIN { printf "%.0f %%", 100 * a / w }') |"
  done
  rm -rf "$scratch"
} >>"$out"
cat "$out"
