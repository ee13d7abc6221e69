// raw_unicorn_target.cpp - registers `raw-unicorn`: each operation mapped straight onto unicorn,
// the way Windows API emulators commonly implement VirtualAlloc, VirtualFree and the memory copies.
//
// No host table and no Win32 checks beyond what the engine does itself:
// - AllocateVirtualMemory: the address (or, for 0, the first free gap) rounded down to the page and
//   the size up to it; uc_mem_map with the protection's permissions, or, where the pages are
//   already mapped (a commit inside a reservation), uc_mem_protect; MEM_RESET returns the address.
//   Reserve and commit are the same thing: a mapping.
// - VirtualFree: MEM_RELEASE unmaps the engine region holding the address (size 0) or the range;
//   MEM_DECOMMIT takes the permissions away (uc_mem_protect UC_PROT_NONE), bytes kept.
// - WriteVirtual / ReadVirtual: one uc_mem_write / uc_mem_read, which check that the whole range is
//   mapped and ignore the permissions.
// Its findings (conformance/baselines/raw-unicorn.*.json) are what such an emulator gets wrong.
#include <unicorn/unicorn.h>

#include <algorithm>
#include <memory>

#include "unicorn_primitives.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/locked_target.hpp"

namespace vmc {
namespace {

constexpr std::uint64_t kPage = 0x1000;

std::uint32_t perms_of(std::uint32_t protect) {
  if (protect & PAGE_GUARD) return UC_PROT_NONE;
  switch (protect & 0xFF) {
    case PAGE_READONLY: return UC_PROT_READ;
    case PAGE_READWRITE: return UC_PROT_READ | UC_PROT_WRITE;
    case PAGE_EXECUTE: return UC_PROT_EXEC;
    case PAGE_EXECUTE_READ: return UC_PROT_READ | UC_PROT_EXEC;
    case PAGE_EXECUTE_READWRITE: return UC_PROT_ALL;
    default: return UC_PROT_NONE;
  }
}

hresult hresult_of(uc_err e) {
  switch (e) {
    case UC_ERR_OK: return S_OK;
    case UC_ERR_NOMEM: return HR_NOT_ENOUGH_MEMORY;
    case UC_ERR_MAP: return HR_INVALID_ADDRESS;
    case UC_ERR_READ_UNMAPPED:
    case UC_ERR_WRITE_UNMAPPED: return HR_NOACCESS;
    default: return E_INVALIDARG;
  }
}

class RawUnicornTarget final : public Target {
 public:
  std::uint32_t page_size() const override { return kPage; }
  std::uint32_t allocation_granularity() const override { return 0x10000; }

  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type, std::uint32_t protect,
                                  std::uint64_t* allocated_address) override {
    *allocated_address = 0;
    if (type & MEM_RESET) {
      *allocated_address = address;
      return S_OK;
    }
    const std::uint64_t first = address - address % kPage;
    const std::uint64_t length = (address + size + kPage - 1) / kPage * kPage - first;
    const std::uint64_t at = address == 0 ? engine_.find_free(length, 0x10000) : first;
    uc_err e = uc_mem_map(engine_.uc(), at, length, perms_of(protect));
    if (e == UC_ERR_MAP && address != 0) e = uc_mem_protect(engine_.uc(), at, length, perms_of(protect));
    if (e != UC_ERR_OK) return hresult_of(e);
    *allocated_address = at;
    return S_OK;
  }

  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) override {
    std::uint64_t first = address - address % kPage, length = (address + size + kPage - 1) / kPage * kPage - first;
    if (size == 0) {  // the engine region holding the address
      uc_mem_region* regions = nullptr;
      std::uint32_t count = 0;
      length = 0;
      if (uc_mem_regions(engine_.uc(), &regions, &count) == UC_ERR_OK) {
        for (std::uint32_t i = 0; i < count; ++i)
          if (regions[i].begin <= address && address <= regions[i].end) {
            first = regions[i].begin;
            length = regions[i].end + 1 - regions[i].begin;
          }
        uc_free(regions);
      }
      if (length == 0) return E_INVALIDARG;
    }
    if (free_type == MEM_RELEASE) return hresult_of(uc_mem_unmap(engine_.uc(), first, length));
    if (free_type == MEM_DECOMMIT) return hresult_of(uc_mem_protect(engine_.uc(), first, length, UC_PROT_NONE));
    return E_INVALIDARG;
  }

  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    return hresult_of(uc_mem_write(engine_.uc(), address, buffer, n));
  }

  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n, std::uint32_t* bytes_read) override {
    const uc_err e = uc_mem_read(engine_.uc(), address, buffer, n);
    *bytes_read = e == UC_ERR_OK ? n : 0;
    return hresult_of(e);
  }

  std::vector<ForeignMemory> foreign_memory() override { return engine_.guest_memory(); }

 private:
  UnicornEngine engine_;
};

class RawUnicornFactory final : public TargetFactory {
 public:
  std::string name() const override { return "raw-unicorn"; }
  // An engine is not for concurrent callers: one lock per call, as an emulator serializes its
  // guest's API calls (X-LINEARIZABLE then judges only the sequential behaviour).
  std::unique_ptr<Target> make() override { return std::make_unique<LockedTarget>(std::make_unique<RawUnicornTarget>()); }
};

}  // namespace

VMC_REGISTER_BACKEND(BackendInfo{
    "raw-unicorn",
    "each operation straight onto unicorn (uc_mem_map/unmap/protect/read/write), as Windows API emulators "
    "commonly do; not in the default suite, findings in conformance/baselines/raw-unicorn.*.json",
    false, [](const BackendOptions&) -> std::unique_ptr<TargetFactory> { return std::make_unique<RawUnicornFactory>(); }});

}  // namespace vmc
