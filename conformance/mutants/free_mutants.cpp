// free_mutants.cpp - mutants of IHostMemoryManager::VirtualFree (VF-* rules).
//
// Each class breaks one VF rule the way emulators, the runtime's PAL and thin wrappers do:
// foreign and interior frees that "succeed", sizes ignored or clamped, a decommit range
// computed from the rounded-down start, size-0 decommit taken for a release, free types tested
// bit by bit, S_FALSE for a redundant decommit, E_FAIL that is not sticky or used for ordinary
// errors, and a misleading failure code. Host faults are handled by ModelWrapper (as the model
// does) before any of these run, except in EfailNotSticky, whose bug is in that logic.
#include <algorithm>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

// VF-FOREIGN: like emulators' VirtualFree hooks, an unknown address "succeeds" (nothing happens).
class ForeignFreeSucceeds final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const hresult hr = model_.virtual_free(address, size, type);
    return hr == HOST_E_INVALIDOPERATION ? S_OK : hr;
  }
};

// VF-RELEASE-BASE: MEM_RELEASE looks the reservation up by any address inside it and releases
// the whole of it, as the runtime's PAL on Unix does.
class InteriorReleaseFreesRegion final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (type == MEM_RELEASE && size == 0)
      if (const Allocation* a = model_.allocation_containing(address)) address = a->base;
    return model_.virtual_free(address, size, type);
  }
};

// VF-RELEASE-SIZE: MEM_RELEASE ignores dwSize and releases the whole reservation.
class ReleaseIgnoresSize final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    return model_.virtual_free(address, type == MEM_RELEASE ? 0 : size, type);
  }
};

// VF-RELEASE-WHOLE: a reservation holding both committed and reserved pages is only
// decommitted by MEM_RELEASE (the release is taken for "give the memory back"), so it stays
// reserved and its range cannot be reserved again.
class ReleaseOnlyDecommitsMixed final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    if (type == MEM_RELEASE && size == 0 && a != nullptr && page_down(address) == a->base) {
      bool any_committed = false, any_reserved = false;
      for (const auto& [first, run] : a->runs) {
        any_committed |= run.state == PageState::committed;
        any_reserved |= run.state == PageState::reserved;
      }
      if (any_committed && any_reserved) return model_.virtual_free(address, 0, MEM_DECOMMIT);
    }
    return model_.virtual_free(address, size, type);
  }
};

// VF-DECOMMIT-RANGE: rounds the start down to a page but keeps dwSize as the length, so a
// range that starts mid-page loses the pages its last bytes are on.
class DecommitLengthNotOffset final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    const bool valid_range = a != nullptr && size != 0 && address + size > address &&
                             page_up(address + size) <= a->base + a->size;
    if (type == MEM_DECOMMIT && valid_range && address % page() != 0)
      return model_.virtual_free(page_down(address), size, type);
    return model_.virtual_free(address, size, type);
  }
};

// VF-DECOMMIT-WHOLE: MEM_DECOMMIT with size 0 releases the reservation instead.
class DecommitWholeReleases final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    return model_.virtual_free(address, size, type == MEM_DECOMMIT && size == 0 ? MEM_RELEASE : type);
  }
};

// VF-SPAN: a decommit range running past the end of its reservation is clamped to the end and
// succeeds, as the runtime's PAL does (it never checks the end).
class DecommitSpanClamped final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    if (type == MEM_DECOMMIT && size != 0 && a != nullptr) {
      const std::uint64_t end = a->base + a->size;
      if (address + size < address || address + size > end) size = end - address;
    }
    return model_.virtual_free(address, size, type);
  }
};

// VF-FREE-TYPE: the free type is tested bit by bit (MEM_RELEASE bit first) instead of compared.
class FreeTypeBitTest final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (type & MEM_RELEASE) type = MEM_RELEASE;
    else if (type & MEM_DECOMMIT) type = MEM_DECOMMIT;
    return model_.virtual_free(address, size, type);
  }
};

// VF-STATUS: a successful MEM_DECOMMIT that found pages already decommitted returns S_FALSE
// ("partly done already") instead of S_OK.
class SFalseRedundantDecommit final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    bool redundant = false;
    if (const Allocation* a = model_.allocation_containing(address); a != nullptr && type == MEM_DECOMMIT) {
      const std::uint64_t first = size == 0 ? a->base : page_down(address);
      const std::uint64_t end =
          size == 0 || address + size < address ? a->base + a->size : std::min(page_up(address + size), a->base + a->size);
      for (std::uint64_t p = first; p < end && !redundant; p += page()) redundant = !committed(p);
    }
    const hresult hr = model_.virtual_free(address, size, type);
    return hr == S_OK && redundant ? S_FALSE : hr;
  }
};

// VF-EFAIL-STICKY: E_FAIL is returned once, and the host then carries on as if nothing happened.
class EfailNotSticky final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    if (pending_fault_ && *pending_fault_ == E_FAIL) {
      pending_fault_.reset();
      return E_FAIL;
    }
    return ModelWrapper::virtual_free(address, size, type);
  }
};

// VF-NO-EFAIL: every Win32 parameter failure (VirtualFree returned FALSE) becomes E_FAIL; the
// host keeps working afterwards.
class EfailForBadArguments final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const hresult hr = model_.virtual_free(address, size, type);
    return hr == E_INVALIDARG || hr == HR_INVALID_ADDRESS ? E_FAIL : hr;
  }
};

// VF-CODE: MEM_RELEASE (or size-0 MEM_DECOMMIT) beyond the first page is answered "not a host
// allocation" (HOST_E_INVALIDOPERATION), because reservations are looked up by their base only.
class InteriorReleaseInvalidOperation final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const hresult hr = model_.virtual_free(address, size, type);
    return hr == HR_INVALID_ADDRESS ? HOST_E_INVALIDOPERATION : hr;
  }
};

}  // namespace

void add_free_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<ForeignFreeSucceeds>(
      "foreign-free-succeeds", "VF-FOREIGN", both_profiles(),
      "freeing an address the host never allocated (or already released) returns S_OK and does nothing"));
  out.push_back(mutant<InteriorReleaseFreesRegion>(
      "interior-release-frees-region", "VF-RELEASE-BASE", both_profiles(),
      "MEM_RELEASE at any address inside a reservation releases the whole reservation"));
  out.push_back(mutant<ReleaseIgnoresSize>(
      "release-ignores-size", "VF-RELEASE-SIZE", both_profiles(),
      "MEM_RELEASE with a non-zero size is accepted and releases the whole reservation"));
  out.push_back(mutant<ReleaseOnlyDecommitsMixed>(
      "release-only-decommits-mixed", "VF-RELEASE-WHOLE", both_profiles(),
      "MEM_RELEASE of a reservation holding both committed and reserved pages only decommits it, so it stays reserved"));
  out.push_back(mutant<DecommitLengthNotOffset>(
      "decommit-length-not-offset", "VF-DECOMMIT-RANGE", both_profiles(),
      "a decommit starting mid-page rounds the start down but keeps dwSize, so the page holding its last "
      "bytes stays committed"));
  out.push_back(mutant<DecommitWholeReleases>(
      "decommit-whole-releases", "VF-DECOMMIT-WHOLE", both_profiles(),
      "MEM_DECOMMIT with size 0 at the base releases the reservation instead of decommitting it"));
  out.push_back(mutant<DecommitSpanClamped>(
      "decommit-span-clamped", "VF-SPAN", both_profiles(),
      "a MEM_DECOMMIT range running past the end of its reservation is clamped to the end and succeeds"));
  out.push_back(mutant<FreeTypeBitTest>(
      "free-type-bit-test", "VF-FREE-TYPE", both_profiles(),
      "free types are tested bit by bit, so MEM_DECOMMIT|MEM_RELEASE or MEM_RELEASE|1 release and "
      "MEM_DECOMMIT|2 decommits"));
  out.push_back(mutant<SFalseRedundantDecommit>(
      "s-false-redundant-decommit", "VF-STATUS", both_profiles(),
      "a successful MEM_DECOMMIT whose range held already decommitted pages returns S_FALSE"));
  out.push_back(mutant<EfailNotSticky>(
      "efail-not-sticky", "VF-EFAIL-STICKY", both_profiles(),
      "after returning E_FAIL the host keeps working instead of returning HOST_E_CLRNOTAVAILABLE"));
  out.push_back(mutant<EfailForBadArguments>(
      "efail-for-bad-arguments", "VF-NO-EFAIL", both_profiles(),
      "ordinary failures (bad free type or size, interior address, range past the end) return E_FAIL"));
  out.push_back(mutant<InteriorReleaseInvalidOperation>(
      "interior-release-invalid-operation", "VF-CODE", win32_only(),
      "MEM_RELEASE or size-0 MEM_DECOMMIT beyond the first page returns HOST_E_INVALIDOPERATION instead of "
      "ERROR_INVALID_ADDRESS"));
}

}  // namespace vmc::mutant_support
