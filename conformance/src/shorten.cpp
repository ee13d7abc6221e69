// shorten.cpp - run_sequence and shorten (shorten.hpp).
#include "vmconform/shorten.hpp"

#include "vmconform/sequence_run.hpp"

#include <algorithm>
#include <chrono>

namespace vmc {

FreshRun fresh_run(std::function<std::unique_ptr<Target>()> make, Profile profile) {
  return [make = std::move(make), profile](const opseq::Sequence& s) -> std::optional<std::pair<std::size_t, Divergence>> {
    const auto target = make();
    Differential differential(*target, profile);
    const SequenceRun run = run_sequence(differential, s);
    if (!run.divergence) return std::nullopt;
    return std::pair{run.step, *run.divergence};
  };
}

opseq::Sequence shorten(opseq::Sequence s, const std::string& rule, const FreshRun& run, double budget_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(budget_seconds);
  const auto still_diverges = [&](opseq::Sequence& candidate) {
    const auto d = run(candidate);
    if (!d || d->second.rule != rule) return false;
    if (d->first != 0) candidate.resize(d->first);  // nothing after the divergence matters
    return true;
  };
  for (std::size_t chunk = std::max<std::size_t>(1, s.size() / 2); chunk >= 1;) {
    bool removed = false;
    for (std::size_t at = 0; at < s.size() && std::chrono::steady_clock::now() < deadline;) {
      opseq::Sequence candidate(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at));
      candidate.insert(candidate.end(), s.begin() + static_cast<std::ptrdiff_t>(std::min(at + chunk, s.size())), s.end());
      if (!candidate.empty() && still_diverges(candidate)) {
        s = std::move(candidate);
        removed = true;
      } else {
        at += chunk;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (!removed) {
      if (chunk == 1) break;
      chunk /= 2;
    } else {
      chunk = std::min(chunk, std::max<std::size_t>(1, s.size() / 2));
    }
  }
  return s;
}

}  // namespace vmc
