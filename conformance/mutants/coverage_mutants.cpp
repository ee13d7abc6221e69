// coverage_mutants.cpp - mutants whose bug lives in one class of the coverage table.
//
// Each bug shows only in the states of one class of spec/coverage.md (a protection with a
// modifier, a size near the 32-bit maximum, a write from one reservation into the adjacent one,
// several decommitted pages committed again, a reservation of a released range, more than 64 live
// reservations, a call that breaks two rules at once...). No single-rule property reaches those
// states; the long sequences of X-MODEL (the coverage sweep) must, at every seed, so each mutant
// is listed under X-MODEL and the teeth test requires it caught there. Their descriptions name
// the class and the rule the divergence reports.
#include <algorithm>
#include <map>
#include <optional>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

// alloc-kinds: the protection table lacks PAGE_WRITECOMBINE, so such pages are committed
// PAGE_NOACCESS (AVM-PROTECT).
class WritecombineCommitsNoaccess final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    if ((type & MEM_COMMIT) && (protect & PAGE_WRITECOMBINE) && valid_page_protection(protect)) protect = PAGE_NOACCESS;
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// alloc-kinds: the commit flag is tested as `type > MEM_RESERVE`, so MEM_RESERVE|MEM_TOP_DOWN
// commits its pages too (AVM-RESERVE-ONLY).
class TopDownReserveCommits final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    if (type == (MEM_RESERVE | MEM_TOP_DOWN)) type |= MEM_COMMIT;
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// sizes: the size is rounded up to pages in 32 bits, so a size above 0xFFFFF000 wraps to 0 and
// the call fails as if it asked for nothing (AVM-INVALID / AVM-STATUS).
class Max32SizeWraps final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    const std::uint32_t page_mask = static_cast<std::uint32_t>(page() - 1);
    if (static_cast<std::uint32_t>(size + page_mask) < size) size = 0;  // the rounded size wrapped
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// access: reads of PAGE_READONLY pages go through a shadow buffer that is never filled: they
// succeed and return zeros (X-MODEL).
class ReadonlyReadsZero final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (hr != S_OK || bytes_read == nullptr) return hr;
    for (std::uint64_t p : pages_of(address, *bytes_read))
      if (committed_with(p, {PAGE_READONLY})) {
        const std::uint64_t from = std::max(p, address), to = std::min(p + page(), address + *bytes_read);
        std::fill(buffer + (from - address), buffer + (to - address), std::uint8_t{0});
      }
    return hr;
  }
};

// ranges: the write path looks up one reservation and requires the whole range inside it, so a
// write from one reservation into the adjacent one fails though every page is writable
// (WV-ROUNDTRIP).
class WriteAcrossReservationsFails final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const Allocation* a = model_.allocation_containing(address);
    if (a != nullptr && n > 0 && address + n - 1 >= address && address + n > a->base + a->size) return HR_NOACCESS;
    return model_.write_virtual(address, buffer, n);
  }
};

// ranges: a decommit range is checked page by page against "some reservation", as the NT layer
// does, so one running from a reservation into the adjacent one decommits both parts (VF-SPAN).
class DecommitIntoAdjacentReservation final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const auto broken = model_.free_violations(address, size, type);
    if (type != MEM_DECOMMIT || size == 0 || size > 64 * page() || broken.size() != 1 ||
        std::string(broken[0].what) != "span" || address + size < address)
      return model_.virtual_free(address, size, type);
    const auto pages = pages_of(address, size);
    if (!std::all_of(pages.begin(), pages.end(), [&](std::uint64_t p) { return model_.page_at(p).allocated; }))
      return model_.virtual_free(address, size, type);
    for (std::uint64_t p : pages) model_.virtual_free(p, page(), MEM_DECOMMIT);
    return S_OK;
  }
};

// decommit: decommitted pages are parked with their bytes; committing several of them again in
// one call zeroes only the first, the others come back with their old bytes (AVM-ZERO).
class RecommitZeroesFirstPageOnly final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    std::vector<std::uint64_t> again;
    if ((type & ~MEM_TOP_DOWN) == MEM_COMMIT && address != 0 && size != 0)
      for (const auto& [p, bytes] : parked_)
        if (p + page() > address && p <= address + size - 1 && model_.page_at(p).allocated && !committed(p))
          again.push_back(p);
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK && again.size() >= 2)
      for (std::size_t i = 1; i < again.size(); ++i) model_.adopt_bytes(again[i], parked_[again[i]]);
    if (hr == S_OK) for (std::uint64_t p : again) parked_.erase(p);
    return hr;
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    std::map<std::uint64_t, std::vector<std::uint8_t>> saved;
    if (type == MEM_DECOMMIT && size != 0 && size <= 64 * page() && model_.free_violations(address, size, type).empty())
      for (std::uint64_t p : pages_of(address, size))
        if (committed(p) && model_.readable(p)) {
          std::vector<std::uint8_t> bytes(page());
          std::uint32_t n = 0;
          model_.read_virtual(p, bytes.data(), static_cast<std::uint32_t>(page()), &n);
          saved[p] = std::move(bytes);
        }
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr == S_OK) parked_.insert(saved.begin(), saved.end());
    if (hr == S_OK && type == MEM_RELEASE) parked_.clear();
    return hr;
  }

 private:
  std::map<std::uint64_t, std::vector<std::uint8_t>> parked_;
};

// reuse: released reservations go to a free list with their bytes; the next address-0
// allocation larger than the last one released grows it in place, and its first part comes back
// with the old bytes (AVM-ZERO).
class LargerReuseKeepsOldBytes final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    const std::uint64_t rounded = page_up(size);
    if (address == 0 && parked_ && rounded > parked_->size && (type & MEM_COMMIT) &&
        model_.allocation_violations(0, size, type, protect).empty()) {
      const Parked old = *parked_;
      parked_.reset();
      const hresult hr = model_.allocate_at_system_choice(old.base, size, type, protect, allocated);
      if (hr == S_OK) {
        model_.adopt_bytes(old.base, old.bytes);
        return hr;
      }
    }
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    std::optional<Parked> saved;
    if (type == MEM_RELEASE && a != nullptr && a->size <= 64 * page() && model_.free_violations(address, size, type).empty()) {
      saved = Parked{a->base, a->size, std::vector<std::uint8_t>(a->size, 0)};
      for (std::uint64_t p = a->base; p < a->base + a->size; p += page())
        if (model_.readable(p)) {
          std::uint32_t n = 0;
          model_.read_virtual(p, saved->bytes.data() + (p - a->base), static_cast<std::uint32_t>(page()), &n);
        }
    }
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr == S_OK && saved) parked_ = std::move(saved);
    return hr;
  }

 private:
  struct Parked {
    std::uint64_t base, size;
    std::vector<std::uint8_t> bytes;
  };
  std::optional<Parked> parked_;
};

// failures: HOST_E_ABANDONED is handled like E_FAIL: the host stops working and every later
// VirtualFree returns HOST_E_CLRNOTAVAILABLE (D-HOST-FAULTS: later calls behave normally).
class AbandonedIsSticky final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (auto fault = take_host_fault()) {
      if (*fault == HOST_E_ABANDONED) unavailable_ = true;
      return *fault;
    }
    return free_op(address, size, type);
  }
};

// failures: a VirtualFree that breaks two rules at once falls through every specific check to the
// catch-all E_FAIL (VF-NO-EFAIL).
class SeveralRulesEfail final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (model_.free_violations(address, size, type).size() >= 2) return E_FAIL;
    return model_.virtual_free(address, size, type);
  }
};

}  // namespace

void add_coverage_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<WritecombineCommitsNoaccess>(
      "writecombine-commits-noaccess", "X-MODEL", both_profiles(),
      "alloc-kinds: pages committed with a PAGE_WRITECOMBINE protection are PAGE_NOACCESS (AVM-PROTECT)"));
  out.push_back(mutant<TopDownReserveCommits>(
      "top-down-reserve-commits", "X-MODEL", both_profiles(),
      "alloc-kinds: MEM_RESERVE|MEM_TOP_DOWN also commits the pages, as `type > MEM_RESERVE` says (AVM-RESERVE-ONLY)"));
  out.push_back(mutant<Max32SizeWraps>(
      "max32-size-wraps", "X-MODEL", both_profiles(),
      "sizes: sizes above 0xFFFFF000 round up to 0 in 32 bits and the allocation fails (AVM-STATUS)"));
  out.push_back(mutant<ReadonlyReadsZero>(
      "readonly-reads-zero", "X-MODEL", both_profiles(),
      "access: reads of PAGE_READONLY pages succeed but return zeros (X-MODEL)"));
  out.push_back(mutant<WriteAcrossReservationsFails>(
      "write-across-reservations-fails", "X-MODEL", both_profiles(),
      "ranges: a write from one reservation into the adjacent one fails though every page is writable (WV-ROUNDTRIP)"));
  out.push_back(mutant<DecommitIntoAdjacentReservation>(
      "decommit-into-adjacent-reservation", "X-MODEL", both_profiles(),
      "ranges: a decommit running from one reservation into the adjacent one decommits both parts (VF-SPAN)"));
  out.push_back(mutant<RecommitZeroesFirstPageOnly>(
      "recommit-zeroes-first-page-only", "X-MODEL", both_profiles(),
      "decommit: committing several decommitted pages in one call zeroes only the first (AVM-ZERO)"));
  out.push_back(mutant<LargerReuseKeepsOldBytes>(
      "larger-reuse-keeps-old-bytes", "X-MODEL", both_profiles(),
      "reuse: an address-0 allocation larger than the last released reservation grows it in place with its old "
      "bytes (AVM-ZERO)"));
  out.push_back(mutant<RegionTable<64>>(
      "region-table-64", "X-MODEL", both_profiles(),
      "history: a 65th live reservation silently evicts the oldest from a 64-slot table, which then can be neither "
      "freed nor committed into (X-MODEL)"));
  out.push_back(mutant<AbandonedIsSticky>(
      "abandoned-is-sticky", "X-MODEL", both_profiles(),
      "failures: after an injected HOST_E_ABANDONED every VirtualFree returns HOST_E_CLRNOTAVAILABLE (D-HOST-FAULTS)"));
  out.push_back(mutant<SeveralRulesEfail>(
      "several-rules-efail", "X-MODEL", both_profiles(),
      "failures: a VirtualFree that breaks two rules at once returns E_FAIL (VF-NO-EFAIL)"));
}

}  // namespace vmc::mutant_support
