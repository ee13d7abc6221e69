#!/usr/bin/env bash
# wine_setup.sh - the Wine prefix of the Wine tests: `start PREFIX` creates it if it does not exist
# yet (wineboot: several seconds, once per build tree) and starts a wineserver that stays up while
# the tests run (so no test pays for starting one, and none is killed with an agent's process
# group); `stop PREFIX` ends that wineserver. ctest runs them as the fixture of the agent.wine.*
# tests, outside their time limits.
set -euo pipefail
action="$1"; prefix="$2"
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
case "$action" in
  start)
    mkdir -p "$(dirname "$prefix")"
    if [ ! -f "$prefix/system.reg" ]; then
      start=$SECONDS
      wineboot -i < /dev/null > /dev/null 2>&1 || true
      wineserver -w < /dev/null > /dev/null 2>&1
      [ -f "$prefix/system.reg" ] || { echo "wine_setup: wineboot did not create $prefix"; exit 1; }
      echo "wine_setup: created the Wine prefix $prefix in $((SECONDS - start)) s"
    fi
    # persistent: stays 120 s after its last client; its output goes nowhere, or ctest would wait
    # for the end of the fixture's output until the wineserver exits.
    # A wineserver already up for this prefix (a run by hand, an earlier ctest within its 120 s)
    # makes -p fail: end it and start ours.
    if ! wineserver -p120 < /dev/null > /dev/null 2>&1; then
      wineserver -k < /dev/null > /dev/null 2>&1 || true
      wineserver -w < /dev/null > /dev/null 2>&1 || true
      wineserver -p120 < /dev/null > /dev/null 2>&1 || { echo "wine_setup: cannot start a wineserver for $prefix"; exit 1; }
    fi
    echo "wine_setup: wineserver running for $prefix"
    ;;
  stop)
    wineserver -k < /dev/null > /dev/null 2>&1 || true
    ;;
  *) echo "usage: wine_setup.sh start|stop PREFIX" >&2; exit 2 ;;
esac
