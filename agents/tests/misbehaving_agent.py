#!/usr/bin/python3
"""misbehaving_agent.py - the reference agent, broken on purpose at its first `write` request.

`misbehaving_agent.py BEHAVIOUR`: exit (exits with status 3), crash (killed by SIGSEGV), hang
(never answers), garbage (prints a line that is not JSON), out-of-order (answers with another
id), refuse (answers {"error": ...}), missing-field (a write answered without "hr"), long-read
(a read longer than asked); hello-refuse and hello-hang misbehave at `hello` already (a setup
error). Before that it is the reference agent. agents/tests/misbehaving_agents_test.sh checks that
`vmconform run --agent` turns each into a target failure naming the rule and the request.

`misbehaving_agent.py flaky-start COUNTER STARTS`: counts its starts in the file COUNTER and, on
the starts listed in STARTS ("2,3": the second and the third), exits with status 1 before reading
anything, as a Wine process sometimes does (--agent-start-attempts); otherwise the reference agent.
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import reference_agent  # noqa: E402


def flaky_start(counter, starts):
    """Counts this start in `counter`; exits 1 if it is one of `starts` (comma-separated numbers)."""
    number = 1
    if os.path.exists(counter):
        with open(counter) as f:
            number = int(f.read() or "0") + 1
    with open(counter, "w") as f:
        f.write(str(number))
    if str(number) in starts.split(","):
        print("misbehaving_agent: failing start", number, file=sys.stderr, flush=True)
        sys.exit(1)


def main():
    behaviour, targets = sys.argv[1], {}
    if behaviour == "flaky-start":
        flaky_start(sys.argv[2], sys.argv[3])
    for line in sys.stdin:
        req = json.loads(line)
        reply = dict(reference_agent.answer(req, targets), id=req["id"])
        # flaky-start only fails to start: no request triggers it.
        trigger = (None if behaviour == "flaky-start" else "read" if behaviour == "long-read"
                   else "hello" if behaviour.startswith("hello-") else "write")
        if req["op"] == trigger:
            print("misbehaving_agent: misbehaving (" + behaviour + ") at request", req["id"], file=sys.stderr, flush=True)
            if behaviour == "exit":
                sys.exit(3)
            if behaviour == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            if behaviour in ("hang", "hello-hang"):
                time.sleep(3600)
            if behaviour == "garbage":
                sys.stdout.write("fixme:virtual:NtWriteVirtualMemory not implemented\n")
            elif behaviour == "out-of-order":
                sys.stdout.write(json.dumps(dict(reply, id=req["id"] + 1)) + "\n")
            elif behaviour in ("refuse", "hello-refuse"):
                sys.stdout.write(json.dumps({"id": req["id"], "error": "cannot write today"}) + "\n")
            elif behaviour == "missing-field":
                sys.stdout.write(json.dumps({"id": req["id"]}) + "\n")
            elif behaviour == "long-read":
                sys.stdout.write(json.dumps({"id": req["id"], "hr": "0x0", "data": "00" * (req["size"] + 1)}) + "\n")
            sys.stdout.flush()
            continue
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if req["op"] == "bye":
            return


if __name__ == "__main__":
    main()
