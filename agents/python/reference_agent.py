#!/usr/bin/python3
"""reference_agent.py - the agent protocol's reference agent (spec/agent-protocol.md), in Python 3.

A simple correct implementation of the three operations (Win32 semantics, the win32 profile of
spec/profiles.md, the same rules as plugins/examples/c/tiny_vm.c) over a simulated address space,
behind the `vmconform-agent/1` loop: read a JSON line on stdin, answer one on stdout. It shows
that any language can be checked with `vmconform run --agent "python3 agents/python/reference_agent.py"`.
Standard library only; every target is its own address space, so it offers no foreign memory.
`reference_agent.py --bench SECONDS` runs bench/agent_bench.cpp's mix in process instead;
`--operations WriteVirtual,ReadVirtual --interface ICorDebugMutableDataTarget` makes it say it is a
partial implementation (the host then skips the other operations' rules).
"""
import json
import sys

PAGE, GRAN, LOW, HIGH = 0x1000, 0x10000, 0x10000, 0x7FFFFFFEFFFF
COMMIT, RESERVE, DECOMMIT, RELEASE, FREE, PRIVATE, RESET, TOP_DOWN = (
    0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x80000, 0x100000)
NOACCESS, GUARD, NOCACHE, WCOMBINE = 0x01, 0x100, 0x200, 0x400
S_OK, E_INVALIDARG, NO_MEMORY, INVALID_ADDRESS = 0, 0x80070057, 0x80070008, 0x800701E7
PARTIAL_COPY, NOACCESS_HR, INVALID_OP, CLR_GONE, E_FAIL = 0x8007012B, 0x800703E6, 0x80131022, 0x80131023, 0x80004005
down = lambda a, n=PAGE: a - a % n
up = lambda a, n=PAGE: down(a + n - 1, n)


def valid_protection(p):
    base, mods = p & 0xFF, p & ~0xFF
    if base not in (0x01, 0x02, 0x04, 0x10, 0x20, 0x40) or mods & ~(GUARD | NOCACHE | WCOMBINE):
        return False
    if base == NOACCESS and mods or mods & GUARD and mods & (NOCACHE | WCOMBINE):
        return False
    return not (mods & NOCACHE and mods & WCOMBINE)


class Space:
    """Reservations {base: [size, allocation_protect]} and pages {address: [protect, bytearray or None]}."""

    def __init__(self):
        self.regions, self.pages, self.fault, self.dead = {}, {}, None, False

    def region(self, a):
        return next((b for b, (size, _) in self.regions.items() if b <= a < b + size), None)

    def conflicts(self, base, end):
        return any(base < up(b + size, GRAN) and b < end for b, (size, _) in self.regions.items())

    def allocate(self, address, size, type_, protect):
        kind = type_ & ~TOP_DOWN
        if type_ & ~(COMMIT | RESERVE | RESET | TOP_DOWN) or kind not in (COMMIT, RESERVE, COMMIT | RESERVE, RESET):
            return E_INVALIDARG, 0
        if kind == RESET and type_ != RESET or size == 0 or not valid_protection(protect):
            return E_INVALIDARG, 0
        if address and (address < LOW or address + size - 1 > HIGH):
            return E_INVALIDARG, 0
        first, end = down(address), up(address + size)
        if kind == RESET or (address and not kind & RESERVE):  # inside one reservation
            if kind == RESET and address == 0:
                return E_INVALIDARG, 0
            base = self.region(first)
            if base is None or end > base + self.regions[base][0]:
                return INVALID_ADDRESS, 0
            for p in range(first, end, PAGE) if kind == COMMIT else ():
                self.pages[p] = [protect, self.pages[p][1] if p in self.pages else None]
            return S_OK, first
        if address == 0:
            size = up(size)
            first = next((b for b in range(0x10000000, HIGH - size, GRAN) if not self.conflicts(b, b + size)), None)
            if first is None:
                return NO_MEMORY, 0
            end = first + size
        first = down(first, GRAN)
        if self.conflicts(first, end):
            return INVALID_ADDRESS, 0
        self.regions[first] = [end - first, protect]
        for p in range(first, end, PAGE) if kind & COMMIT else ():
            self.pages[p] = [protect, None]
        return S_OK, first

    def free(self, address, size, type_):
        if self.dead:
            return CLR_GONE
        if self.fault is not None:
            hr, self.fault = self.fault, None
            self.dead = hr == E_FAIL
            return hr
        if type_ not in (DECOMMIT, RELEASE) or type_ == RELEASE and size:
            return E_INVALIDARG
        base = self.region(address)
        if base is None:
            return INVALID_OP
        rsize = self.regions[base][0]
        if type_ == RELEASE or size == 0:
            if down(address) != base:
                return INVALID_ADDRESS
            first, end = base, base + rsize
            if type_ == RELEASE:
                del self.regions[base]
        else:
            first, end = down(address), up(address + size)
            if end > base + rsize:
                return E_INVALIDARG
        for p in range(first, end, PAGE):
            self.pages.pop(p, None)
        return S_OK

    def access(self, p, write):
        page = self.pages.get(p)
        ok = page and not page[0] & GUARD and (page[0] & 0xFF) in ((0x04, 0x40, 0x10, 0x20) if write else (2, 4, 0x10, 0x20, 0x40))
        return page if ok else None

    def write(self, address, data):
        if not data:
            return S_OK
        if address + len(data) - 1 > 0xFFFFFFFFFFFFFFFF or not all(
                self.access(p, True) for p in range(down(address), address + len(data), PAGE)):
            return NOACCESS_HR
        done = 0
        while done < len(data):
            page, at = self.pages[down(address + done)], (address + done) % PAGE
            n = min(len(data) - done, PAGE - at)
            page[1] = page[1] or bytearray(PAGE)
            page[1][at:at + n] = data[done:done + n]
            done += n
        return S_OK

    def read(self, address, size):
        out = bytearray()
        while len(out) < size and (page := self.access(down(address + len(out)), False)):
            at = (address + len(out)) % PAGE
            n = min(size - len(out), PAGE - at)
            out += page[1][at:at + n] if page[1] else bytes(n)
        return (S_OK if out or size == 0 else PARTIAL_COPY), bytes(out)

    def query(self, address):
        if address > HIGH:
            return {"hr": hex(E_INVALIDARG)}
        p = down(address)
        base = self.region(p)
        if base is None:
            end = min([b for b in self.regions if b > p] + [HIGH + 1])
            return {"hr": "0x0", "base": hex(p), "allocation_base": "0x0", "region_size": hex(end - p),
                    "allocation_protect": 0, "state": FREE, "protect": NOACCESS, "type": 0}
        size, aprot = self.regions[base]
        key = lambda q: self.pages[q][0] if q in self.pages else None
        end = next((q for q in range(p, base + size, PAGE) if key(q) != key(p)), base + size)
        return {"hr": "0x0", "base": hex(p), "allocation_base": hex(base), "region_size": hex(end - p),
                "allocation_protect": aprot, "state": RESERVE if key(p) is None else COMMIT,
                "protect": key(p) or 0, "type": PRIVATE}


def answer(req, targets, partial=None):
    op, t = req["op"], targets.get(req.get("target"))
    num = lambda k: int(req[k], 16) if isinstance(req[k], str) else req[k]
    if op == "hello":
        return dict({"protocol": "vmconform-agent/1", "name": "reference-python", "page_size": PAGE,
                     "granularity": GRAN, "query": True, "fault_injection": True}, **(partial or {}))
    if op == "open":
        targets[len(targets) + 1] = Space()
        return {"target": len(targets)}
    if op == "allocate":
        hr, address = t.allocate(num("address"), req["size"], req["type"], req["protect"])
        return {"hr": hex(hr), "address": hex(address)}
    if op == "free":
        return {"hr": hex(t.free(num("address"), num("size"), req["type"]))}
    if op == "write":
        return {"hr": hex(t.write(num("address"), bytes.fromhex(req["data"])))}
    if op == "read":
        hr, data = t.read(num("address"), req["size"])
        return {"hr": hex(hr), "data": data.hex()}
    if op == "query":
        return t.query(num("address"))
    if op == "foreign":
        return {"regions": []}
    if op == "fault":
        t.fault = int(req["hr"], 16)
        return {"injected": True}
    if op == "close":
        targets[req["target"]] = None
        return {}
    if op == "bye":
        return {}
    return {"error": "unknown op " + op}


def bench(seconds):
    """The mix of bench/agent_bench.cpp on one Space, called directly (no protocol): allocate 64 KiB
    committed at address 0, write 256 bytes, read them back, query, release; prints one JSON line."""
    import time
    t, data, ops = Space(), bytes([0x5A]) * 256, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        hr, base = t.allocate(0, 0x10000, COMMIT | RESERVE, 0x04)
        ok = hr == S_OK and t.write(base + 0x100, data) == S_OK and t.read(base + 0x100, 256) == (S_OK, data)
        if not (ok and t.query(base)["hr"] == "0x0" and t.free(base, 0, RELEASE) == S_OK):
            sys.exit("reference_agent: a call of the mix failed")
        ops += 5
    took = time.perf_counter() - start
    print(json.dumps({"ops": ops, "seconds": round(took, 3), "ops_per_second": round(ops / took, 1)}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        return bench(float(sys.argv[2]))
    # `--operations A,B [--interface NAME]`: say that only operations A, B are the implementation's
    # own (a partial implementation, spec/agent-protocol.md); this agent still answers every request.
    partial, args = None, sys.argv[1:]
    if args[:1] == ["--operations"] and len(args) in (2, 4) and args[2:3] in ([], ["--interface"]):
        partial = {"operations": args[1].split(","), "arranged_by": "the reference agent's own address space"}
        if len(args) == 4:
            partial["interface"] = args[3]
    elif args:
        sys.exit("usage: reference_agent.py [--operations A,B [--interface NAME]] | --bench SECONDS")
    targets = {}
    for line in sys.stdin:
        req = json.loads(line)
        reply = dict(answer(req, targets, partial), id=req["id"])
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if req["op"] == "bye":
            return


if __name__ == "__main__":
    main()
