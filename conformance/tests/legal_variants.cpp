// legal_variants.cpp - the legal variants (legal_variants.hpp), one class per open choice.
//
// Each class overrides the one operation where its choice shows and forwards everything else to
// the reference model (mutant_support::ModelWrapper). The probes use the Wine-style call
// wrappers of calls.hpp, whose show() prints every argument, status and out-parameter.
#include "legal_variants.hpp"

#include <algorithm>

#include "../mutants/mutant_support.hpp"
#include "vmconform/calls.hpp"

namespace vmc::legal_variants {
namespace {

using mutant_support::ModelWrapper;

/// ReadVirtual stops at the end of the first page it touches (D-READ-PREFIX, documented).
class ShortRead final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    const std::uint64_t to_page_end = page() - address % page();
    return ModelWrapper::read_virtual(address, buffer, static_cast<std::uint32_t>(std::min<std::uint64_t>(n, to_page_end)),
                                      bytes_read);
  }
};

/// PAGE_EXECUTE pages cannot be read: execute-only memory (D-EXEC-READ, documented). Reads stop
/// before the first such page and fail when they start on one.
class ExecuteOnly final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    std::uint64_t readable = n;
    for (std::uint64_t p : pages_of(address, n))
      if (committed_with(p, {PAGE_EXECUTE})) {
        readable = p > address ? p - address : 0;
        break;
      }
    if (readable == 0 && n > 0) {
      if (bytes_read != nullptr) *bytes_read = 0;
      return HR_PARTIAL_COPY;
    }
    return ModelWrapper::read_virtual(address, buffer, static_cast<std::uint32_t>(readable), bytes_read);
  }
};

/// When a call breaks several rules, the code of the last one checked (D-ERROR-PRECEDENCE): the
/// address space (ownership, conflicts, the base) before the arguments.
class AddressChecksFirst final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    const auto broken = model_.allocation_violations(address, size, type, protect);
    if (broken.size() < 2) return ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
    if (allocated != nullptr) *allocated = 0;
    return broken.back().code;
  }

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const auto broken = model_.free_violations(address, size, type);
    return broken.size() < 2 ? model_.virtual_free(address, size, type) : broken.back().code;
  }
};

/// An access through the data target that reaches a guard page fails there and consumes the
/// guard, as the guard page's own documentation says of any access (D-GUARD, both profiles).
class OneShotGuard final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    const hresult hr = ModelWrapper::read_virtual(address, buffer, n, bytes_read);
    consume_first_guard(address, n, [&](std::uint64_t p) { return model_.readable(p); });
    return hr;
  }
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = ModelWrapper::write_virtual(address, buffer, n);
    consume_first_guard(address, n, [&](std::uint64_t p) { return model_.writable(p); });
    return hr;
  }

 private:
  template <typename Accessible>
  void consume_first_guard(std::uint64_t address, std::uint32_t n, Accessible accessible) {
    for (std::uint64_t p : pages_of(address, n)) {
      if (accessible(p)) continue;
      const auto v = model_.page_at(p);  // the first page the access could not pass
      if (v.allocated && v.state == PageState::committed && (v.protect & PAGE_GUARD))
        model_.adopt_protection(p, v.protect & ~PAGE_GUARD);
      return;
    }
  }
};

/// WriteProcessMemory's way with code pages (D-EXEC-WRITE): it makes writable only the region
/// holding the start address, so a range that mixes a PAGE_EXECUTE(_READ) page with pages of
/// another protection fails (here with nothing written: WV-ATOMIC still holds).
class ExecWriteOneRun final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const auto pages = pages_of(address, n);
    const bool exec = any_page(address, n, [&](std::uint64_t p) { return committed_with(p, {PAGE_EXECUTE, PAGE_EXECUTE_READ}); });
    if (exec && !pages.empty()) {
      const auto first = model_.page_at(pages.front());
      for (std::uint64_t p : pages) {
        const auto v = model_.page_at(p);
        if (v.protect != first.protect || v.allocation_base != first.allocation_base) return HR_PARTIAL_COPY;
      }
    }
    return ModelWrapper::write_virtual(address, buffer, n);
  }
};

/// A zero-byte write outside committed writable memory is refused with E_INVALIDARG, as Wine 8's
/// WriteProcessMemory refuses every zero-byte write (D-ZERO-WRITE, both profiles).
class ZeroWriteNeedsWritableMemory final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    if (n == 0 && !read_write_page(page_down(address))) return E_INVALIDARG;
    return ModelWrapper::write_virtual(address, buffer, n);
  }
};

/// A write refused for a free, reserved, no-access or guard page returns
/// HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), as Wine 8 does below 64 KiB; a read-only page keeps
/// ERROR_NOACCESS (D-WV-CODE, both profiles).
class WriteCodeAccessDenied final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    const hresult hr = ModelWrapper::write_virtual(address, buffer, n);
    if (!failed(hr)) return hr;
    const bool readonly_only = all_pages(address, n, [&](std::uint64_t p) {
      return committed_with(p, {PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ});
    });
    return readonly_only ? hr : hresult_from_win32(ERROR_ACCESS_DENIED);
  }
};

/// MEM_RESET at address 0 fails with HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS) (there is no range
/// to reset) rather than E_INVALIDARG (D-AVM-CODES: the code is not established).
class ResetNullInvalidAddress final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    const hresult hr = ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
    const auto broken = model_.allocation_violations(address, size, type, protect);
    if (failed(hr) && broken.size() == 1 && std::string(broken[0].what) == "reset-at-zero") return HR_INVALID_ADDRESS;
    return hr;
  }
};

/// MEM_RESERVE|MEM_WRITE_WATCH is honoured as a plain reservation, as Windows does (D-SCOPE).
class WriteWatchHonoured final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    if ((type & MEM_WRITE_WATCH) && (type & MEM_RESERVE)) type &= ~MEM_WRITE_WATCH;
    return ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

/// MEM_RESET refuses ranges holding a page that is not committed (D-RESET-RESERVED, documented).
class ResetNeedsCommittedPages final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    if (type == MEM_RESET && model_.allocation_violations(address, size, type, protect).empty() &&
        any_page(address, size, [&](std::uint64_t p) { return !committed(p); })) {
      if (allocated != nullptr) *allocated = 0;
      return HR_INVALID_ADDRESS;
    }
    return ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

/// MEM_RESET zeroes every committed page of its range (D-RESET-CONTENTS).
class ResetZeroes final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    const hresult hr = ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
    if (hr == S_OK && type == MEM_RESET)
      for (std::uint64_t p : pages_of(address, size))
        if (committed(p)) zero_page(p);
    return hr;
  }
};

/// A size-0 MEM_DECOMMIT beyond the first page decommits the pages holding a byte of
/// [address, address+0): none; S_OK (D-DECOMMIT-NOT-AT-BASE, documented).
class DecommitNotAtBaseDoesNothing final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const auto broken = model_.free_violations(address, size, type);
    if (broken.size() == 1 && std::string(broken[0].rule) == "VF-DECOMMIT-WHOLE") return S_OK;
    return model_.virtual_free(address, size, type);
  }
};

/// MEM_RELEASE and size-0 MEM_DECOMMIT take the exact base, as VirtualFree's documentation
/// says; an address further into the first page fails (D-FIRST-PAGE, documented).
class ExactBaseOnly final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;

 protected:
  hresult free_op(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    const Allocation* a = model_.allocation_containing(address);
    if (a != nullptr && address != a->base && (type == MEM_RELEASE || (type == MEM_DECOMMIT && size == 0)) &&
        model_.free_violations(address, size, type).empty())
      return HR_INVALID_ADDRESS;
    return model_.virtual_free(address, size, type);
  }
};

/// MEM_COMMIT without MEM_RESERVE at address 0 is refused (D-COMMIT-NULL, documented).
class CommitNullRefused final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated) override {
    if (address == 0 && (type & ~MEM_TOP_DOWN) == MEM_COMMIT) {
      if (allocated != nullptr) *allocated = 0;
      return E_INVALIDARG;
    }
    return ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
  }
};

template <typename V>
std::function<std::unique_ptr<Target>(std::uint64_t)> maker() {
  return [](std::uint64_t seed) -> std::unique_ptr<Target> {
    return std::make_unique<LockedTarget>(std::make_unique<V>(seed));  // serialized, as the model is
  };
}

/// A committed region of `pages` read-write pages (or `protect`), at a system-chosen address.
std::uint64_t region(Target& t, std::string& out, std::uint32_t pages, std::uint32_t protect = PAGE_READWRITE,
                     std::uint32_t type = MEM_COMMIT | MEM_RESERVE) {
  const AllocCall a = alloc(t, 0, pages * t.page_size(), type, protect);
  out += a.show() + "\n";
  return a.allocated;
}

std::string show_read(const ReadCall& r) {
  std::string line = r.show() + " data";
  for (std::uint8_t b : r.data) line += " " + hex(b);
  return line + "\n";
}

}  // namespace

const std::vector<LegalVariant>& variants() {
  const std::vector<Profile> documented{Profile::documented};
  const std::vector<Profile> both{Profile::documented, Profile::win32};
  static const std::vector<LegalVariant> all = {
      {"short-read", "D-READ-PREFIX", "ReadVirtual stops at the end of the first page it touches", documented,
       maker<ShortRead>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 2);
         return out + show_read(read(t, base + 0x10, t.page_size()));
       }},
      {"execute-only", "D-EXEC-READ", "PAGE_EXECUTE pages cannot be read through ReadVirtual", documented,
       maker<ExecuteOnly>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 1, PAGE_EXECUTE);
         return out + show_read(read(t, base, 1));
       }},
      {"address-checks-first", "D-ERROR-PRECEDENCE",
       "a call wrong in several ways returns the code of the address check (ownership, conflict, base), not the "
       "argument check",
       both, maker<AddressChecksFirst>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 2);
         out += vfree(t, base - 8, 1, MEM_RELEASE).show() + "\n";           // foreign, and a release size
         out += vfree(t, base + t.page_size(), 1, MEM_RELEASE).show() + "\n";  // not the base, and a size
         out += alloc(t, base, t.page_size(), MEM_RESERVE, 0).show() + "\n";  // a conflict, and protection 0
         return out;
       }},
      {"one-shot-guard", "D-GUARD", "an access that reaches a guard page fails there and consumes the guard",
       both, maker<OneShotGuard>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 1, PAGE_READWRITE | PAGE_GUARD);
         out += show_read(read(t, base, 4));
         return out + show_read(read(t, base, 4));
       }},
      {"exec-write-one-run", "D-EXEC-WRITE",
       "a write mixing PAGE_EXECUTE(_READ) pages with pages of another protection fails, as WriteProcessMemory does", both,
       maker<ExecWriteOneRun>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 2, PAGE_EXECUTE_READWRITE);
         out += alloc(t, base + t.page_size(), t.page_size(), MEM_COMMIT, PAGE_EXECUTE_READ).show() + "\n";
         return out + write(t, base + t.page_size() - 2, {1, 2, 3, 4}).show() + "\n";
       }},
      {"zero-write-needs-writable-memory", "D-ZERO-WRITE",
       "a zero-byte write outside committed writable memory returns E_INVALIDARG", both,
       maker<ZeroWriteNeedsWritableMemory>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 1, PAGE_READWRITE, MEM_RESERVE);
         return out + write(t, base, {}).show() + "\n";
       }},
      {"write-code-access-denied", "D-WV-CODE",
       "a write refused for a free, reserved, no-access or guard page returns HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED)",
       both, maker<WriteCodeAccessDenied>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 1, PAGE_READWRITE, MEM_RESERVE);
         return out + write(t, base, {1}).show() + "\n";
       }},
      {"reset-null-invalid-address", "D-AVM-CODES",
       "MEM_RESET at address 0 returns HRESULT_FROM_WIN32(ERROR_INVALID_ADDRESS)", both,
       maker<ResetNullInvalidAddress>(),
       [](Target& t) { return alloc(t, 0, t.page_size(), MEM_RESET, PAGE_READWRITE).show() + "\n"; }},
      {"write-watch-honoured", "D-SCOPE", "MEM_RESERVE|MEM_WRITE_WATCH is a plain reservation", both,
       maker<WriteWatchHonoured>(),
       [](Target& t) {
         std::string out;
         region(t, out, 1, PAGE_READWRITE, MEM_RESERVE | MEM_WRITE_WATCH);
         return out;
       }},
      {"reset-needs-committed-pages", "D-RESET-RESERVED", "MEM_RESET refuses a range holding a reserved-only page",
       documented, maker<ResetNeedsCommittedPages>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 2, PAGE_READWRITE, MEM_RESERVE);
         return out + alloc(t, base, t.page_size(), MEM_RESET, PAGE_READWRITE).show() + "\n";
       }},
      {"reset-zeroes", "D-RESET-CONTENTS", "MEM_RESET zeroes every committed page of its range", both,
       maker<ResetZeroes>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 1);
         out += write(t, base, {1, 2, 3, 4}).show() + "\n";
         out += alloc(t, base, t.page_size(), MEM_RESET, PAGE_READWRITE).show() + "\n";
         return out + show_read(read(t, base, 4));
       }},
      {"decommit-not-at-base-does-nothing", "D-DECOMMIT-NOT-AT-BASE",
       "a size-0 MEM_DECOMMIT beyond the first page returns S_OK and decommits nothing", documented,
       maker<DecommitNotAtBaseDoesNothing>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 3);
         return out + vfree(t, base + t.page_size(), 0, MEM_DECOMMIT).show() + "\n";
       }},
      {"exact-base-only", "D-FIRST-PAGE", "MEM_RELEASE and size-0 MEM_DECOMMIT refuse any address but the base",
       documented, maker<ExactBaseOnly>(),
       [](Target& t) {
         std::string out;
         const std::uint64_t base = region(t, out, 2);
         return out + vfree(t, base + 0x10, 0, MEM_RELEASE).show() + "\n";
       }},
      {"commit-null-refused", "D-COMMIT-NULL", "MEM_COMMIT without MEM_RESERVE at address 0 fails", documented,
       maker<CommitNullRefused>(),
       [](Target& t) {
         std::string out;
         region(t, out, 1, PAGE_READWRITE, MEM_COMMIT);
         return out;
       }},
  };
  return all;
}

}  // namespace vmc::legal_variants
