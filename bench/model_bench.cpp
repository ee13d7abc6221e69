// model_bench.cpp - cost per operation of the reference model (vmc::ReferenceModel, backend `sim`).
//
// Every benchmark runs against a model that already holds N live one-page regions (N = 10 and
// 100,000; each allocated at address 0 with MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE, and holding
// 64 non-zero bytes so its page is stored, as a long test leaves it). Writes and reads of 64
// non-zero bytes visit the live regions in a fixed shuffled order, so the large model is not
// measured from one hot cache line. Allocate/free, the goal figure, is timed as a pair in the loop
// (AllocateVirtualMemory(0, one page) then VirtualFree(MEM_RELEASE)), which keeps the live count
// at exactly N; the report divides the pair by two. For a breakdown, allocate alone and release
// alone are also timed, the other half of the pair done with the timer paused once per batch of
// 64 (so the live count moves between N and N+64 there). To show what the stored bytes cost, the
// pair and the read are also run on 100,000 regions that were never written ("unwritten": no
// page holds data). A copy of the whole model (what the checker's `before = model_` costs, the copy
// destroyed again in the loop) is timed at 10 and 100,000 written regions. Google Benchmark records
// wall time and the thread's CPU time, in ns.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vmconform/reference_model.hpp"

namespace {

constexpr std::uint32_t kOnePage = 0x1000;
constexpr std::uint32_t kCommitReserve = vmc::MEM_COMMIT | vmc::MEM_RESERVE;
constexpr std::size_t kBatch = 64;
constexpr std::uint64_t kOffset = 128;  // where in a region the 64-byte writes and reads land

struct Shape {
  std::size_t live;
  bool written;
};

struct Fixture {
  vmc::ReferenceModel model;
  std::vector<std::uint64_t> bases;  // the N live regions, in visiting order
};

std::array<std::uint8_t, 64> payload() {
  std::array<std::uint8_t, 64> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0xA5 ^ i);
  return bytes;
}

// One shared model per shape: building 100,000 regions once, not once per repetition.
Fixture* fixture(Shape shape) {
  static std::map<std::pair<std::size_t, bool>, std::unique_ptr<Fixture>> cache;
  std::unique_ptr<Fixture>& f = cache[{shape.live, shape.written}];
  if (f) return f.get();
  f = std::make_unique<Fixture>();
  const auto bytes = payload();
  for (std::size_t i = 0; i < shape.live; ++i) {
    std::uint64_t base = 0;
    if (f->model.allocate_virtual_memory(0, kOnePage, kCommitReserve, vmc::PAGE_READWRITE, &base) !=
            vmc::S_OK ||
        (shape.written && f->model.write_virtual(base + kOffset, bytes.data(), 64) != vmc::S_OK))
      return nullptr;
    f->bases.push_back(base);
  }
  std::shuffle(f->bases.begin(), f->bases.end(), std::mt19937_64(42));
  return f.get();
}

bool allocate(vmc::ReferenceModel& m, std::uint64_t* base) {
  return m.allocate_virtual_memory(0, kOnePage, kCommitReserve, vmc::PAGE_READWRITE, base) ==
         vmc::S_OK;
}
bool release(vmc::ReferenceModel& m, std::uint64_t base) {
  return m.virtual_free(base, 0, vmc::MEM_RELEASE) == vmc::S_OK;
}

void alloc_release_pair(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  for (auto _ : state) {
    std::uint64_t base = 0;
    if (!allocate(f->model, &base) || !release(f->model, base))
      return state.SkipWithError("allocate/release failed");
  }
  state.SetItemsProcessed(2 * state.iterations());  // two operations per iteration
}

void allocate_only(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  std::vector<std::uint64_t> held;
  held.reserve(kBatch);
  bool ok = true;
  for (auto _ : state) {
    std::uint64_t base = 0;
    ok = ok && allocate(f->model, &base);
    held.push_back(base);
    if (held.size() == kBatch) {
      state.PauseTiming();
      for (std::uint64_t b : held) ok = ok && release(f->model, b);
      held.clear();
      state.ResumeTiming();
    }
  }
  for (std::uint64_t b : held) ok = ok && release(f->model, b);
  if (!ok) state.SkipWithError("allocate/release failed");
  state.SetItemsProcessed(state.iterations());
}

void release_only(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  std::vector<std::uint64_t> held;
  held.reserve(kBatch);
  bool ok = true;
  for (auto _ : state) {
    if (held.empty()) {
      state.PauseTiming();
      for (std::size_t i = 0; i < kBatch; ++i) {
        std::uint64_t base = 0;
        ok = ok && allocate(f->model, &base);
        held.push_back(base);
      }
      state.ResumeTiming();
    }
    ok = ok && release(f->model, held.back());
    held.pop_back();
  }
  for (std::uint64_t b : held) ok = ok && release(f->model, b);
  if (!ok) state.SkipWithError("allocate/release failed");
  state.SetItemsProcessed(state.iterations());
}

void write_64(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  const auto bytes = payload();
  std::size_t i = 0;
  for (auto _ : state) {
    if (f->model.write_virtual(f->bases[i] + kOffset, bytes.data(), 64) != vmc::S_OK)
      return state.SkipWithError("write failed");
    if (++i == f->bases.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void read_64(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  std::array<std::uint8_t, 64> out{};
  std::size_t i = 0;
  for (auto _ : state) {
    std::uint32_t got = 0;
    if (f->model.read_virtual(f->bases[i] + kOffset, out.data(), 64, &got) != vmc::S_OK ||
        got != 64)
      return state.SkipWithError("read failed");
    benchmark::DoNotOptimize(out.data());
    if (++i == f->bases.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The checker copies the model before an operation it may have to roll back (differential.cpp):
// copy, then destroy the copy, as the checker's std::optional<ReferenceModel> does.
void copy_model(benchmark::State& state, Shape shape) {
  Fixture* f = fixture(shape);
  if (f == nullptr) return state.SkipWithError("cannot build the model");
  for (auto _ : state) {
    vmc::ReferenceModel copy = f->model;
    benchmark::DoNotOptimize(&copy);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  using Fn = void (*)(benchmark::State&, Shape);
  const std::pair<const char*, Fn> all[] = {{"alloc_release_pair", alloc_release_pair},
                                            {"allocate_batched", allocate_only},
                                            {"release_batched", release_only},
                                            {"write_64", write_64},
                                            {"read_64", read_64},
                                            {"copy", copy_model}};
  auto add = [](const char* name, Fn fn, Shape shape, const char* suffix) {
    const std::string full =
        "model/" + std::string(name) + "/" + std::to_string(shape.live) + suffix;
    benchmark::RegisterBenchmark(full.c_str(), fn, shape)->Unit(benchmark::kNanosecond);
  };
  for (std::size_t live : {std::size_t{10}, std::size_t{100000}})
    for (const auto& [name, fn] : all) add(name, fn, {live, true}, "");
  add("alloc_release_pair", alloc_release_pair, {100000, false}, "_unwritten");
  add("read_64", read_64, {100000, false}, "_unwritten");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
