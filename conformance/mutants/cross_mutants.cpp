// cross_mutants.cpp - mutants of the rules that span the three operations (X-* rules).
//
// X-NO-EFFECT-ON-FAIL: a host fault reported after the work was done. X-ISOLATION: a decommit
// that also discards a page of another reservation through a stale one-entry cache. X-MODEL:
// bugs that only a sequence of operations reveals, longer than any single-rule property runs:
// fresh memory that stops being zero after four reservations, a region table that silently
// overflows at five live reservations, and decommitted pages that keep their bytes from the
// third decommit on. Each keeps the setup steps of the properties intact.
#include <algorithm>
#include <deque>
#include <set>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

bool creates_reservation(std::uint64_t address, std::uint32_t type) {
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  return kind != MEM_RESET && (address == 0 || (kind & MEM_RESERVE));
}

// X-NO-EFFECT-ON-FAIL: a host failure other than E_FAIL (HOST_E_TIMEOUT...) is noticed only
// after the free was carried out, and then reported.
class HostFaultAfterFree final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (!unavailable_ && pending_fault_ && *pending_fault_ != E_FAIL) {
      const hresult fault = *pending_fault_;
      pending_fault_.reset();
      model_.virtual_free(address, size, type);
      return fault;
    }
    return ModelWrapper::virtual_free(address, size, type);
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

// X-MODEL: the host's region table has four slots; a fifth live reservation silently evicts
// the oldest entry, which from then on cannot be freed (HOST_E_INVALIDOPERATION) and leaks.
class RegionTableOverflow final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr != S_OK || !creates_reservation(address, type)) return hr;
    if (table_.size() == 4) {
      forgotten_.insert(table_.front());
      table_.pop_front();
    }
    table_.push_back(*allocated);
    return hr;
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    if (a != nullptr && forgotten_.count(a->base)) return HOST_E_INVALIDOPERATION;
    const std::uint64_t base = a ? a->base : 0;
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr == S_OK && type == MEM_RELEASE && a != nullptr) table_.erase(std::remove(table_.begin(), table_.end(), base), table_.end());
    return hr;
  }

 private:
  std::deque<std::uint64_t> table_;   // the four slots, oldest first
  std::set<std::uint64_t> forgotten_;  // evicted (leaked) reservations
};

}  // namespace

void add_cross_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<HostFaultAfterFree>(
      "host-fault-after-free", "X-NO-EFFECT-ON-FAIL", both_profiles(),
      "a VirtualFree that fails with a host fault such as HOST_E_TIMEOUT has already freed the memory"));
  out.push_back(mutant<DecommitZeroesOtherRegion>(
      "decommit-zeroes-other-region", "X-ISOLATION", both_profiles(),
      "a successful decommit also zeroes the first page of the most recently made other reservation"));
  out.push_back(mutant<DirtyAfterFourAllocations>(
      "dirty-after-four-allocations", "X-MODEL", both_profiles(),
      "from the fifth reservation made with a commit on, freshly committed memory holds 0xCD bytes instead of zeros"));
  out.push_back(mutant<RegionTableOverflow>(
      "region-table-overflow", "X-MODEL", both_profiles(),
      "a fifth live reservation silently evicts the oldest from a four-slot table, which then cannot be freed"));
  out.push_back(MutantInfo{
      "stale-after-three-decommits", "X-MODEL",
      "from the third successful decommit on, decommitted pages keep their bytes and show them again when recommitted",
      both_profiles(), [](std::uint64_t seed) { return make_recycling_target(seed, 2, false); }});
}

}  // namespace vmc::mutant_support
