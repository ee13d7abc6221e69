// random_vm_inputs.cpp - the distributions behind RandomVmInputs.
//
// The weights are chosen so that a few thousand operations reach every rule of the model:
// conflicts inside the arena, commits across run boundaries, decommits past the end, releases
// off the base, writes into code and guard pages, reads that stop in the middle.
#include "random_vm_inputs.hpp"

#include "vmconform/constants.hpp"

namespace vmc::test {

namespace {
constexpr std::uint64_t kPage = 0x1000;
constexpr std::uint64_t kGranule = 0x10000;
constexpr std::uint64_t kHighest = 0x00007FFFFFFEFFFFull;
}  // namespace

std::uint32_t RandomVmInputs::allocation_type() {
  const std::uint64_t r = below(100);
  if (r < 30) return MEM_RESERVE;
  if (r < 60) return MEM_COMMIT | MEM_RESERVE;
  if (r < 82) return MEM_COMMIT;
  if (r < 88) return (chance(50) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE) | MEM_TOP_DOWN;
  if (r < 94) return MEM_RESET;
  static constexpr std::uint32_t kInvalid[] = {0,
                                               MEM_DECOMMIT,
                                               MEM_RELEASE,
                                               MEM_RESET | MEM_COMMIT,
                                               MEM_RESET | MEM_TOP_DOWN,
                                               MEM_TOP_DOWN,
                                               MEM_PHYSICAL | MEM_RESERVE,
                                               MEM_WRITE_WATCH | MEM_RESERVE,
                                               MEM_RESET_UNDO,
                                               MEM_LARGE_PAGES | MEM_COMMIT | MEM_RESERVE,
                                               0xFFFFFFFFu};
  return kInvalid[below(std::size(kInvalid))];
}

std::uint32_t RandomVmInputs::protection() {
  if (chance(7)) {
    static constexpr std::uint32_t kInvalid[] = {
        0, PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY | PAGE_READWRITE, 0x800,
        PAGE_GUARD, PAGE_NOACCESS | PAGE_GUARD, PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE,
        PAGE_READWRITE | PAGE_NOCACHE | PAGE_WRITECOMBINE, 0xFFFFFFFFu};
    return kInvalid[below(std::size(kInvalid))];
  }
  const std::uint64_t r = below(100);
  std::uint32_t base = r < 35   ? PAGE_READWRITE
                       : r < 50 ? PAGE_READONLY
                       : r < 58 ? PAGE_NOACCESS
                       : r < 68 ? PAGE_EXECUTE
                       : r < 83 ? PAGE_EXECUTE_READ
                                : PAGE_EXECUTE_READWRITE;
  if (base != PAGE_NOACCESS) {
    const std::uint64_t m = below(100);
    if (m < 10) base |= PAGE_GUARD;
    else if (m < 14) base |= PAGE_NOCACHE;
    else if (m < 18) base |= PAGE_WRITECOMBINE;
  }
  return base;
}

std::uint32_t RandomVmInputs::allocation_size() {
  const std::uint64_t r = below(1000);
  if (r < 400) return static_cast<std::uint32_t>((1 + below(8)) * kPage);
  if (r < 650) return static_cast<std::uint32_t>(1 + below(8 * kPage));
  if (r < 800) return static_cast<std::uint32_t>((9 + below(56)) * kPage + below(kPage));
  if (r < 900) return static_cast<std::uint32_t>(1 + below(4));
  if (r < 970) return static_cast<std::uint32_t>(kGranule + below(15 * kGranule));
  if (r < 990) return static_cast<std::uint32_t>((1u << 20) + below(63u << 20));
  static constexpr std::uint32_t kEdges[] = {0, 0xFFFFFFFFu, 0x80000000u, kGranule, kGranule + 1};
  return kEdges[below(std::size(kEdges))];
}

std::uint32_t RandomVmInputs::free_type() {
  const std::uint64_t r = below(100);
  if (r < 40) return MEM_RELEASE;
  if (r < 90) return MEM_DECOMMIT;
  static constexpr std::uint32_t kInvalid[] = {0, MEM_DECOMMIT | MEM_RELEASE, MEM_FREE,
                                               MEM_RESERVE, MEM_RELEASE | 1, MEM_COMMIT};
  return kInvalid[below(std::size(kInvalid))];
}

std::uint64_t RandomVmInputs::decommit_size() {
  const std::uint64_t r = below(100);
  if (r < 25) return 0;
  if (r < 40) return (1 + below(8)) * kPage;
  if (r < 92) return 1 + below(20 * kPage);
  if (r < 96) return kGranule * (1 + below(64));
  static constexpr std::uint64_t kHuge[] = {~0ull, ~0ull - kPage, 1ull << 40, 1ull << 63};
  return kHuge[below(std::size(kHuge))];
}

std::uint32_t RandomVmInputs::access_length() {
  const std::uint64_t r = below(100);
  if (r < 5) return 0;
  if (r < 25) return static_cast<std::uint32_t>(1 + below(16));
  if (r < 75) return static_cast<std::uint32_t>(1 + below(3 * kPage));
  if (r < 95) return static_cast<std::uint32_t>((1 + below(4)) * kPage);
  return static_cast<std::uint32_t>(1 + below(16 * kPage));
}

std::uint64_t RandomVmInputs::near_range(const AddressRange& r) {
  // A page of the range or of its granule tail (or just before it), sometimes mid-page.
  const std::uint64_t span = r.end - r.begin + kGranule;
  std::uint64_t at = chance(90) ? r.begin + below(span / kPage + 1) * kPage
                                : r.begin - (1 + below(4)) * kPage;
  if (chance(30)) at += below(kPage);
  return at;
}

std::uint64_t RandomVmInputs::reserve_address(const KnownAddresses& known) {
  const std::uint64_t r = below(100);
  if (r < 50 || (r < 72 && known.live.empty())) {
    std::uint64_t at = known.arena + below(known.arena_size / kGranule) * kGranule;
    if (chance(40)) at += below(kGranule / kPage) * kPage + (chance(30) ? below(kPage) : 0);
    return at;
  }
  if (r < 72) return near_range(known.live[below(known.live.size())]);
  if (r < 82 && !known.released.empty())
    return known.released[below(known.released.size())] + below(4) * kPage;
  if (r < 90 && !known.foreign.empty()) {
    const AddressRange& f = known.foreign[below(known.foreign.size())];
    return f.begin + below(f.end - f.begin);
  }
  static constexpr std::uint64_t kOdd[] = {1, 0xFFFF, 0x8000, kHighest + 1, ~0ull, ~0ull - 0x2000,
                                           0x800000000000ull, kHighest - 0x800, kHighest};
  return kOdd[below(std::size(kOdd))];
}

std::uint64_t RandomVmInputs::access_address(const KnownAddresses& known) {
  const std::uint64_t r = below(100);
  if (!known.live.empty() && r < 15) return known.live[below(known.live.size())].begin;
  if (!known.live.empty() && r < 50) return near_range(known.live[below(known.live.size())]);
  if (!known.hot.empty() && r < 65)  // where bytes were written: decommit, recommit, read back
    return known.hot[below(known.hot.size())] + below(2 * kPage) - kPage;
  if (r < 75) return known.arena + below(known.arena_size);
  if (r < 82 && !known.released.empty())
    return known.released[below(known.released.size())] + below(2 * kPage);
  if (r < 92 && !known.foreign.empty()) {
    const AddressRange& f = known.foreign[below(known.foreign.size())];
    return f.begin + below(f.end - f.begin);
  }
  static constexpr std::uint64_t kOdd[] = {0, 1, 0xFFFF, 0x10000, kHighest, kHighest + 1,
                                           ~0ull, ~0ull - 10, 0x800000000000ull};
  return kOdd[below(std::size(kOdd))];
}

void RandomVmInputs::fill(std::vector<std::uint8_t>& bytes, std::size_t n) {
  bytes.resize(n);
  const std::uint8_t pattern = static_cast<std::uint8_t>(rng_());
  for (std::size_t i = 0; i < n; ++i)
    bytes[i] = chance(2) ? 0 : static_cast<std::uint8_t>(pattern + i * 7);
}

}  // namespace vmc::test
