// read_mutants.cpp - mutants of ICorDebugDataTarget::ReadVirtual (RV-* rules), the observer.
//
// A read mutant must not blind the suite: every property observes the target through
// ReadVirtual, page by page. So these bugs only show on reads that run into unreadable memory
// (all-or-nothing reads, a claimed full length, a halving retry), on unreadable reads that
// cross a page boundary, on zero-byte reads, or on the unused rest of a reservation's last
// 64 KiB granule; whole-page reads of committed readable pages stay correct, and observations
// of the other rules stay true.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

// RV-FIRST-BYTE: one ReadProcessMemory for the whole range; a partial copy fails the call.
class AllOrNothingRead final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (hr == S_OK && bytes_read != nullptr && *bytes_read < n) {
      *bytes_read = 0;
      return HR_PARTIAL_COPY;
    }
    return hr;
  }
};

// RV-FIRST-BYTE: a short read reports the full length, the tail of the buffer being zeros.
class ReadClaimsFullLength final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (hr == S_OK && bytes_read != nullptr && buffer != nullptr && *bytes_read < n) {
      std::memset(buffer + *bytes_read, 0, n - *bytes_read);
      *bytes_read = n;
    }
    return hr;
  }
};

// RV-FAIL: the backend maps whole 64 KiB granules, so the unused rest of a reservation's last
// granule reads as zeros instead of failing.
class GranuleTailReadable final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (!failed(hr) || n == 0 || buffer == nullptr || bytes_read == nullptr) return hr;
    const auto& allocations = model_.allocations();
    auto it = allocations.upper_bound(address);
    if (it == allocations.begin()) return hr;
    const Allocation& a = std::prev(it)->second;
    const std::uint64_t g = model_.allocation_granularity();
    const std::uint64_t end = a.base + a.size, granule_end = (end + g - 1) / g * g;
    if (address < end || address >= granule_end) return hr;
    const std::uint32_t count = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, granule_end - address));
    std::memset(buffer, 0, count);
    *bytes_read = count;
    return S_OK;
  }
};

// RV-FAIL: reads crossing a page boundary go through a page-chunk loop that stops at the first
// failing chunk and reports what it read so far, so an unreadable first page becomes S_OK with
// 0 bytes; reads within one page fail correctly.
class ChunkedReadFaultAsEmpty final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    const bool chunked = n > 0 && address + n - 1 >= address && page_down(address) != page_down(address + n - 1);
    if (failed(hr) && chunked && buffer != nullptr && bytes_read != nullptr) {
      *bytes_read = 0;
      return S_OK;
    }
    return hr;
  }
};

// RV-PREFIX: when the whole range cannot be read, retries with half the size until a read
// succeeds, so it returns the largest bytesRequested/2^k that fits, not the whole prefix.
class HalvingRetryRead final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const hresult hr = model_.read_virtual(address, buffer, n, bytes_read);
    if (hr == S_OK && bytes_read != nullptr && *bytes_read < n) {
      std::uint32_t m = n;
      while (m > *bytes_read) m /= 2;
      *bytes_read = m;
    }
    return hr;
  }
};

// RV-ZERO-LENGTH: rejects zero-byte reads as an invalid argument.
class ZeroLengthReadInvalid final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    if (n == 0) {
      if (bytes_read != nullptr) *bytes_read = 0;
      return E_INVALIDARG;
    }
    return model_.read_virtual(address, buffer, n, bytes_read);
  }
};

}  // namespace

void add_read_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<AllOrNothingRead>(
      "all-or-nothing-read", "RV-FIRST-BYTE", both_profiles(),
      "a read that runs into unreadable memory fails with ERROR_PARTIAL_COPY and 0 bytes, though its first "
      "byte is readable"));
  out.push_back(mutant<ReadClaimsFullLength>(
      "read-claims-full-length", "RV-FIRST-BYTE", both_profiles(),
      "a read that runs into unreadable memory reports every requested byte as read, the unreadable ones as zeros"));
  out.push_back(mutant<GranuleTailReadable>(
      "granule-tail-readable", "RV-FAIL", both_profiles(),
      "reads starting in the unused rest of a reservation's last 64 KiB granule succeed and return zeros"));
  out.push_back(mutant<ChunkedReadFaultAsEmpty>(
      "chunked-read-fault-as-empty", "RV-FAIL", both_profiles(),
      "a read crossing a page boundary whose first byte is unreadable returns S_OK with *pBytesRead = 0"));
  out.push_back(mutant<HalvingRetryRead>(
      "halving-retry-read", "RV-PREFIX", win32_only(),
      "a read that runs into unreadable memory is retried with half the size until it succeeds, returning "
      "less than the readable prefix"));
  out.push_back(mutant<ZeroLengthReadInvalid>(
      "zero-length-read-invalidarg", "RV-ZERO-LENGTH", win32_only(),
      "zero-byte reads return E_INVALIDARG instead of S_OK"));
}

}  // namespace vmc::mutant_support
