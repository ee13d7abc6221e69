// native_bench.cpp - the `native` backend side by side with the bare calls it wraps, in one run.
//
// The target is vmc::find_backend("native")->make_factory({})->make() holding 10 live one-page
// regions, like the model's small case. Compared pairs (goal: backend at most 1.5x the bare
// figure): (1) AllocateVirtualMemory(0, one page, MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE) then
// VirtualFree(MEM_RELEASE), against mmap(NULL, 64 KiB, PROT_READ|PROT_WRITE, private anonymous)
// then munmap - one granule, the unit the backend reserves; (2) WriteVirtual of 64 bytes into a
// PAGE_READWRITE page - the path with no mprotect around the copy - against a plain 64-byte
// memcpy into a read-write page; (3) ReadVirtual of 64 bytes against a memcpy out of such a page.
// Two informational baselines show where the difference goes: the system calls of `native`'s
// general allocate+release path (an over-sized PROT_NONE mmap, the head/tail munmap trims that
// align it to 64 KiB, mprotect of the page, munmap of the granule) without the table - the
// measured pair mostly takes the one-mmap fast path instead (mmap of the page, read-write, at a
// fixed no-replace address just below the previous reservation, then munmap) - and a
// mutex-guarded std::map lookup of 10 regions followed by the memcpy. Pages are never touched by
// the allocate benchmarks (neither the backend nor the baseline faults them in).
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>

#include "vmconform/backend_registry.hpp"

namespace {

constexpr std::uint32_t kOnePage = 0x1000;
constexpr std::size_t kGranule = 0x10000;
constexpr std::uint32_t kCommitReserve = vmc::MEM_COMMIT | vmc::MEM_RESERVE;
constexpr int kLive = 10;

std::unique_ptr<vmc::Target> g_target;  // holds kLive regions; g_page is one of them
std::uint64_t g_page = 0;
alignas(4096) std::uint8_t g_bare_page[4096];  // the bare copies' read-write page
std::array<std::uint8_t, 64> g_bytes{};

void backend_pair(benchmark::State& state) {
  for (auto _ : state) {
    std::uint64_t base = 0;
    if (g_target->allocate_virtual_memory(0, kOnePage, kCommitReserve, vmc::PAGE_READWRITE,
                                          &base) != vmc::S_OK ||
        g_target->virtual_free(base, 0, vmc::MEM_RELEASE) != vmc::S_OK)
      return state.SkipWithError("allocate/release failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_mmap_munmap(benchmark::State& state) {
  for (auto _ : state) {
    void* p = mmap(nullptr, kGranule, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || munmap(p, kGranule) != 0) return state.SkipWithError("mmap failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_native_syscalls(benchmark::State& state) {
  const std::size_t span = 2 * kGranule - kOnePage;  // as reserve_at_system_choice maps
  for (auto _ : state) {
    void* p = mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return state.SkipWithError("mmap failed");
    const auto mapped = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t base = (mapped + kGranule - 1) & ~(kGranule - 1);
    if (base > mapped) munmap(p, base - mapped);
    if (mapped + span > base + kGranule)
      munmap(reinterpret_cast<void*>(base + kGranule), mapped + span - base - kGranule);
    mprotect(reinterpret_cast<void*>(base), kOnePage, PROT_READ | PROT_WRITE);
    munmap(reinterpret_cast<void*>(base), kGranule);
  }
  state.SetItemsProcessed(state.iterations());
}

void backend_write(benchmark::State& state) {
  for (auto _ : state)
    if (g_target->write_virtual(g_page + 128, g_bytes.data(), 64) != vmc::S_OK)
      return state.SkipWithError("write failed");
  state.SetItemsProcessed(state.iterations());
}

void backend_read(benchmark::State& state) {
  std::array<std::uint8_t, 64> out{};
  for (auto _ : state) {
    std::uint32_t got = 0;
    if (g_target->read_virtual(g_page + 128, out.data(), 64, &got) != vmc::S_OK || got != 64)
      return state.SkipWithError("read failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_memcpy_write(benchmark::State& state) {
  std::uint8_t* dst = g_bare_page + 128;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dst);
    std::memcpy(dst, g_bytes.data(), 64);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_memcpy_read(benchmark::State& state) {
  std::array<std::uint8_t, 64> out{};
  const std::uint8_t* src = g_bare_page + 128;
  for (auto _ : state) {
    benchmark::DoNotOptimize(src);
    std::memcpy(out.data(), src, 64);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_locked_lookup_write(benchmark::State& state) {
  std::map<std::uintptr_t, std::size_t> table;  // base -> size, kLive entries like the target's
  const auto page = reinterpret_cast<std::uintptr_t>(g_bare_page);
  for (std::uintptr_t i = 0; i < kLive; ++i)
    table[page - kLive / 2 * kGranule + i * kGranule] = kOnePage;
  std::mutex mutex;
  for (auto _ : state) {
    const std::uintptr_t at = page + 128;
    std::lock_guard lock(mutex);
    auto it = table.upper_bound(at);
    if (it == table.begin() || at + 64 > std::prev(it)->first + std::prev(it)->second)
      return state.SkipWithError("lookup failed");
    std::memcpy(reinterpret_cast<void*>(at), g_bytes.data(), 64);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const vmc::BackendInfo* native = vmc::find_backend("native");
  if (native == nullptr) {
    std::cerr << "native_bench: backend `native` is not registered\n";
    return 3;
  }
  auto factory = native->make_factory({});
  g_target = factory->make();
  for (std::size_t i = 0; i < g_bytes.size(); ++i) g_bytes[i] = static_cast<std::uint8_t>(0x5A ^ i);
  std::memset(g_bare_page, 1, sizeof g_bare_page);
  for (int i = 0; i < kLive; ++i) {
    std::uint64_t base = 0;
    if (g_target->allocate_virtual_memory(0, kOnePage, kCommitReserve, vmc::PAGE_READWRITE,
                                          &base) != vmc::S_OK) {
      std::cerr << "native_bench: cannot allocate the live regions\n";
      return 2;
    }
    if (i == kLive / 2) g_page = base;
  }
  const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
      {"native/alloc_release_pair", backend_pair},
      {"bare/mmap_munmap_64k", bare_mmap_munmap},
      {"bare/native_syscall_sequence", bare_native_syscalls},
      {"native/write_64", backend_write},
      {"bare/memcpy_write_64", bare_memcpy_write},
      {"bare/locked_map_lookup_memcpy_64", bare_locked_lookup_write},
      {"native/read_64", backend_read},
      {"bare/memcpy_read_64", bare_memcpy_read}};
  for (const auto& [name, fn] : benchmarks)
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kNanosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_target.reset();
  return 0;
}
