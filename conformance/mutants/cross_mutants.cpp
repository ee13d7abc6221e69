// cross_mutants.cpp - mutants of the rules that span the three operations (X-* rules).
//
// X-NO-EFFECT-ON-FAIL: a failure detected only after the work was done, on a path (a combined
// free type with a size) that no single-operation rule exercises. X-ISOLATION: a decommit
// that also discards a page of another reservation through a stale one-entry cache. X-MODEL:
// bugs that only a sequence of operations reveals, longer than any single-rule property runs:
// fresh memory that stops being zero after four reservations, and a region table that silently
// overflows at four live reservations. Each keeps the setup steps of the properties intact.
#include <algorithm>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

// X-NO-EFFECT-ON-FAIL: MEM_DECOMMIT|MEM_RELEASE with a non-zero size is handled bit by bit:
// the MEM_DECOMMIT bit decommits the range, then the MEM_RELEASE bit is refused because of the
// size, and the call fails with E_INVALIDARG (with size 0 it fails cleanly, as VF-FREE-TYPE
// requires).
class CombinedTypeDecommitsFirst final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (type == (MEM_DECOMMIT | MEM_RELEASE) && size != 0) {
      model_.virtual_free(address, size, MEM_DECOMMIT);
      return E_INVALIDARG;
    }
    return model_.virtual_free(address, size, type);
  }
};

// X-ISOLATION: a successful decommit also discards (zeroes) the first page of the most
// recently made other reservation, through a stale one-entry "last region" cache.
class DecommitZeroesOtherRegion final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK && creates_reservation(address, type)) order_.push_back(*allocated);
    return hr;
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    const std::uint64_t own = a ? a->base : 0;
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr != S_OK || type != MEM_DECOMMIT || a == nullptr) return hr;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const Allocation* other = model_.allocation_containing(*it);
      if (*it == own || other == nullptr || other->base != *it) continue;
      if (committed(*it)) zero_page(*it);
      break;
    }
    return hr;
  }

 private:
  std::vector<std::uint64_t> order_;  // bases of the reservations made, oldest first
};

// X-MODEL: a pool that recycles without zeroing once its four fresh chunks are used: from the
// fifth reservation made with a commit on, the new committed pages hold 0xCD bytes.
class DirtyAfterFourAllocations final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr != S_OK || !creates_reservation(address, type) || !((type & ~MEM_TOP_DOWN) & MEM_COMMIT)) return hr;
    if (++fresh_ <= 4) return hr;
    if (const Allocation* a = model_.allocation_containing(*allocated)) {
      const std::uint64_t length = std::min<std::uint64_t>(a->size, 1u << 20);
      model_.adopt_bytes(a->base, std::vector<std::uint8_t>(length, 0xCD));
    }
    return hr;
  }

 private:
  int fresh_ = 0;
};

}  // namespace

void add_cross_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<CombinedTypeDecommitsFirst>(
      "combined-type-decommits-first", "X-NO-EFFECT-ON-FAIL", both_profiles(),
      "VirtualFree with MEM_DECOMMIT|MEM_RELEASE and a non-zero size fails with E_INVALIDARG after decommitting the range"));
  out.push_back(mutant<DecommitZeroesOtherRegion>(
      "decommit-zeroes-other-region", "X-ISOLATION", both_profiles(),
      "a successful decommit also zeroes the first page of the most recently made other reservation"));
  out.push_back(mutant<DirtyAfterFourAllocations>(
      "dirty-after-four-allocations", "X-MODEL", both_profiles(),
      "from the fifth reservation made with a commit on, freshly committed memory holds 0xCD bytes instead of zeros"));
  out.push_back(mutant<RegionTable<3>>(
      "region-table-overflow", "X-MODEL", both_profiles(),
      "a fourth live reservation silently evicts the oldest from a three-slot table, which then can be "
      "neither freed nor committed into"));
}

}  // namespace vmc::mutant_support
