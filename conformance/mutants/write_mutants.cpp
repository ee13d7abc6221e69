// write_mutants.cpp - mutants of ICorDebugMutableDataTarget::WriteVirtual (WV-* rules).
//
// Each class breaks one WV rule the way a real data target does: a kernel-style copy loop
// that stops at the first fault (partial write), a stub or chunking bug that reports success
// without landing every byte, protection checks that are missing (guard, read-only) or too
// strict (code pages), wrong status or failure codes, and a writer that wipes the caller's
// buffer. Writes that the properties use as setup steps (whole-page fills of read-write
// memory) are left intact wherever the rule allows it, so that each mutant is caught by its
// own rule rather than by a failed setup.
#include <algorithm>
#include <cstring>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

// WV-ATOMIC: copies page by page up to the first unwritable page, then reports the failure.
class PartialWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    if (!failed(hr) || buffer == nullptr) return hr;
    std::uint32_t done = 0;
    while (done < n && address + done >= address && model_.writable(address + done)) {
      const std::uint64_t at = address + done;
      const std::uint64_t chunk = std::min<std::uint64_t>(n - done, page_down(at) + page() - at);
      model_.write_virtual(at, buffer + done, static_cast<std::uint32_t>(chunk));
      done += static_cast<std::uint32_t>(chunk);
    }
    return done > 0 ? HR_PARTIAL_COPY : hr;
  }
};

// WV-ROUNDTRIP: a write-combining buffer for small multi-byte writes that is never flushed
// (single-byte writes, such as breakpoints, go straight through).
class PhantomSmallWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    if (buffer != nullptr && n >= 2 && n <= 16 &&
        all_pages(address, n, [this](std::uint64_t p) { return read_write_page(p); }))
      return S_OK;  // "buffered"
    return model_.write_virtual(address, buffer, n);
  }
};

// WV-ROUNDTRIP: the second chunk of a write that starts mid-page and crosses a page boundary
// is computed one byte short.
class StraddleDropsLastByte final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const bool straddles = n >= 2 && address % page() != 0 && page_down(address) != page_down(address + n - 1);
    if (buffer != nullptr && straddles &&
        all_pages(address, n, [this](std::uint64_t p) { return read_write_page(p); })) {
      const hresult hr = model_.write_virtual(address, buffer, n - 1);
      return failed(hr) ? hr : S_OK;
    }
    return model_.write_virtual(address, buffer, n);
  }
};

// WV-UNWRITABLE: PAGE_GUARD is kept only as bookkeeping and not checked on the write path.
class GuardPageWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    if (!failed(hr) || buffer == nullptr) return hr;
    const auto guard = [this](std::uint64_t p) {
      const auto v = model_.page_at(p);
      return v.allocated && v.state == PageState::committed && (v.protect & PAGE_GUARD) &&
             (base_protect(v.protect) == PAGE_READWRITE || base_protect(v.protect) == PAGE_EXECUTE_READWRITE);
    };
    if (!any_page(address, n, guard) ||
        !all_pages(address, n, [&](std::uint64_t p) { return model_.writable(p) || guard(p); }))
      return hr;
    model_.adopt_bytes(address, std::vector<std::uint8_t>(buffer, buffer + n));
    return S_OK;
  }
};

// WV-UNWRITABLE: writes the bytes that fall on committed pages of the reservation, skips the
// reserved (uncommitted) ones and reports success, as emulators writing "what is mapped" do.
class WriteSkipsUncommitted final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    if (!failed(hr) || buffer == nullptr) return hr;
    const auto reserved = [this](std::uint64_t p) {
      const auto v = model_.page_at(p);
      return v.allocated && v.state == PageState::reserved;
    };
    if (!any_page(address, n, [this](std::uint64_t p) { return model_.writable(p); }) ||
        !all_pages(address, n, [&](std::uint64_t p) { return model_.writable(p) || reserved(p); }))
      return hr;
    for (std::uint64_t p : pages_of(address, n)) {
      if (!model_.writable(p)) continue;
      const std::uint64_t from = std::max(p, address), to = std::min(p + page(), address + n);
      model_.write_virtual(from, buffer + (from - address), static_cast<std::uint32_t>(to - from));
    }
    return S_OK;
  }
};

// WV-STATUS: a page-wise writer returns S_FALSE ("merged into a partly written page") for a
// successful multi-byte write to read-write memory that does not cover whole pages.
class SFalsePartialPageWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const bool whole_pages = address % page() == 0 && n % page() == 0;
    const bool read_write = all_pages(address, n, [this](std::uint64_t p) { return read_write_page(p); });
    const hresult hr = model_.write_virtual(address, buffer, n);
    return hr == S_OK && n > 1 && !whole_pages && read_write ? S_FALSE : hr;
  }
};

// WV-CODE-READONLY: failures are reported as E_ACCESSDENIED (a read-only target too).
class AccessDeniedWriteCode final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    return failed(hr) ? hresult_from_win32(ERROR_ACCESS_DENIED) : hr;
  }
};

// WV-READONLY: writes through ptrace or /proc/PID/mem, which ignore page protection.
class ReadonlyWriteSucceeds final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    if (!failed(hr) || buffer == nullptr) return hr;
    const auto readonly = [this](std::uint64_t p) { return committed_with(p, {PAGE_READONLY}); };
    if (!any_page(address, n, readonly) ||
        !all_pages(address, n, [&](std::uint64_t p) { return model_.writable(p) || readonly(p); }))
      return hr;
    model_.adopt_bytes(address, std::vector<std::uint8_t>(buffer, buffer + n));
    return S_OK;
  }
};

// WV-EXEC: writes with process_vm_writev, which honours protection, so code pages are refused.
class ExecWriteRefused final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    if (any_page(address, n, [this](std::uint64_t p) { return committed_with(p, {PAGE_EXECUTE, PAGE_EXECUTE_READ}); }))
      return HR_NOACCESS;
    return model_.write_virtual(address, buffer, n);
  }
};

// WV-ZERO-LENGTH-WRITABLE: rejects zero-byte writes as an invalid argument, even in writable memory.
class ZeroLengthWriteInvalid final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    return n == 0 ? E_INVALIDARG : model_.write_virtual(address, buffer, n);
  }
};

// WV-BUFFER-CONST: wipes the caller's buffer after the copy (meant for its own staging copy).
class BufferScribble final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = model_.write_virtual(address, buffer, n);
    if (buffer != nullptr && n > 0) std::memset(const_cast<std::uint8_t*>(buffer), 0, n);
    return hr;
  }
};

}  // namespace

void add_write_mutants(std::vector<MutantInfo>& out) {
  out.push_back(mutant<PartialWrite>(
      "partial-write", "WV-ATOMIC", both_profiles(),
      "a failing write copies page by page up to the first unwritable page before it reports ERROR_PARTIAL_COPY"));
  out.push_back(mutant<PhantomSmallWrite>(
      "phantom-small-write", "WV-ROUNDTRIP", both_profiles(),
      "writes of 2 to 16 bytes to read-write memory return S_OK but are never written (an unflushed write buffer)"));
  out.push_back(mutant<StraddleDropsLastByte>(
      "straddle-drops-last-byte", "WV-ROUNDTRIP", both_profiles(),
      "a write to read-write memory that starts mid-page and crosses a page boundary loses its last byte but returns S_OK"));
  out.push_back(mutant<GuardPageWrite>(
      "guard-page-write", "WV-UNWRITABLE", both_profiles(),
      "writes touching committed read-write PAGE_GUARD pages succeed, because the guard modifier is not checked"));
  out.push_back(mutant<WriteSkipsUncommitted>(
      "write-skips-uncommitted", "WV-UNWRITABLE", both_profiles(),
      "a write touching reserved-only pages of a reservation writes the committed bytes, skips the rest and returns S_OK"));
  out.push_back(mutant<SFalsePartialPageWrite>(
      "s-false-partial-page-write", "WV-STATUS", both_profiles(),
      "a successful multi-byte write to read-write memory that does not cover whole pages returns S_FALSE"));
  out.push_back(mutant<AccessDeniedWriteCode>(
      "access-denied-write-code", "WV-CODE-READONLY", win32_only(),
      "failed writes return HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED) instead of ERROR_NOACCESS or ERROR_PARTIAL_COPY"));
  out.push_back(mutant<ReadonlyWriteSucceeds>(
      "readonly-write-succeeds", "WV-READONLY", win32_only(),
      "writes to committed PAGE_READONLY pages succeed and land, as ptrace and /proc/PID/mem writes do"));
  out.push_back(mutant<ExecWriteRefused>(
      "exec-write-refused", "WV-EXEC", win32_only(),
      "writes touching PAGE_EXECUTE or PAGE_EXECUTE_READ pages fail, as process_vm_writev does"));
  out.push_back(mutant<ZeroLengthWriteInvalid>(
      "zero-length-write-invalidarg", "WV-ZERO-LENGTH-WRITABLE", win32_only(),
      "zero-byte writes return E_INVALIDARG instead of S_OK"));
  out.push_back(mutant<BufferScribble>(
      "buffer-scribble", "WV-BUFFER-CONST", both_profiles(),
      "after the copy the caller's [in] buffer is wiped with zeros, whether the write succeeded or not"));
}

}  // namespace vmc::mutant_support
