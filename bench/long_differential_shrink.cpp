// long_differential_shrink.cpp - re-running and shortening a divergent op sequence.
//
// run_fresh() runs a sequence the way `vmconform replay` does (a new factory with BackendOptions
// {1, ""}, its first target), so a sequence that diverges here diverges under replay too, as far
// as the backend is deterministic; shorten() is vmc::shorten (shorten.hpp) over run_fresh.
#include "long_differential.hpp"
#include "vmconform/shorten.hpp"

namespace vmc::bench {

std::optional<std::pair<std::size_t, Divergence>> run_fresh(const BackendInfo& backend, Profile profile,
                                                            const opseq::Sequence& s) {
  const auto factory = backend.make_factory(BackendOptions{1, ""});
  return fresh_run([&] { return factory->make(); }, profile)(s);
}

opseq::Sequence shorten(const BackendInfo& backend, Profile profile, opseq::Sequence s, const std::string& rule,
                        double budget_seconds) {
  return vmc::shorten(std::move(s), rule, [&](const opseq::Sequence& c) { return run_fresh(backend, profile, c); },
                      budget_seconds);
}

}  // namespace vmc::bench
