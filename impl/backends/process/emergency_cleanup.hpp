// emergency_cleanup.hpp - what happens to our tracees if the suite is interrupted.
//
// Tracees register here while we hold them. On SIGINT, SIGTERM, SIGHUP or SIGQUIT the handler
// kills every own child (they exist only for us) and, for attached processes, waits briefly for
// a system-call injection in progress to finish restoring the tracee's registers, then lets the
// signal take its previous course; when our process dies the kernel detaches the remaining
// tracees and they resume exactly where they were (they rest in a PTRACE_EVENT_STOP, which
// delivers nothing on resumption). Own children also carry PTRACE_O_EXITKILL and
// PR_SET_PDEATHSIG, so they die with us whatever kills us. Everything in the handler is
// async-signal-safe: fixed slots of atomics, kill() and nanosleep().
#pragma once

#include <sys/types.h>

namespace vmc::process::emergency {

/// Registers a tracee; returns a slot (or -1 if all slots are taken: the tracee then relies on
/// EXITKILL / PDEATHSIG / the kernel's detach alone). Installs the handlers on first use.
int register_tracee(pid_t pid, bool own_child);
void unregister_tracee(int slot);

/// Bracket a system-call injection into an attached tracee. begin_injection returns false once
/// the process is terminating: the caller must then leave the tracee untouched.
bool begin_injection(int slot);
void end_injection(int slot);

/// True once an emergency signal has arrived (later operations fail fast).
bool terminating();

}  // namespace vmc::process::emergency
