// workload.cpp - the concurrent workload and one judged run of it (workload.hpp).
#include "vmconform/workload.hpp"

#include <algorithm>

namespace vmc::concurrency {
namespace {

/// SplitMix64: the workload depends on nothing but its seed.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
};

opseq::AddrRef region(std::uint8_t index, std::int32_t page, std::int32_t offset) {
  opseq::AddrRef a;
  a.kind = opseq::AddrRef::Kind::region;
  a.index = index;
  a.page = page;
  a.offset = offset;
  return a;
}

opseq::Op alloc_op(opseq::AddrRef at, std::uint32_t size, std::uint32_t type, std::uint32_t protect) {
  opseq::Op op;
  op.kind = opseq::OpKind::alloc;
  op.addr = at;
  op.size = size;
  op.type = type;
  op.protect = protect;
  return op;
}
opseq::Op free_op(opseq::AddrRef at, std::uint64_t size, std::uint32_t type) {
  opseq::Op op;
  op.kind = opseq::OpKind::free;
  op.addr = at;
  op.free_size = size;
  op.type = type;
  return op;
}
opseq::Op access_op(opseq::OpKind kind, opseq::AddrRef at, std::uint32_t length, std::uint8_t pattern) {
  opseq::Op op;
  op.kind = kind;
  op.addr = at;
  op.length = length;
  if (kind == opseq::OpKind::write) op.pattern = pattern;
  return op;
}

}  // namespace

Workload make_workload(std::uint64_t seed, int threads, int ops, std::uint32_t page, std::uint32_t granularity) {
  (void)granularity;
  Rng rng{seed ^ 0xC0C0A};
  Workload w;
  const int shared = 2 + static_cast<int>(rng.below(2));
  std::vector<std::int32_t> pages;
  for (int r = 0; r < shared; ++r) {
    pages.push_back(2 + static_cast<std::int32_t>(rng.below(3)));
    w.setup.push_back(alloc_op({}, static_cast<std::uint32_t>(pages.back()) * page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
    w.setup.push_back(access_op(opseq::OpKind::write, region(static_cast<std::uint8_t>(r), 0, 0),
                                static_cast<std::uint32_t>(pages.back()) * page, static_cast<std::uint8_t>(0xF0 + r)));
  }
  for (int t = 0; t < threads; ++t) {
    std::vector<opseq::Op> list;
    for (int k = 0; k < ops; ++k) {
      const std::uint8_t r = static_cast<std::uint8_t>(rng.below(static_cast<std::uint64_t>(shared)));
      const std::int32_t boundary = 1 + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(pages[r] - 1)));
      // Just before a page boundary, across it: a torn write shows there.
      const std::int32_t before = -static_cast<std::int32_t>(1 + rng.below(0x40));
      const std::uint32_t length = static_cast<std::uint32_t>(0x20 + rng.below(page));
      const std::uint8_t pattern = static_cast<std::uint8_t>(1 + (t * 53 + k * 7) % 239);  // the writer's own bytes
      const std::uint64_t dice = rng.below(100);
      if (dice < 40) {
        list.push_back(access_op(opseq::OpKind::write, region(r, boundary, before), length, pattern));
      } else if (dice < 70) {
        list.push_back(access_op(opseq::OpKind::read, region(r, boundary, before), length, 0));
      } else if (dice < 75) {
        list.push_back(free_op(region(r, boundary, 0), page, MEM_DECOMMIT));
      } else if (dice < 80) {
        list.push_back(alloc_op(region(r, boundary - 1 + static_cast<std::int32_t>(rng.below(2)), 0), page, MEM_COMMIT,
                                PAGE_READWRITE));
      } else if (dice < 87) {
        list.push_back(alloc_op({}, static_cast<std::uint32_t>(1 + rng.below(3)) * page, MEM_COMMIT | MEM_RESERVE,
                                PAGE_READWRITE));
      } else if (dice < 92) {
        // The newest reservation of any thread (64) or this thread's own (128): a release by its
        // owner races these.
        const auto kind = rng.below(2) ? opseq::OpKind::write : opseq::OpKind::read;
        const std::uint8_t whose = rng.below(2) ? 64 : 128;
        list.push_back(access_op(kind, region(whose, 0, static_cast<std::int32_t>(rng.below(page))), length, pattern));
      } else if (dice < 97) {
        list.push_back(free_op(region(128, 0, 0), 0, MEM_RELEASE));
      } else if (dice < 99) {
        opseq::AddrRef never;  // below 64 KiB: never host memory
        never.offset = 0x5000;
        list.push_back(free_op(never, 0, MEM_RELEASE));
      } else {
        list.push_back(free_op(region(r, 0, 0), 0, MEM_RELEASE));  // a shared reservation goes away under the others
      }
    }
    w.threads.push_back(std::move(list));
  }
  return w;
}

WorkloadRun run_workload(Target& target, const Workload& w, const WorkloadOptions& options) {
  WorkloadRun out;
  const auto t0 = std::chrono::steady_clock::now();
  Recording setup = record(target, {}, {w.setup}, RecordOptions{options.deadline});
  for (Call& c : setup.history) c.thread = -1;
  out.history = std::move(setup.history);
  if (setup.hung) {
    out.hung = true;
    out.hang = "during the setup: " + setup.hang;
    return out;
  }
  std::vector<opseq::Handle> handles;
  for (const Call& c : out.history)
    if (c.op.kind == opseq::OpKind::alloc && c.hr == S_OK) handles.push_back({c.out, c.op.size});
  Recording run = record(target, handles, w.threads, RecordOptions{options.deadline});
  out.history.insert(out.history.end(), run.history.begin(), run.history.end());
  out.hung = run.hung;
  out.hang = run.hang;
  const auto t1 = std::chrono::steady_clock::now();
  out.record_seconds = std::chrono::duration<double>(t1 - t0).count();
  if (out.hung) return out;
  out.verdict = check(out.history, options.check);
  if (const GroupVerdict* g = out.verdict.first_failure()) {
    const History small = options.minimise ? minimise(out.history, g->calls, options.check) : History{};
    out.failure = "a history of " + std::to_string(out.history.size()) + " calls from " +
                  std::to_string(w.threads.size()) + " threads is not linearizable: " + g->why;
    if (!small.empty()) {
      const Verdict again = check(small, options.check);
      const GroupVerdict* why = again.first_failure();
      out.failure += "\nminimised to " + std::to_string(small.size()) + " calls, per thread (thread -1 is the setup):\n" +
                     show_by_thread(small) + (why ? "why: " + why->why : std::string());
    }
  }
  out.check_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return out;
}

}  // namespace vmc::concurrency
