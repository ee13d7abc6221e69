// emergency_cleanup.hpp - what happens to our tracees if the suite is interrupted.
//
// Tracees register here while we hold them. When SIGINT, SIGTERM, SIGHUP or SIGQUIT is about to
// end the process with its default action, the handler first kills every own child (they exist
// only for us) and, for attached processes, waits briefly for a system-call injection in
// progress to finish restoring the tracee's registers; then the signal ends the process and the
// kernel detaches the remaining tracees, which resume exactly where they were (they rest in a
// PTRACE_EVENT_STOP, which delivers nothing on resumption). If the program installed its own
// handler before us, that handler is simply called: the program stays in charge and destroys its
// targets normally. Own children also carry PTRACE_O_EXITKILL and PR_SET_PDEATHSIG, so they die
// with us whatever kills us. Everything in the handler is async-signal-safe: fixed slots of
// atomics, sigaction(), raise(), kill() and nanosleep().
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
