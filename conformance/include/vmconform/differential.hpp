// differential.hpp - runs one operation sequence on a backend and on the reference model
// side by side, and names the rule of the first difference.
//
// This is the checker behind X-MODEL (the RapidCheck state machine), the differential fuzzers
// and `vmconform replay`. Addresses come from the op-sequence format (impl/opseq), resolved
// against the backend's own results; the model adopts the backend's choices where the profile
// allows a choice (the base the system picks, a read-only page written in the documented
// profile, a page MEM_RESET zeroed, an explicit reservation refused because something else is
// mapped there, a guard consumed by an access), so a correct implementation never diverges.
// Every choice is one of spec/profiles.md's decisions; each place that accepts one names it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/coverage.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/opseq_tracker.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc {

struct Divergence {
  std::string rule;     // the rule the difference breaks (a rule ID of spec/rules.json)
  std::string message;  // operation, arguments, both results, and what differs
};

class Differential {
 public:
  /// How a page can be accessed through the data target: certainly, not at all, or either way
  /// (a choice the profile leaves to the implementation).
  enum class Access { no, maybe, yes };

  struct Options {
    /// Read back the pages each op touched and compare them (the default). Off for a checker that
    /// replays recorded calls (X-LINEARIZABLE): only what the calls returned is compared then, and
    /// `sut` only answers the calls themselves (no MEM_RESET: its contents choice would show only
    /// in later reads).
    bool observe_pages = true;
  };
  /// `sut` must be a fresh target. The model uses the backend's page size and granularity.
  Differential(Target& sut, Profile profile) : Differential(sut, profile, Options{}) {}
  Differential(Target& sut, Profile profile, Options options);

  /// Counts the coverage cells every later step reaches (none when null, the default).
  void track_coverage(coverage::Tracker* tracker);

  /// Runs `op` on both sides; a divergence, or nothing when both agree.
  std::optional<Divergence> step(const opseq::Op& op);
  /// The same at an address already resolved (the op's AddrRef is ignored): for checkers that
  /// replay recorded calls whose addresses are absolute.
  std::optional<Divergence> step_at(const opseq::Op& op, std::uint64_t address);
  /// Compares every page of every reservation made so far (sampled for large ones).
  std::optional<Divergence> final_check();
  /// Runs a whole sequence: the first divergence (from a step or the final check).
  std::optional<Divergence> run(const opseq::Sequence& ops);

  const ReferenceModel& model() const { return model_; }
  const std::vector<opseq::Handle>& handles() const { return tracker_.handles(); }
  /// One line per step run so far: the op, its address, and what the backend returned
  /// (rendered on demand: the fuzzers never ask, and text per op costs more than the op).
  std::vector<std::string> log() const;

 private:
  std::optional<Divergence> alloc(const opseq::Op& op, std::uint64_t address);
  std::optional<Divergence> free(const opseq::Op& op, std::uint64_t address);
  std::optional<Divergence> write(const opseq::Op& op, std::uint64_t address);
  std::optional<Divergence> read(const opseq::Op& op, std::uint64_t address);
  std::optional<Divergence> inject(const opseq::Op& op);
  /// Compares readability and bytes of the pages overlapping [address, address+length).
  std::optional<Divergence> compare_pages(std::uint64_t address, std::uint64_t length, const char* rule,
                                          const char* after);
  bool status_equivalent(hresult sut, hresult model) const;
  /// Whether a failing backend status is one the profile accepts for a call that breaks the
  /// rules `broken` (non-empty): any of their codes (decision D-ERROR-PRECEDENCE).
  bool failure_accepted(hresult sut, const std::vector<Violation>& broken) const;

  Access readability(std::uint64_t page) const;
  Access writability(std::uint64_t page) const;
  /// The backend accessed `page` (read or wrote it): a guard it held may be gone now.
  void touched(std::uint64_t page);
  /// The backend showed `page` accessible: a consumed guard is adopted by the model.
  void settle_accessible(std::uint64_t page);
  /// The model's pages in [from, to) changed state: earlier guard hits there no longer count.
  void forget_guard_hits(std::uint64_t from, std::uint64_t to);

  /// What log() prints for one step.
  struct StepRecord {
    opseq::Op op;
    std::uint64_t address = 0;
    hresult result = 0;      // the backend's HRESULT (inject_fault: 0 = injected, 1 = not)
    std::uint64_t out = 0;   // *allocated (alloc) or *bytesRead (read)
  };

  Target& sut_;
  Profile profile_;
  Options options_;
  ReferenceModel model_;
  opseq::Tracker tracker_;  // the sequence's reservations and foreign samples
  std::vector<StepRecord> steps_;
  std::vector<std::uint8_t> sut_page_, model_page_;  // compare_pages' buffers, one page each
  /// Documented profile (decision D-GUARD): committed PAGE_GUARD pages an access through the data
  /// target has hit; each may have lost its guard on the backend (a one-shot guard).
  std::set<std::uint64_t> guard_hits_;
  coverage::Tracker* coverage_ = nullptr;
  /// Reservations made with MEM_PHYSICAL (decision D-SCOPE): committing into them may fail.
  std::vector<opseq::Handle> physical_;
};

}  // namespace vmc
