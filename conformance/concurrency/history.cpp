// history.cpp - recording a concurrent history (history.hpp) and printing it.
//
// Every thread waits at a latch so that all start together; each call is stamped with
// steady_clock just before it is invoked and just after it returns. What the threads share (the
// reservations made so far, each thread's calls, the "done" count) lives in one heap object owned
// jointly with the threads, so a thread that never returns (a deadlocked target) can be left
// behind without touching freed memory.
#include "vmconform/history.hpp"

#include <algorithm>
#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>

#include "vmconform/constants.hpp"

namespace vmc::concurrency {

std::string Call::show() const {
  std::string s = "t" + std::to_string(thread) + " " + opseq::to_text(op) + " at " + hex(address) + " -> " +
                  hresult_name(hr);
  if (op.kind == opseq::OpKind::alloc) s += " *allocated=" + hex(out);
  if (op.kind == opseq::OpKind::read) {
    s += " *read=" + hex(out);
    if (!data.empty()) {
      s += " data";
      for (std::size_t i = 0; i < data.size() && i < 8; ++i) s += " " + hex(data[i]);
      if (data.size() > 8) s += " ...";
    }
  }
  return s + " [" + std::to_string(invoked) + " ns .. " + std::to_string(returned) + " ns]";
}

std::string show_by_thread(const History& h) {
  std::vector<int> threads;
  for (const Call& c : h)
    if (std::find(threads.begin(), threads.end(), c.thread) == threads.end()) threads.push_back(c.thread);
  std::sort(threads.begin(), threads.end());
  std::string out;
  for (int t : threads) {
    out += "thread " + std::to_string(t) + ":\n";
    for (const Call& c : h)
      if (c.thread == t) out += "  " + c.show() + "\n";
  }
  return out;
}

namespace {

struct Shared {
  std::mutex mutex;
  std::condition_variable finished;
  std::vector<opseq::Handle> handles;  // every reservation made so far, oldest first
  std::vector<History> calls;          // per thread
  std::vector<std::string> current;    // per thread: the call in progress ("" when none)
  int done = 0;
  std::latch start;
  Shared(std::size_t threads, std::vector<opseq::Handle> setup)
      : handles(std::move(setup)), calls(threads), current(threads), start(static_cast<std::ptrdiff_t>(threads)) {}
};

std::uint64_t since(const Shared&) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

/// The address `a` names for a thread with reservations `own` (history.hpp: shared reservations
/// oldest first below index 64 and newest first from 64, the thread's own newest first from 128).
std::uint64_t resolve(const opseq::AddrRef& a, const std::vector<opseq::Handle>& shared,
                      const std::vector<opseq::Handle>& own, std::uint32_t page) {
  if (a.kind != opseq::AddrRef::Kind::region && a.kind != opseq::AddrRef::Kind::region_end)
    return opseq::resolve(a, {}, {}, page);
  const bool mine = a.index >= 128, newest_first = a.index >= 64;
  const auto& list = mine ? own : shared;
  const std::size_t k = mine ? a.index - 128u : newest_first ? a.index - 64u : a.index;
  opseq::Handle h{0, 0};
  if (!list.empty()) h = list[newest_first ? list.size() - 1 - k % list.size() : k % list.size()];
  const std::uint64_t from = a.kind == opseq::AddrRef::Kind::region ? h.base : h.base + h.size;
  return from + static_cast<std::uint64_t>(static_cast<std::int64_t>(a.page)) * page +
         static_cast<std::uint64_t>(static_cast<std::int64_t>(a.offset));
}

void run_thread(const std::shared_ptr<Shared>& shared, Target& target, int index, const std::vector<opseq::Op>& ops) {
  Shared& s = *shared;
  const std::uint32_t page = target.page_size();
  std::vector<opseq::Handle> own;  // this thread's reservations, oldest first
  s.start.arrive_and_wait();
  for (const opseq::Op& op : ops) {
    Call c;
    c.thread = index;
    c.op = op;
    {
      std::lock_guard lock(s.mutex);
      c.address = resolve(op.addr, s.handles, own, page);
      s.current[static_cast<std::size_t>(index)] = opseq::to_text(op) + " at " + hex(c.address);
    }
    switch (op.kind) {
      case opseq::OpKind::alloc: {
        std::uint64_t out = 0xdeadbeefdeadbeefull;
        c.invoked = since(s);
        c.hr = target.allocate_virtual_memory(c.address, op.size, op.type, op.protect, &out);
        c.returned = since(s);
        c.out = out;
        const std::uint32_t kind = op.type & ~MEM_TOP_DOWN;
        if (c.hr == S_OK && kind != MEM_RESET && (c.address == 0 || (kind & MEM_RESERVE))) {
          const opseq::Handle h{out, (std::uint64_t{op.size} + page - 1) / page * page};
          own.push_back(h);
          std::lock_guard lock(s.mutex);
          s.handles.push_back(h);
        }
        break;
      }
      case opseq::OpKind::free:
      case opseq::OpKind::free_foreign:
        c.invoked = since(s);
        c.hr = target.virtual_free(c.address, op.free_size, op.type);
        c.returned = since(s);
        break;
      case opseq::OpKind::write: {
        const std::vector<std::uint8_t> data = opseq::pattern_bytes(op.pattern, op.length);
        c.invoked = since(s);
        c.hr = target.write_virtual(c.address, data.data(), op.length);
        c.returned = since(s);
        break;
      }
      case opseq::OpKind::read: {
        std::vector<std::uint8_t> buffer(op.length, 0xA5);
        std::uint32_t n = 0xdeadbeefu;
        c.invoked = since(s);
        c.hr = target.read_virtual(c.address, buffer.data(), op.length, &n);
        c.returned = since(s);
        c.out = n;
        if (succeeded(c.hr) && n <= op.length) buffer.resize(n), c.data = std::move(buffer);
        break;
      }
      case opseq::OpKind::inject_fault:  // host faults are sequential semantics: not in concurrent histories
        continue;
    }
    std::lock_guard lock(s.mutex);
    s.calls[static_cast<std::size_t>(index)].push_back(std::move(c));
    s.current[static_cast<std::size_t>(index)].clear();
  }
  std::lock_guard lock(s.mutex);
  ++s.done;
  s.finished.notify_all();
}

}  // namespace

Recording record(Target& target, const std::vector<opseq::Handle>& setup,
                 const std::vector<std::vector<opseq::Op>>& per_thread, const RecordOptions& options) {
  auto shared = std::make_shared<Shared>(per_thread.size(), setup);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < per_thread.size(); ++i)
    threads.emplace_back(run_thread, shared, std::ref(target), static_cast<int>(i), per_thread[i]);
  Recording r;
  {
    std::unique_lock lock(shared->mutex);
    const bool all = shared->finished.wait_for(lock, options.deadline,
                                               [&] { return shared->done == static_cast<int>(per_thread.size()); });
    if (!all) {
      r.hung = true;
      for (std::size_t i = 0; i < shared->current.size(); ++i)
        if (!shared->current[i].empty())
          r.hang += (r.hang.empty() ? "" : "; ") + std::string("thread ") + std::to_string(i) + " in " + shared->current[i];
      if (r.hang.empty()) r.hang = "threads did not start or finish";
    }
    for (const History& h : shared->calls) r.history.insert(r.history.end(), h.begin(), h.end());
  }
  for (std::thread& t : threads) {
    if (r.hung) t.detach();  // it may never return; `shared` stays alive with it
    else t.join();
  }
  std::sort(r.history.begin(), r.history.end(), [](const Call& a, const Call& b) { return a.invoked < b.invoked; });
  return r;
}

}  // namespace vmc::concurrency
