// unicorn_primitives.cpp - UnicornEngine and UnicornPrimitives (unicorn_primitives.hpp).
#include "unicorn_primitives.hpp"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>

namespace vmc {
namespace {
constexpr std::uint64_t kImageBase = 0x400000, kImageSize = 0x20000;       // a small program
constexpr std::uint64_t kStackBase = 0x7FF000000000, kStackSize = 0x10000;  // its stack
constexpr std::uint64_t kFirstChoice = 0x10000000, kTop = 0x7FFFFFFF0000;   // where the host allocates
// The largest mapping the guest takes. Unicorn splits a region (uc_mem_unmap or uc_mem_protect of
// part of it) by copying the whole region aside, so a multi-GiB reservation would cost GiBs of
// host memory at its first partial unmap; like emulators, which give their guest a bounded
// memory, this one refuses larger mappings (ENOMEM when it picks the address, EEXIST - the range
// is not available - at a fixed one: both are legal refusals of the Win32 calls).
constexpr std::uint64_t kLargestMapping = 64ull << 20;
}  // namespace

int errno_from_uc(int uc_error) {
  switch (uc_error) {
    case UC_ERR_OK: return 0;
    case UC_ERR_MAP: return EEXIST;
    case UC_ERR_NOMEM: return ENOMEM;
    default: return EINVAL;
  }
}

UnicornEngine::UnicornEngine() {
  if (const uc_err e = uc_open(UC_ARCH_X86, UC_MODE_64, &uc_); e != UC_ERR_OK)
    throw std::runtime_error(std::string("uc_open: ") + uc_strerror(e));
  if (uc_mem_map(uc_, kImageBase, kImageSize, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK ||
      uc_mem_map(uc_, kStackBase, kStackSize, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK) {
    uc_close(uc_);
    throw std::runtime_error("unicorn: cannot map the guest's image and stack");
  }
  const std::vector<std::uint8_t> fill(0x1000, 0xC3);
  uc_mem_write(uc_, kImageBase + 0x1000, fill.data(), fill.size());
  uc_mem_write(uc_, kStackBase + kStackSize - 0x1000, fill.data(), fill.size());
}

UnicornEngine::~UnicornEngine() { uc_close(uc_); }

std::vector<ForeignMemory> UnicornEngine::guest_memory() const {
  return {{kImageBase + 0x1000, 0x1000, "the guest program's image, mapped by the emulator (uc_mem_map), not the host"},
          {kStackBase + kStackSize - 0x1000, 0x1000, "the guest's stack, mapped by the emulator, not the host"}};
}

std::uint64_t UnicornEngine::find_free(std::uint64_t size, std::uint64_t alignment) const {
  uc_mem_region* regions = nullptr;
  std::uint32_t count = 0;
  if (uc_mem_regions(uc_, &regions, &count) != UC_ERR_OK) return 0;
  std::vector<uc_mem_region> sorted(regions, regions + count);
  uc_free(regions);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  std::uint64_t at = kFirstChoice;
  for (const uc_mem_region& r : sorted) {
    if (r.end < at) continue;
    if (r.begin >= at && r.begin - at >= size) break;  // the gap before r fits
    at = (r.end + 1 + alignment - 1) / alignment * alignment;
  }
  return at + size <= kTop && at + size > at ? at : 0;
}

std::uint64_t UnicornPrimitives::map_none(std::uint64_t address, std::uint64_t size, bool fixed, int* error) {
  return map_with(address, size, fixed, 0, error);
}

std::uint64_t UnicornPrimitives::map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot, int* error) {
  if (size > kLargestMapping) {
    if (error) *error = fixed ? EEXIST : ENOMEM;
    return 0;
  }
  const std::uint64_t at = fixed ? address : engine_.find_free(size, 0x10000);
  if (at == 0) {
    if (error) *error = ENOMEM;
    return 0;
  }
  if (const uc_err e = uc_mem_map(engine_.uc(), at, size, static_cast<std::uint32_t>(prot) & UC_PROT_ALL); e != UC_ERR_OK) {
    if (error) *error = errno_from_uc(e);
    return 0;
  }
  return at;
}

int UnicornPrimitives::protect(std::uint64_t address, std::uint64_t size, int prot) {
  return errno_from_uc(uc_mem_protect(engine_.uc(), address, size, static_cast<std::uint32_t>(prot) & UC_PROT_ALL));
}

int UnicornPrimitives::discard(std::uint64_t address, std::uint64_t size) {
  // Fresh guest pages are zero: unmap and map again, keeping the pages' permissions (PROT_NONE
  // when the region table discards decommitted pages).
  uc_mem_region* regions = nullptr;
  std::uint32_t count = 0;
  std::uint32_t perms = UC_PROT_NONE;
  if (uc_mem_regions(engine_.uc(), &regions, &count) == UC_ERR_OK) {
    for (std::uint32_t i = 0; i < count; ++i)
      if (regions[i].begin <= address && address <= regions[i].end) perms = regions[i].perms;
    uc_free(regions);
  }
  if (const int e = unmap(address, size); e != 0) return e;
  return errno_from_uc(uc_mem_map(engine_.uc(), address, size, perms));
}

int UnicornPrimitives::unmap(std::uint64_t address, std::uint64_t size) {
  return errno_from_uc(uc_mem_unmap(engine_.uc(), address, size));
}

std::size_t UnicornPrimitives::read(std::uint64_t address, void* buffer, std::size_t n) {
  return uc_mem_read(engine_.uc(), address, buffer, n) == UC_ERR_OK ? n : 0;
}

std::size_t UnicornPrimitives::write(std::uint64_t address, const void* buffer, std::size_t n) {
  return uc_mem_write(engine_.uc(), address, buffer, n) == UC_ERR_OK ? n : 0;
}

}  // namespace vmc
