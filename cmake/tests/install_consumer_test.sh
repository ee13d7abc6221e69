#!/usr/bin/env bash
# install_consumer_test.sh - ctest install.consumer: an implementer's project gates on an
# installed vmconform. It installs this build into a scratch prefix (cmake --install --prefix)
# and checks the tree (the binary, the headers of impl/include/, the CMake package, vmconform.pc),
# that the installed binary names nothing of the build tree and runs from the prefix, then
# configures plugins/examples/consumer against the prefix (find_package(vmconform)), builds it
# and runs its ctest, which must pass and leave report.json and junit.xml in its build tree; the
# same project with MY_PLUGIN_PARTIAL_WRITE (a planted WV-ATOMIC bug) must fail its ctest with
# WV-ATOMIC failing; wrong vmconform_add_test calls must stop the configure with their message
# (add_test_errors/); `pkg-config --cflags vmconform` must give an include directory that
# compiles against plugin.h. Without pkg-config it exits 77 (ctest: skipped), saying so, after
# every other check passed.
# Usage: install_consumer_test.sh SOURCE_DIR BUILD_DIR SCRATCH_DIR C_COMPILER
set -uo pipefail
src="$1" build="$2" scratch="$3" cc="$4"
prefix="$scratch/prefix"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
# Runs a command quietly; on failure shows its output's end and counts a failure.
quiet() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then ok "$what"; return 0; fi
  fail "$what: $*"
  echo "$out" | tail -n 25 | sed 's/^/  | /'
  return 1
}

rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
quiet "cmake --install into $prefix" cmake --install "$build" --prefix "$prefix" || { echo "install failed"; exit 1; }

# The installed tree.
for f in bin/vmconform include/vmconform/plugin.h include/vmconform/com/interfaces.h include/vmconform/com/adapters.hpp \
         share/pkgconfig/vmconform.pc; do
  [[ -f $prefix/$f ]] || fail "not installed: $f"
done
config="$(find "$prefix" -name vmconformConfig.cmake -path '*/cmake/vmconform/*')"
[[ -n $config ]] || fail "not installed: lib*/cmake/vmconform/vmconformConfig.cmake"
for f in vmconformConfigVersion.cmake vmconformTargets.cmake vmconformAddTest.cmake; do
  [[ -f $(dirname "$config")/$f ]] || fail "not installed: $(dirname "${config#"$prefix"/}")/$f"
done
# Nothing outside impl/include/ is installed as a header.
extra="$(cd "$prefix/include" && find . -type f | sed 's|^\./||' | sort | comm -23 - <(cd "$src/impl/include" && find . -type f | sed 's|^\./||' | sort))"
[[ -z $extra ]] || fail "headers installed that are not in impl/include/: $extra"

# The installed binary: no path of the build tree (RUNPATH, a shared library of this build), and
# it runs from the prefix.
vm="$prefix/bin/vmconform"
if grep -qF "$build" <(readelf -d "$vm" 2> /dev/null; ldd "$vm" 2>&1); then
  fail "the installed vmconform names the build tree:"
  { readelf -d "$vm" | grep -i path; ldd "$vm"; } | grep -F "$build" | sed 's/^/  | /'
else
  ok "the installed vmconform needs nothing of the build tree ($(ldd "$vm" | grep -c '=>') shared libraries, all of the system)"
fi
quiet "installed vmconform --version" "$vm" --version
quiet "installed vmconform run --plugin (workers re-execute the installed binary)" \
  "$vm" run --plugin "$build/plugins/libvmc_example_c.so" --quick --cases 5 --seed 1 --quiet --rule WV-ATOMIC

# The consumer project, against the prefix only.
consumer="$src/plugins/examples/consumer"
configure() {  # configure DIR [-D...]
  local dir="$1"
  shift
  quiet "configure the consumer in ${dir#"$scratch"/} $*" \
    cmake -S "$consumer" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" "$@" &&
    quiet "build the consumer in ${dir#"$scratch"/}" cmake --build "$dir"
}
if configure "$scratch/consumer"; then
  started=$SECONDS
  quiet "the consumer's ctest passes ($(ctest --test-dir "$scratch/consumer" -N | grep -c 'Test *#') tests)" \
    ctest --test-dir "$scratch/consumer" --output-on-failure
  echo "  (the consumer's ctest took $((SECONDS - started)) s)"
  for t in my_plugin.win32 my_plugin.documented; do
    for f in report.json report.md junit.xml index.html; do
      [[ -s $scratch/consumer/vmconform/$t/$f ]] || fail "the consumer's test $t wrote no vmconform/$t/$f"
    done
  done
  grep -q -- "--quick" "$scratch/consumer/CTestTestfile.cmake" || fail "the consumer's tests do not pass ARGS --quick"
fi
# The negative check: a planted bug makes the consumer's ctest fail, on WV-ATOMIC.
if configure "$scratch/consumer-broken" -DMY_PLUGIN_PARTIAL_WRITE=ON; then
  if out="$(ctest --test-dir "$scratch/consumer-broken" --output-on-failure 2>&1)"; then
    fail "the consumer's ctest passed with a plugin whose writes are not atomic (MY_PLUGIN_PARTIAL_WRITE)"
    echo "$out" | tail -n 15 | sed 's/^/  | /'
  elif ! grep -q "FAIL WV-ATOMIC" <<<"$out" || ! grep -q '"WV-ATOMIC"' "$scratch/consumer-broken/vmconform/my_plugin.win32/report.json" ||
       ! grep -q "0% tests passed" <<<"$out"; then
    fail "the consumer's ctest failed with the planted bug, but not both tests on WV-ATOMIC:"
    echo "$out" | tail -n 25 | sed 's/^/  | /'
  else
    ok "the consumer's ctest fails with the planted bug (both tests, FAIL WV-ATOMIC)"
  fi
fi

# Wrong calls stop the configure with a clear message.
errors_project="$(dirname "${BASH_SOURCE[0]}")/add_test_errors"
expect_error() {  # expect_error CALL MESSAGE
  local out
  # CMake wraps messages: compare them as one line.
  if out="$(cmake -S "$errors_project" -B "$scratch/errors" -DCMAKE_PREFIX_PATH="$prefix" -DVMCONFORM_TEST_CALL="$1" 2>&1)"; then
    fail "vmconform_add_test($1) was accepted"
  elif ! tr -s ' \n' ' ' <<<"$out" | grep -qF -- "$2"; then
    fail "vmconform_add_test($1) failed without saying '$2':"
    echo "$out" | tail -n 10 | sed 's/^/  | /'
  else
    ok "vmconform_add_test($1): $(tr -s ' \n' ' ' <<<"$out" | grep -o 'vmconform_add_test[(:][^)]*)\?:\? [^(]*' | head -n 1 | sed 's/ Call Stack.*//')"
  fi
  rm -rf "$scratch/errors"
}
expect_error "PLUGIN a_module" "NAME is required"
expect_error "NAME t PLUGIN my_plugin" "PLUGIN 'my_plugin' is not a target"
expect_error "NAME t" "PLUGIN is required"
expect_error "NAME t PLUGIN not_a_module" "a plugin is a shared object"
expect_error "NAME t PLUGIN a_module PROFILE posix" "is not a profile"
expect_error "NAME \"a b\" PLUGIN a_module" "must be letters, digits"
expect_error "NAME t PLUGIN a_module SEED -1" "is neither a number nor 'random'"
expect_error "NAME t PLUGIN a_module BASELINE missing.json" "does not exist"
expect_error "NAME t PLUGIN a_module ARGS --quick --report=x" "ARGS must not contain --report"
expect_error "NAME t PLUGIN a_module PROFILE" "PROFILE given without a value"

# pkg-config, for other build systems.
skip=""
if ! command -v pkg-config > /dev/null; then
  skip="pkg-config is not installed (tools/deps.sh installs it): vmconform.pc was not checked"
else
  export PKG_CONFIG_PATH="$prefix/share/pkgconfig"
  if ! cflags="$(pkg-config --cflags vmconform 2>&1)"; then
    fail "pkg-config --cflags vmconform: $cflags"
  elif [[ $cflags != *-I* ]]; then
    fail "pkg-config --cflags vmconform gives no include directory: '$cflags'"
  else
    # shellcheck disable=SC2086 # word splitting of the flags is intended
    quiet "pkg-config --cflags vmconform ($cflags) compiles a file including vmconform/plugin.h" \
      "$cc" $cflags -fsyntax-only -x c - <<<'#include <vmconform/plugin.h>
int main(void) { return VMC_PLUGIN_ABI_VERSION > 0 ? 0 : 1; }'
    [[ -x $(pkg-config --variable=vmconform vmconform) ]] || fail "pkg-config --variable=vmconform vmconform is not the installed binary"
    [[ -z $(pkg-config --libs vmconform) ]] || fail "pkg-config --libs vmconform is not empty: $(pkg-config --libs vmconform)"
  fi
fi

if [[ $failures != 0 ]]; then
  echo "install.consumer: $failures failed"
  exit 1
fi
if [[ -n $skip ]]; then
  echo "SKIP: $skip; every other check passed"
  exit 77
fi
echo "install.consumer: every check passed"
