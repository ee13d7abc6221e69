// shorten.cpp - run_sequence and shorten (shorten.hpp).
#include "vmconform/shorten.hpp"

#include <algorithm>
#include <chrono>

namespace vmc {

std::optional<std::pair<std::size_t, Divergence>> run_sequence(Target& target, Profile profile, const opseq::Sequence& s) {
  Differential differential(target, profile);
  for (std::size_t i = 0; i < s.size(); ++i)
    if (auto d = differential.step(s[i])) return std::pair{i + 1, *d};
  if (auto d = differential.final_check()) return std::pair{std::size_t{0}, *d};
  return std::nullopt;
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
