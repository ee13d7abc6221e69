#!/bin/sh
# with_other_process.sh - runs a command against another process: starts `sleep` (its output
# detached, so whoever reads the command's output is not kept waiting by it), replaces @PID@ in
# the arguments (once per argument: "pid=@PID@") with its process id, runs the command, stops the
# sleeper and exits with the command's status. Used by the ctests of plugins whose memory lives in
# process N (pid=N in their options).
sleep 600 </dev/null >/dev/null 2>&1 &
sleeper=$!
trap 'kill "$sleeper" 2>/dev/null' EXIT
for arg in "$@"; do
  shift
  case "$arg" in *@PID@*) arg="${arg%%@PID@*}$sleeper${arg#*@PID@}" ;; esac
  set -- "$@" "$arg"
done
"$@"
