#!/usr/bin/env bash
# deps.sh - installs the Debian 12 packages vmconform needs, if any is missing (idempotent).
# chromium renders index.html in ctest report.html.chromium; python3 checks JSON in the CLI tests;
# pkg-config reads the installed vmconform.pc in ctest install.consumer.
# Sourced by setup-and-run.sh and test.sh; needs root (or sudo) only when something is missing.
set -euo pipefail

# python3: the reference agent (agents/python); mingw-w64, wine, wine64: the Windows agent, built
# with the cross compiler and run under Wine (agents/windows); libunicorn-dev: the emulator
# backends unicorn and raw-unicorn (impl/backends/unicorn).
VMCONFORM_PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev googletest libgtest-dev
  librapidcheck-dev nlohmann-json3-dev libcli11-dev libbenchmark-dev chromium python3 mingw-w64 wine
  wine64 libunicorn-dev pkg-config)

vmconform_install_deps() {
  local missing=()
  for p in "${VMCONFORM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "vmconform: all build dependencies are installed"
    return 0
  fi
  echo "vmconform: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "vmconform: need root (or sudo) to install: ${missing[*]}" >&2; return 2; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
