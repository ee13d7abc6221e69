// process_bench.cpp - the `process` backend side by side with the bare calls it wraps, in one run.
//
// The backend target is vmc::find_backend("process")->make_factory({})->make() (its own stopped
// child, driven through ptrace), holding 10 live one-page regions. The bare baselines drive a
// child forked here - it calls PTRACE_TRACEME and stops itself - directly from the benchmark
// thread: a ptrace round trip is one system call injected the minimal way (PTRACE_GETREGS, SETREGS
// with RIP on a `syscall` instruction, PTRACE_SINGLESTEP, waitpid, GETREGS for the result, SETREGS
// back). Compared pairs (goal: backend at most 1.5x the bare figure): (1) AllocateVirtualMemory(0,
// one page, MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE) + VirtualFree(MEM_RELEASE) against two round
// trips injecting mmap(64 KiB, PROT_READ|PROT_WRITE) and munmap; (2) a 64-byte WriteVirtual into
// a PAGE_READWRITE page against one 64-byte process_vm_writev into the child. One round trip
// injecting getpid is measured too, as the unit of the backend's cost. x86-64 Linux only.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <iostream>
#include <memory>

#include "vmconform/backend_registry.hpp"

extern "C" void vmc_bench_syscall_insn();  // `syscall; ret`, at the same address in the child
__asm__(
    ".pushsection .text\n.globl vmc_bench_syscall_insn\n.type vmc_bench_syscall_insn,@function\n"
    "vmc_bench_syscall_insn:\n  syscall\n  ret\n.popsection\n");

namespace {

constexpr std::uint32_t kOnePage = 0x1000;
constexpr std::uint64_t kGranule = 0x10000;
constexpr int kLive = 10;

std::unique_ptr<vmc::TargetFactory> g_factory;
std::unique_ptr<vmc::Target> g_target;
std::uint64_t g_page = 0;
pid_t g_child = -1;
alignas(4096) std::uint8_t g_child_buffer[4096];  // written in the child's copy
std::array<std::uint8_t, 64> g_bytes{};

// One injected system call in the stopped child; returns the raw result, or -1 on a ptrace error.
std::int64_t inject(long nr, std::uint64_t a0 = 0, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                    std::uint64_t a3 = 0, std::int64_t a4 = -1, std::uint64_t a5 = 0) {
  user_regs_struct saved{}, regs{};
  if (ptrace(PTRACE_GETREGS, g_child, nullptr, &saved) != 0) return -1;
  regs = saved;
  regs.rip = reinterpret_cast<std::uint64_t>(&vmc_bench_syscall_insn);
  regs.orig_rax = ~0ull;
  regs.rax = static_cast<std::uint64_t>(nr);
  regs.rdi = a0, regs.rsi = a1, regs.rdx = a2, regs.r10 = a3;
  regs.r8 = static_cast<std::uint64_t>(a4), regs.r9 = a5;
  int status = 0;
  if (ptrace(PTRACE_SETREGS, g_child, nullptr, &regs) != 0 ||
      ptrace(PTRACE_SINGLESTEP, g_child, nullptr, nullptr) != 0 ||
      waitpid(g_child, &status, 0) != g_child || !WIFSTOPPED(status) ||
      ptrace(PTRACE_GETREGS, g_child, nullptr, &regs) != 0 ||
      ptrace(PTRACE_SETREGS, g_child, nullptr, &saved) != 0)
    return -1;
  return static_cast<std::int64_t>(regs.rax);
}

bool start_child() {
  g_child = fork();
  if (g_child == 0) {
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    raise(SIGSTOP);
    _exit(0);
  }
  int status = 0;
  return g_child > 0 && waitpid(g_child, &status, 0) == g_child && WIFSTOPPED(status) &&
         ptrace(PTRACE_SETOPTIONS, g_child, nullptr, PTRACE_O_EXITKILL) == 0;
}

void backend_pair(benchmark::State& state) {
  for (auto _ : state) {
    std::uint64_t base = 0;
    if (g_target->allocate_virtual_memory(0, kOnePage, vmc::MEM_COMMIT | vmc::MEM_RESERVE,
                                          vmc::PAGE_READWRITE, &base) != vmc::S_OK ||
        g_target->virtual_free(base, 0, vmc::MEM_RELEASE) != vmc::S_OK)
      return state.SkipWithError("allocate/release failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_injected_mmap_munmap(benchmark::State& state) {
  for (auto _ : state) {
    const std::int64_t p =
        inject(SYS_mmap, 0, kGranule, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (p < 0 && p >= -4095) return state.SkipWithError("injected mmap failed");
    if (inject(SYS_munmap, static_cast<std::uint64_t>(p), kGranule) != 0)
      return state.SkipWithError("injected munmap failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void bare_round_trip(benchmark::State& state) {
  for (auto _ : state)
    if (inject(SYS_getpid) != g_child) return state.SkipWithError("injected getpid failed");
  state.SetItemsProcessed(state.iterations());
}

void backend_write(benchmark::State& state) {
  for (auto _ : state)
    if (g_target->write_virtual(g_page + 128, g_bytes.data(), 64) != vmc::S_OK)
      return state.SkipWithError("write failed");
  state.SetItemsProcessed(state.iterations());
}

void bare_pvwritev(benchmark::State& state) {
  iovec local{g_bytes.data(), g_bytes.size()}, remote{g_child_buffer + 128, 64};
  for (auto _ : state)
    if (process_vm_writev(g_child, &local, 1, &remote, 1, 0) != 64)
      return state.SkipWithError("process_vm_writev failed");
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const vmc::BackendInfo* process = vmc::find_backend("process");
  if (process == nullptr) {
    std::cerr << "process_bench: backend `process` is not registered\n";
    return 3;
  }
  for (std::size_t i = 0; i < g_bytes.size(); ++i) g_bytes[i] = static_cast<std::uint8_t>(0x3C ^ i);
  g_child_buffer[0] = 1;  // make the page ours before the fork
  if (!start_child()) {
    std::cerr << "process_bench: cannot start the bare child\n";
    return 2;
  }
  try {
    g_factory = process->make_factory({});
    g_target = g_factory->make();
  } catch (const std::exception& e) {
    std::cerr << "process_bench: " << e.what() << "\n";
    kill(g_child, SIGKILL);
    return 2;
  }
  for (int i = 0; i < kLive; ++i) {
    std::uint64_t base = 0;
    if (g_target->allocate_virtual_memory(0, kOnePage, vmc::MEM_COMMIT | vmc::MEM_RESERVE,
                                          vmc::PAGE_READWRITE, &base) != vmc::S_OK) {
      std::cerr << "process_bench: cannot allocate the live regions\n";
      kill(g_child, SIGKILL);
      return 2;
    }
    if (i == kLive / 2) g_page = base;
  }
  const std::pair<const char*, void (*)(benchmark::State&)> benchmarks[] = {
      {"process/alloc_release_pair", backend_pair},
      {"bare/ptrace_inject_mmap_munmap_64k", bare_injected_mmap_munmap},
      {"bare/ptrace_round_trip", bare_round_trip},
      {"process/write_64", backend_write},
      {"bare/process_vm_writev_64", bare_pvwritev}};
  for (const auto& [name, fn] : benchmarks)
    benchmark::RegisterBenchmark(name, fn)->Unit(benchmark::kNanosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_target.reset();
  g_factory.reset();
  kill(g_child, SIGKILL);
  waitpid(g_child, nullptr, 0);
  return 0;
}
