// long_differential_shrink.cpp - re-running and shortening a divergent op sequence.
//
// run_fresh() runs a sequence the way `vmconform replay` does (a new factory with BackendOptions
// {1, ""}, its first target), so a sequence that diverges here diverges under replay too, as far
// as the backend is deterministic. shorten() removes chunks of ops, halving the chunk size when no
// chunk can go, and after every success cuts the ops after the new divergence point; a candidate
// counts only if it still diverges with the same rule. Region references are relative to earlier
// results, so a shortened sequence stays meaningful (it may refer to other regions than before).
#include <chrono>

#include "long_differential.hpp"
#include "vmconform/sequence_run.hpp"

namespace vmc::bench {

std::optional<std::pair<std::size_t, Divergence>> run_fresh(const BackendInfo& backend, Profile profile,
                                                            const opseq::Sequence& s) {
  const auto factory = backend.make_factory(BackendOptions{1, ""});
  const auto target = factory->make();
  Differential differential(*target, profile);
  const SequenceRun run = run_sequence(differential, s);
  if (!run.divergence) return std::nullopt;
  return std::pair{run.step, *run.divergence};
}

opseq::Sequence shorten(const BackendInfo& backend, Profile profile, opseq::Sequence s, const std::string& rule,
                        double budget_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(budget_seconds);
  const auto still_diverges = [&](opseq::Sequence& candidate) {
    const auto d = run_fresh(backend, profile, candidate);
    if (!d || d->second.rule != rule) return false;
    if (d->first != 0) candidate.resize(d->first);  // nothing after the divergence matters
    return true;
  };
  for (std::size_t chunk = std::max<std::size_t>(1, s.size() / 2); chunk >= 1;) {
    bool removed = false;
    for (std::size_t at = 0; at < s.size() && std::chrono::steady_clock::now() < deadline;) {
      opseq::Sequence candidate(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at));
      candidate.insert(candidate.end(), s.begin() + static_cast<std::ptrdiff_t>(std::min(at + chunk, s.size())),
                       s.end());
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

}  // namespace vmc::bench
