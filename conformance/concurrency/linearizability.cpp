// linearizability.cpp - the linearizability search (linearizability.hpp).
//
// A ReplayTarget answers each call with what the real target returned when the history was
// recorded; the differential checker (vmc::Differential, pages not observed) replays the calls in
// a candidate order against the reference model and says whether the model accepts each answer.
// The search is a depth-first walk over "which call is next": a call may come next when no call
// still waiting returned before it was invoked. A state already explored (same calls done, same
// model fingerprint) is not explored again.
#include "vmconform/linearizability.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <unordered_set>

#include "vmconform/differential.hpp"

namespace vmc::concurrency {

bool Verdict::linearizable() const {
  return std::none_of(groups.begin(), groups.end(),
                      [](const GroupVerdict& g) { return g.kind == GroupVerdict::Kind::not_linearizable; });
}

std::size_t Verdict::inconclusive() const {
  return static_cast<std::size_t>(std::count_if(
      groups.begin(), groups.end(), [](const GroupVerdict& g) { return g.kind == GroupVerdict::Kind::inconclusive; }));
}

const GroupVerdict* Verdict::first_failure() const {
  for (const GroupVerdict& g : groups)
    if (g.kind == GroupVerdict::Kind::not_linearizable) return &g;
  return nullptr;
}

namespace {

std::uint64_t round_down(std::uint64_t v, std::uint64_t to) { return v - v % to; }

/// [begin, end) a call may touch, rounded out to whole granules (end saturates).
std::pair<std::uint64_t, std::uint64_t> span_of(const Call& c, std::uint32_t page, std::uint32_t granularity) {
  std::uint64_t begin = c.address, length = 1;
  switch (c.op.kind) {
    case opseq::OpKind::alloc:
      if (c.address == 0) {
        begin = c.hr == S_OK ? c.out : 0;
        length = c.hr == S_OK ? std::uint64_t{c.op.size} + page : 1;
      } else {
        length = std::uint64_t{c.op.size} + page;
      }
      break;
    case opseq::OpKind::free:
    case opseq::OpKind::free_foreign: length = std::max<std::uint64_t>(c.op.free_size, 1); break;
    case opseq::OpKind::write:
    case opseq::OpKind::read: length = std::max<std::uint32_t>(c.op.length, 1); break;
    case opseq::OpKind::inject_fault: break;
  }
  const std::uint64_t g = granularity;
  const std::uint64_t first = round_down(begin, g);
  std::uint64_t end = begin + length;
  if (end < begin) end = ~0ull;
  const std::uint64_t last = end > ~0ull - g ? ~0ull : round_down(end + g - 1, g);
  return {first, last};
}

/// Answers each call as the target answered it when the history was recorded.
class ReplayTarget final : public Target {
 public:
  ReplayTarget(std::uint32_t page, std::uint32_t granularity) : page_(page), granularity_(granularity) {}
  const Call* current = nullptr;

  std::uint32_t page_size() const override { return page_; }
  std::uint32_t allocation_granularity() const override { return granularity_; }
  hresult allocate_virtual_memory(std::uint64_t, std::uint32_t, std::uint32_t, std::uint32_t,
                                  std::uint64_t* allocated) override {
    if (allocated != nullptr) *allocated = current->out;
    return current->hr;
  }
  hresult virtual_free(std::uint64_t, std::uint64_t, std::uint32_t) override { return current->hr; }
  hresult write_virtual(std::uint64_t, const std::uint8_t*, std::uint32_t) override { return current->hr; }
  hresult read_virtual(std::uint64_t, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    if (bytes_read != nullptr) *bytes_read = static_cast<std::uint32_t>(current->out);
    if (buffer != nullptr) std::memcpy(buffer, current->data.data(), std::min<std::size_t>(n, current->data.size()));
    return current->hr;
  }

 private:
  std::uint32_t page_, granularity_;
};

/// What identifies a model state for the memo: every reservation's layout and every readable
/// committed page's bytes (FNV-1a).
std::uint64_t fingerprint(const Differential& d) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const auto mix = [&h](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) h = (h ^ ((v >> (8 * i)) & 0xFF)) * 0x100000001b3ull;
  };
  ReferenceModel m = d.model();  // a copy: reads are const in meaning but not in signature
  const std::uint32_t p = m.page_size();
  std::vector<std::uint8_t> page(p);
  for (const auto& [base, a] : d.model().allocations()) {
    mix(base);
    mix(a.size);
    for (const auto& [first, run] : a.runs) {
      mix(first);
      mix(static_cast<std::uint64_t>(run.state));
      mix(run.protect);
    }
    for (std::uint64_t at = base; at < base + a.size; at += p) {
      std::uint32_t n = 0;
      if (!m.readable(at) || m.read_virtual(at, page.data(), p, &n) != S_OK) continue;
      for (std::uint32_t i = 0; i < n; ++i) h = (h ^ page[i]) * 0x100000001b3ull;
    }
  }
  return h;
}

struct Key {
  std::vector<std::uint64_t> done;
  std::uint64_t state;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::uint64_t h = k.state;
    for (std::uint64_t w : k.done) h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h);
  }
};

class Search {
 public:
  Search(const History& h, const std::vector<std::size_t>& calls, const CheckOptions& o)
      : h_(h), calls_(calls), o_(o), replay_(o.page_size, o.granularity), done_((calls.size() + 63) / 64, 0) {}

  GroupVerdict run() {
    GroupVerdict v;
    v.calls = calls_;
    Differential start(replay_, o_.profile, Differential::Options{false});
    const bool found = dfs(start, 0);
    v.nodes = nodes_;
    if (found) return v;
    if (exhausted_) {
      v.kind = GroupVerdict::Kind::inconclusive;
      v.why = "the search stopped at its bound of " + std::to_string(o_.node_budget) + " nodes";
      return v;
    }
    v.kind = GroupVerdict::Kind::not_linearizable;
    v.why = "no order of these " + std::to_string(calls_.size()) + " calls is accepted by the model; the longest " +
            "accepted order holds " + std::to_string(deepest_) + " of them, after which:\n" + deepest_why_;
    return v;
  }

 private:
  bool is_done(std::size_t i) const { return (done_[i / 64] >> (i % 64)) & 1; }
  void set_done(std::size_t i, bool on) {
    if (on) done_[i / 64] |= 1ull << (i % 64);
    else done_[i / 64] &= ~(1ull << (i % 64));
  }

  bool dfs(const Differential& state, std::size_t count) {
    if (count == calls_.size()) return true;
    if (++nodes_ > o_.node_budget) {
      exhausted_ = true;
      return false;
    }
    if (!seen_.insert(Key{done_, fingerprint(state)}).second) return false;
    // A call may come next when no waiting call returned before it was invoked.
    std::uint64_t first_return = ~0ull;
    for (std::size_t i = 0; i < calls_.size(); ++i)
      if (!is_done(i)) first_return = std::min(first_return, h_[calls_[i]].returned);
    std::string why;
    for (std::size_t i = 0; i < calls_.size() && !exhausted_; ++i) {
      if (is_done(i)) continue;
      const Call& c = h_[calls_[i]];
      if (c.invoked > first_return) break;  // calls are sorted by invocation: none after can be next
      Differential next = state;
      replay_.current = &c;
      const auto d = next.step_at(c.op, c.address);
      if (d) {
        why += "  " + c.show() + ": [" + d->rule + "] " + d->message + "\n";
        continue;
      }
      set_done(i, true);
      if (dfs(next, count + 1)) return true;
      set_done(i, false);
    }
    if (count >= deepest_ && !why.empty()) {
      deepest_ = count;
      deepest_why_ = why;
    }
    return false;
  }

  const History& h_;
  const std::vector<std::size_t>& calls_;
  const CheckOptions& o_;
  ReplayTarget replay_;
  std::vector<std::uint64_t> done_;
  std::unordered_set<Key, KeyHash> seen_;
  std::size_t nodes_ = 0;
  bool exhausted_ = false;
  std::size_t deepest_ = 0;
  std::string deepest_why_;
};

}  // namespace

std::vector<std::vector<std::size_t>> partition(const History& h, std::uint32_t page_size, std::uint32_t granularity) {
  std::vector<std::size_t> order(h.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) spans[i] = span_of(h[i], page_size, granularity);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return spans[a] < spans[b]; });
  std::vector<std::vector<std::size_t>> groups;
  std::uint64_t reach = 0;
  for (std::size_t i : order) {  // sweep: a span starting before the group's reach joins it
    if (groups.empty() || spans[i].first >= reach) groups.emplace_back();
    groups.back().push_back(i);
    reach = std::max(groups.back().size() == 1 ? 0 : reach, spans[i].second);
  }
  for (auto& g : groups)
    std::sort(g.begin(), g.end(), [&](std::size_t a, std::size_t b) { return h[a].invoked < h[b].invoked; });
  return groups;
}

GroupVerdict check_group(const History& h, const std::vector<std::size_t>& group, const CheckOptions& options) {
  return Search(h, group, options).run();
}

Verdict check(const History& h, const CheckOptions& options) {
  Verdict v;
  std::vector<std::vector<std::size_t>> groups;
  if (options.partition) {
    groups = partition(h, options.page_size, options.granularity);
  } else {
    groups.emplace_back(h.size());
    std::iota(groups.back().begin(), groups.back().end(), std::size_t{0});
    std::sort(groups.back().begin(), groups.back().end(),
              [&](std::size_t a, std::size_t b) { return h[a].invoked < h[b].invoked; });
  }
  for (const auto& g : groups) {
    v.groups.push_back(check_group(h, g, options));
    v.nodes += v.groups.back().nodes;
  }
  return v;
}

History minimise(const History& h, const std::vector<std::size_t>& group, const CheckOptions& options) {
  std::vector<std::size_t> calls = group;
  for (bool removed = true; removed;) {
    removed = false;
    for (std::size_t i = calls.size(); i-- > 0;) {
      // Only calls that changed nothing may go: a read, or a call that failed. Without a
      // successful allocation, write or free the rest would be judged on memory the target never
      // had, and blame a call that was right.
      const Call& c = h[calls[i]];
      if (c.op.kind != opseq::OpKind::read && succeeded(c.hr)) continue;
      std::vector<std::size_t> fewer = calls;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      if (fewer.empty()) continue;
      if (check_group(h, fewer, options).kind == GroupVerdict::Kind::not_linearizable) {
        calls = std::move(fewer);
        removed = true;
      }
    }
  }
  History out;
  for (std::size_t i : calls) out.push_back(h[i]);
  return out;
}

}  // namespace vmc::concurrency
