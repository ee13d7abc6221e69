// opseq_tracker.hpp - what an executor of an op sequence keeps to resolve its addresses: the
// rule of impl/opseq/FORMAT.md section 5, coded once.
//
// A sequence's addresses are relative to earlier results ("the newest reservation plus a page").
// Tracker holds what they are relative to - the handles of the reservations made so far (oldest
// first, never removed), the foreign samples taken at the start and the page size - and turns an
// allocation's result into a handle exactly as FORMAT.md says: a call that succeeds and makes a
// new reservation (address 0 without MEM_RESET, or MEM_RESERVE in the type) appends {the returned
// base, the reservation's size: every page from that base to the last byte asked for}. Every
// executor goes through it: the differential checker, the fuzz target fuzz_sim and the plugin
// host's step recorder (which maps addresses back to references).
#pragma once

#include <cstdint>
#include <vector>

#include "vmconform/constants.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq {

class Tracker {
 public:
  explicit Tracker(std::uint32_t page_size = 0x1000, std::vector<ForeignSample> foreign = {});

  /// Starts over for a fresh target: no handles; the foreign samples are kept.
  void restart(std::uint32_t page_size);
  void set_foreign(std::vector<ForeignSample> foreign) { foreign_ = std::move(foreign); }

  /// The address `a` stands for now (opseq::resolve with this executor's lists).
  std::uint64_t resolve(const AddrRef& a) const { return opseq::resolve(a, handles_, foreign_, page_); }

  /// Whether an allocation at `address` of `type` makes a new reservation when it succeeds.
  static bool makes_reservation(std::uint64_t address, std::uint32_t type);
  /// After an allocation call (an alloc op's address, size and type) returned `hr` and the base
  /// `allocated`: appends the new reservation's handle if there is one; true if it did.
  bool record_alloc(std::uint64_t address, std::uint32_t size, std::uint32_t type, hresult hr,
                    std::uint64_t allocated);

  const std::vector<Handle>& handles() const { return handles_; }
  const std::vector<ForeignSample>& foreign() const { return foreign_; }
  std::uint32_t page_size() const { return page_; }

 private:
  std::uint32_t page_;
  std::vector<Handle> handles_;  // oldest first
  std::vector<ForeignSample> foreign_;
};

}  // namespace vmc::opseq
