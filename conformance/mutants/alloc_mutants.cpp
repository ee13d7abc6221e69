// alloc_mutants.cpp - mutants of IJsDebugDataTarget::AllocateVirtualMemory (AVM-* rules).
//
// Each class breaks one AVM rule the way emulators and thin Win32/POSIX wrappers do: no size
// rounding, recycled memory handed out without zeroing, page-aligned (not granule-aligned)
// bases, MEM_RESERVE or MEM_COMMIT doing too much, MAP_FIXED-style recommits that zero pages,
// ignored or unvalidated protections, MEM_RESET implemented as a decommit, a commit loop that
// does not roll back, and sloppy failure codes. The plain setup steps of the properties
// (address-0 MEM_COMMIT|MEM_RESERVE of whole pages, READWRITE) keep working in every mutant
// except where that step is the rule itself (AVM-STATUS, see its comment).
#include <algorithm>
#include <map>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

constexpr std::uint64_t kMaxTrackedPages = 1u << 16;  // bounds per-page bookkeeping

std::uint32_t kind_of(std::uint32_t type) { return type & ~MEM_TOP_DOWN; }

// AVM-ROUND: the allocation is exactly `size` bytes long; the rest of its last page is unusable.
class NoSizeRounding final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK && address == 0 && creates_reservation(address, type) && size % page() != 0)
      requested_end_[*allocated] = *allocated + size;
    return hr;
  }
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const auto end = requested_end(address);
    if (n > 0 && bytes_read != nullptr && end && address >= *end) {
      *bytes_read = 0;
      return HR_PARTIAL_COPY;
    }
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (hr == S_OK && end && address + *bytes_read > *end) *bytes_read = static_cast<std::uint32_t>(*end - address);
    return hr;
  }
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    for (const auto& [base, end] : requested_end_)
      if (n > 0 && address < page_up(end) && end < address + n && model_.allocation_containing(base))
        return HR_NOACCESS;
    return model_.write_virtual(address, buffer, n);
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    const std::uint64_t base = a ? a->base : 0;
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr == S_OK && type == MEM_RELEASE && a) requested_end_.erase(base);
    return hr;
  }

 private:
  /// The requested end of the live allocation holding `address`, if it was not page-rounded.
  std::optional<std::uint64_t> requested_end(std::uint64_t address) const {
    const Allocation* a = model_.allocation_containing(address);
    if (a == nullptr) return std::nullopt;
    auto it = requested_end_.find(a->base);
    if (it == requested_end_.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::uint64_t, std::uint64_t> requested_end_;  // allocation base -> base + size
};

// AVM-ZERO: pages given back by a decommit or a release keep their bytes, and a later commit
// of the same addresses hands them out again unzeroed, as a recycling allocator without a
// memset does.
class RecycledNotZeroed final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr != S_OK) return hr;
    // Recorded pages are never committed, so a recorded page committed now was committed by this call.
    for (auto it = stale_.begin(); it != stale_.end();) {
      if (committed(it->first)) {
        model_.adopt_bytes(it->first, it->second);
        it = stale_.erase(it);
      } else {
        ++it;
      }
    }
    return hr;
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    if (a == nullptr || a->size / page() > kMaxTrackedPages) return model_.virtual_free(address, size, type);
    std::map<std::uint64_t, std::vector<std::uint8_t>> before;
    for (std::uint64_t p = a->base; p < a->base + a->size; p += page()) {
      if (!model_.readable(p)) continue;
      std::vector<std::uint8_t> bytes(page());
      std::uint32_t n = 0;
      if (model_.read_virtual(p, bytes.data(), static_cast<std::uint32_t>(page()), &n) == S_OK && n == page())
        before.emplace(p, std::move(bytes));
    }
    const hresult hr = model_.virtual_free(address, size, type);
    if (hr != S_OK) return hr;
    for (auto& [p, bytes] : before)
      if (!committed(p)) stale_[p] = std::move(bytes);
    return hr;
  }

 private:
  std::map<std::uint64_t, std::vector<std::uint8_t>> stale_;  // page -> bytes it held
};

// AVM-BASE: the backend allocates with page granularity (mmap) but still reports 64 KiB.
class PageAlignedBases final : public ModelWrapper {
 public:
  explicit PageAlignedBases(std::uint64_t seed) : ModelWrapper(config(seed)) {}
  std::uint32_t allocation_granularity() const override { return 0x10000; }

 private:
  static ModelConfig config(std::uint64_t seed) {
    ModelConfig c = model_config(seed);
    c.allocation_granularity = 0x1000;
    return c;
  }
};

// AVM-STATUS: MEM_COMMIT|MEM_RESERVE whose size had to be rounded up returns S_FALSE ("you
// got more than you asked for"). Inevitably a setup failure for AVM-ROUND, which allocates
// such sizes with must_alloc.
class SFalseRoundedAlloc final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    const bool rounded = kind_of(type) == (MEM_COMMIT | MEM_RESERVE) && size % page() != 0;
    return hr == S_OK && rounded ? S_FALSE : hr;
  }
};

// AVM-RESERVE-ONLY: reservations are made accessible straight away (mmap read-write).
class ReserveAlsoCommits final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    if (kind_of(type) == MEM_RESERVE) type |= MEM_COMMIT;
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// AVM-COMMIT-RESERVED: MEM_COMMIT at an explicit address where nothing is reserved reserves
// the range as well, as emulators' VirtualAlloc does.
class CommitReservesFree final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == HR_INVALID_ADDRESS && address != 0 && kind_of(type) == MEM_COMMIT &&
        model_.allocation_containing(address) == nullptr)
      return model_.allocate_virtual_memory(address, size, type | MEM_RESERVE, protect, allocated);
    return hr;
  }
};

// AVM-RECOMMIT-KEEPS: commits with mmap(MAP_FIXED), which replaces committed pages by zeros.
class RecommitZeroes final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    std::vector<std::uint64_t> was_committed;
    if (kind_of(type) == MEM_COMMIT && address != 0 && size / page() < kMaxTrackedPages)
      for (std::uint64_t p : pages_of(address, size))
        if (committed(p)) was_committed.push_back(p);
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK)
      for (std::uint64_t p : was_committed) zero_page(p);
    return hr;
  }
};

// AVM-PROTECT: the one-step reserve-and-commit path ignores pageProtection (always
// PAGE_READWRITE), as emulators' VirtualAlloc hooks do; committing reserved pages honours it.
class AllocIgnoresProtection final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    if ((kind_of(type) & MEM_COMMIT) && creates_reservation(address, type) && valid_page_protection(protect))
      protect = PAGE_READWRITE;
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// AVM-INVALID: size 0 is not rejected; the rounding makes it one page.
class ZeroSizeAccepted final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    return model_.allocate_virtual_memory(address, size == 0 ? 1 : size, type, protect, allocated);
  }
};

// AVM-INVALID: protections are translated with a default branch: anything unknown or illegal
// becomes PAGE_READWRITE instead of failing.
class UnknownProtectionAsReadWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    if (!valid_page_protection(protect)) protect = PAGE_READWRITE;
    return model_.allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

// AVM-RESET: MEM_RESET is implemented as a decommit (madvise plus PROT_NONE).
class ResetDecommits final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK && type == MEM_RESET) {
      const std::uint64_t first = page_down(address);
      model_.virtual_free(first, page_up(address + size) - first, MEM_DECOMMIT);
    }
    return hr;
  }
};

// AVM-NO-EFFECT-ON-FAIL: a MEM_COMMIT running past the end of its reservation commits page by
// page and fails at the first page outside it, without rolling back.
class FailedCommitKeepsPrefix final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr != HR_INVALID_ADDRESS || address == 0 || kind_of(type) != MEM_COMMIT) return hr;
    const Allocation* a = model_.allocation_containing(page_down(address));
    if (a == nullptr || page_up(address + size) <= a->base + a->size) return hr;
    std::uint64_t ignored = 0;
    model_.allocate_virtual_memory(address, static_cast<std::uint32_t>(a->base + a->size - address), MEM_COMMIT,
                                   protect, &ignored);
    *allocated = 0;
    return hr;
  }
};

// AVM-CODE: *pAllocatedAddress is only assigned on success.
class AllocOutUntouchedOnFailure final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const std::uint64_t old = allocated ? *allocated : 0;
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    if (failed(hr) && allocated) *allocated = old;
    return hr;
  }
};

// AVM-CODE: conflicts and commits outside a reservation are reported as E_INVALIDARG.
class ConflictAsInvalidArg final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    const hresult hr = model_.allocate_virtual_memory(address, size, type, protect, allocated);
    return hr == HR_INVALID_ADDRESS ? E_INVALIDARG : hr;
  }
};

}  // namespace

void add_alloc_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<NoSizeRounding>(
      "no-size-rounding", "AVM-ROUND", both_profiles(),
      "an address-0 allocation is exactly `size` bytes: the rest of its last page can be neither read nor written"));
  out.push_back(mutant<RecycledNotZeroed>(
      "recycled-memory-not-zeroed", "AVM-ZERO", both_profiles(),
      "pages decommitted or released keep their bytes and come back with them when committed again"));
  out.push_back(mutant<PageAlignedBases>(
      "page-aligned-bases", "AVM-BASE", both_profiles(),
      "system-chosen and explicit reservation bases are only page-aligned, while the reported granularity is 64 KiB"));
  out.push_back(mutant<SFalseRoundedAlloc>(
      "s-false-rounded-alloc", "AVM-STATUS", both_profiles(),
      "a successful MEM_COMMIT|MEM_RESERVE whose size is not a page multiple returns S_FALSE"));
  out.push_back(mutant<ReserveAlsoCommits>(
      "reserve-also-commits", "AVM-RESERVE-ONLY", both_profiles(),
      "MEM_RESERVE alone also commits the pages, so reserved memory can be read and written"));
  out.push_back(mutant<CommitReservesFree>(
      "commit-reserves-free-memory", "AVM-COMMIT-RESERVED", both_profiles(),
      "MEM_COMMIT alone at an explicit address in free memory succeeds by reserving the range too"));
  out.push_back(mutant<RecommitZeroes>(
      "recommit-zeroes", "AVM-RECOMMIT-KEEPS", both_profiles(),
      "MEM_COMMIT over already committed pages replaces them with zero pages (mmap MAP_FIXED)"));
  out.push_back(mutant<AllocIgnoresProtection>(
      "alloc-ignores-protection", "AVM-PROTECT", both_profiles(),
      "an allocation that reserves and commits in one call ignores pageProtection and commits PAGE_READWRITE"));
  out.push_back(mutant<ZeroSizeAccepted>(
      "zero-size-accepted", "AVM-INVALID", both_profiles(),
      "size 0 is accepted and allocates one page"));
  out.push_back(mutant<UnknownProtectionAsReadWrite>(
      "unknown-protection-as-readwrite", "AVM-INVALID", both_profiles(),
      "invalid protections (0, WRITECOPY, several base bits, illegal modifiers) are accepted as PAGE_READWRITE"));
  out.push_back(mutant<ResetDecommits>(
      "reset-decommits", "AVM-RESET", both_profiles(),
      "MEM_RESET decommits the pages instead of leaving them committed"));
  out.push_back(mutant<FailedCommitKeepsPrefix>(
      "failed-commit-keeps-prefix", "AVM-NO-EFFECT-ON-FAIL", both_profiles(),
      "a MEM_COMMIT running past the end of its reservation fails but leaves the pages inside the reservation committed"));
  out.push_back(mutant<AllocOutUntouchedOnFailure>(
      "alloc-out-untouched-on-failure", "AVM-CODE", win32_only(),
      "a failed allocation leaves *pAllocatedAddress untouched instead of setting it to 0"));
  out.push_back(mutant<ConflictAsInvalidArg>(
      "conflict-as-invalidarg", "AVM-CODE", win32_only(),
      "a conflicting reservation or a commit outside a reservation returns E_INVALIDARG instead of ERROR_INVALID_ADDRESS"));
}

}  // namespace vmc::mutant_support
