// mutant_support.hpp - the private toolkit of the mutants (conformance/mutants/, and the legal
// variants of conformance/tests/variants_test.cpp, which are mutants that break no rule).
//
// ModelWrapper is a Target that owns a correct ReferenceModel and forwards every call to it;
// a mutant derives from it and overrides the one operation it breaks. The wrapper handles
// injected host faults itself (exactly as the model does: a pending fault is returned by the
// next VirtualFree, and E_FAIL makes the host unavailable), so that a mutant may call the
// model's virtual_free internally without consuming a fault, and so that the fault mutant
// (efail-not-sticky) can change that logic alone. The page helpers read the model's state
// (PageView) without side effects. Each mutants file adds its mutants through one
// add_*_mutants function, which registry.cpp calls once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <set>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vmconform/constants.hpp"
#include "vmconform/locked_target.hpp"
#include "vmconform/mutants.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc::mutant_support {

/// True for a call that makes a new reservation (address 0, or MEM_RESERVE at an address).
inline bool creates_reservation(std::uint64_t address, std::uint32_t type) {
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  return kind != MEM_RESET && (address == 0 || (kind & MEM_RESERVE));
}

inline ModelConfig model_config(std::uint64_t seed) {
  ModelConfig c;
  c.seed = seed;
  return c;
}

class ModelWrapper : public Target {
 public:
  explicit ModelWrapper(std::uint64_t seed) : model_(model_config(seed)) {}
  explicit ModelWrapper(const ModelConfig& config) : model_(config) {}

  std::uint32_t page_size() const override { return model_.page_size(); }
  std::uint32_t allocation_granularity() const override { return model_.allocation_granularity(); }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
  /// Host faults first (as the model does), then free_op.
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (auto fault = take_host_fault()) return *fault;
    return free_op(address, size, type);
  }
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    return model_.write_virtual(address, buffer, n);
  }
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    return model_.read_virtual(address, buffer, n, bytes_read);
  }
  bool has_query() const override { return model_.has_query(); }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override {
    return model_.query_virtual(address, info);
  }
  std::vector<ForeignMemory> foreign_memory() override { return model_.foreign_memory(); }
  bool inject_host_fault(hresult code) override {
    pending_fault_ = code;
    return true;
  }

 protected:
  /// VirtualFree once the host-fault checks have passed; the model's, unless a mutant says otherwise.
  virtual hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) {
    return model_.virtual_free(address, size, type);
  }
  /// The model's fault logic: sticky unavailability after E_FAIL, then a one-shot pending fault.
  std::optional<hresult> take_host_fault() {
    if (unavailable_) return HOST_E_CLRNOTAVAILABLE;
    if (!pending_fault_) return std::nullopt;
    const hresult fault = *pending_fault_;
    pending_fault_.reset();
    if (fault == E_FAIL) unavailable_ = true;
    return fault;
  }

  // --- page helpers -----------------------------------------------------------------------
  std::uint64_t page() const { return model_.page_size(); }
  std::uint64_t page_down(std::uint64_t a) const { return a - a % page(); }
  std::uint64_t page_up(std::uint64_t a) const { return page_down(a + page() - 1); }
  static std::uint32_t base_protect(std::uint32_t protect) { return protect & 0xFF; }
  bool committed(std::uint64_t a) const {
    const auto v = model_.page_at(a);
    return v.allocated && v.state == PageState::committed;
  }
  /// Committed, not a guard page, and one of the given base protections.
  bool committed_with(std::uint64_t a, std::initializer_list<std::uint32_t> bases) const {
    const auto v = model_.page_at(a);
    if (!v.allocated || v.state != PageState::committed || (v.protect & PAGE_GUARD)) return false;
    for (std::uint32_t b : bases)
      if (base_protect(v.protect) == b) return true;
    return false;
  }
  /// Start addresses of the pages holding a byte of [address, address+n) (none if it wraps).
  std::vector<std::uint64_t> pages_of(std::uint64_t address, std::uint64_t n) const {
    std::vector<std::uint64_t> out;
    if (n == 0 || address + n - 1 < address) return out;
    for (std::uint64_t p = page_down(address); p <= address + n - 1; p += page()) {
      out.push_back(p);
      if (p + page() < p) break;
    }
    return out;
  }
  template <typename Pred>
  bool all_pages(std::uint64_t address, std::uint64_t n, Pred pred) const {
    const auto ps = pages_of(address, n);
    if (ps.empty()) return false;
    for (std::uint64_t p : ps)
      if (!pred(p)) return false;
    return true;
  }
  template <typename Pred>
  bool any_page(std::uint64_t address, std::uint64_t n, Pred pred) const {
    for (std::uint64_t p : pages_of(address, n))
      if (pred(p)) return true;
    return false;
  }
  /// Plain read/write-able memory: committed PAGE_READWRITE or PAGE_EXECUTE_READWRITE.
  bool read_write_page(std::uint64_t p) const {
    return committed_with(p, {PAGE_READWRITE, PAGE_EXECUTE_READWRITE});
  }
  /// Overwrites whole page `p` with zeros in the model (its state is unchanged).
  void zero_page(std::uint64_t p) { model_.adopt_bytes(p, std::vector<std::uint8_t>(page(), 0)); }

  ReferenceModel model_;
  std::optional<hresult> pending_fault_;
  bool unavailable_ = false;
};

inline const std::vector<std::string>& both_profiles() {
  static const std::vector<std::string> p{"documented", "win32"};
  return p;
}
inline const std::vector<std::string>& win32_only() {
  static const std::vector<std::string> p{"win32"};
  return p;
}

/// A MutantInfo whose `make` builds an M from the seed, behind one lock (LockedTarget): a model
/// mutant's bug is sequential, so concurrent callers (X-LINEARIZABLE) find it serialized.
template <typename M>
MutantInfo mutant(std::string name, std::string rule, std::vector<std::string> profiles,
                  std::string description) {
  return MutantInfo{std::move(name), std::move(rule), std::move(description), std::move(profiles),
                    [](std::uint64_t seed) -> std::unique_ptr<Target> {
                      return std::make_unique<LockedTarget>(std::make_unique<M>(seed));
                    }};
}

void add_write_mutants(std::vector<MutantInfo>& out);
void add_read_mutants(std::vector<MutantInfo>& out);
void add_alloc_mutants(std::vector<MutantInfo>& out);
void add_free_mutants(std::vector<MutantInfo>& out);
void add_cross_mutants(std::vector<MutantInfo>& out);
void add_coverage_mutants(std::vector<MutantInfo>& out);
void add_concurrency_mutants(std::vector<MutantInfo>& out);

/// A host whose region table has `Slots` slots: one more live reservation silently evicts the
/// oldest entry, which from then on cannot be freed (HOST_E_INVALIDOPERATION) or committed into
/// (ERROR_INVALID_ADDRESS), and leaks. Mutants region-table-overflow (3) and region-table-64.
template <std::size_t Slots>
class RegionTable final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const std::uint32_t kind = type & ~MEM_TOP_DOWN;
    const bool reserves = kind != MEM_RESET && (address == 0 || (kind & MEM_RESERVE));
    if (!reserves && address != 0) {  // a commit or reset looks the region up
      const Allocation* a = model_.allocation_containing(address);
      if (a != nullptr && forgotten_.count(a->base)) {
        if (allocated != nullptr) *allocated = 0;
        return HR_INVALID_ADDRESS;
      }
    }
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr != S_OK || !reserves) return hr;
    if (table_.size() == Slots) {
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
    if (hr == S_OK && type == MEM_RELEASE && a != nullptr)
      table_.erase(std::remove(table_.begin(), table_.end(), base), table_.end());
    return hr;
  }

 private:
  std::deque<std::uint64_t> table_;    // the slots, oldest first
  std::set<std::uint64_t> forgotten_;  // evicted (leaked) reservations
};

}  // namespace vmc::mutant_support
