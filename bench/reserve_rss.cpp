// reserve_rss.cpp - resident memory the reference model adds for reserving 1 TiB.
//
// Each case reserves exactly 1 TiB in a fresh model and reads resident memory from /proc/self/statm
// (second field, in pages) just before and just after the calls; the malloc heap in use
// (mallinfo2().uordblks) is recorded too, as a finer-grained figure. Sizes are 32-bit DWORDs, so
// 0xFFFFFFFF (4 GiB once rounded up to pages) is the largest request: 256 calls
// AllocateVirtualMemory(A, 0xFFFFFFFF, type) = 256 x 4 GiB, with A = 0 (the system's choice) or
// A = 16 TiB + i * 4 GiB (explicit), each with MEM_RESERVE and MEM_RESERVE|MEM_COMMIT. The total
// the model records is checked to be exactly 1 TiB, and the "probe" entry records what one
// (0, 0xFFFFFFFF) request becomes (the model once rounded that size in 32 bits, to 0).
// Every case runs in its own forked child, so none reuses heap another case freed, and first
// runs the same call once on a throwaway model, so the pages of code executed for the first time
// are not counted as the reservations' data. Writes one
// JSON object to the path given as argv[1] (or standard output).
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vmconform/reference_model.hpp"

namespace {

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

std::int64_t heap_in_use() { return static_cast<std::int64_t>(mallinfo2().uordblks); }

struct Request {
  std::uint64_t address;
  std::uint32_t size;
};

nlohmann::json measure(const std::string& name, std::uint32_t type,
                       const std::vector<Request>& calls) {
  {  // run the code once on a throwaway model first, so its pages are not counted as data
    vmc::ReferenceModel warm;
    std::uint64_t base = 0;
    warm.allocate_virtual_memory(calls[0].address, calls[0].size, type, vmc::PAGE_READWRITE, &base);
  }
  vmc::ReferenceModel model;
  int failures = 0;
  const std::int64_t rss0 = resident_bytes(), heap0 = heap_in_use();
  for (const Request& r : calls) {
    std::uint64_t base = 0;
    if (model.allocate_virtual_memory(r.address, r.size, type, vmc::PAGE_READWRITE, &base) !=
        vmc::S_OK)
      ++failures;
  }
  const std::int64_t rss1 = resident_bytes(), heap1 = heap_in_use();
  std::uint64_t reserved = 0;
  for (const auto& [base, a] : model.allocations()) reserved += a.size;
  const auto broken = model.check_invariants();
  return {{"case", name},
          {"calls", calls.size()},
          {"failed_calls", failures},
          {"reserved_bytes", reserved},
          {"rss_before_bytes", rss0},
          {"rss_after_bytes", rss1},
          {"rss_delta_bytes", rss1 - rss0},
          {"heap_delta_bytes", heap1 - heap0},
          {"invariants", broken ? *broken : "ok"}};
}

// Runs measure() in a forked child (a fresh heap) and returns its result.
nlohmann::json in_child(const std::string& name, std::uint32_t type,
                        const std::vector<Request>& calls) {
  int fds[2];
  if (pipe(fds) != 0) return {{"case", name}, {"failed_calls", -1}, {"error", "pipe failed"}};
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const std::string text = measure(name, type, calls).dump();
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) _exit(1);
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || status != 0 || text.empty())
    return {{"case", name}, {"failed_calls", -1}, {"error", "measuring child failed"}};
  return nlohmann::json::parse(text);
}

// What the model does with the largest DWORD at address 0.
nlohmann::json probe() {
  vmc::ReferenceModel model;
  std::uint64_t base = 0;
  const vmc::hresult hr =
      model.allocate_virtual_memory(0, 0xFFFFFFFFu, vmc::MEM_RESERVE, vmc::PAGE_READWRITE, &base);
  const auto it = model.allocations().find(base);
  const auto broken = model.check_invariants();
  return {{"request", "AllocateVirtualMemory(0, 0xFFFFFFFF, MEM_RESERVE, PAGE_READWRITE)"},
          {"hresult", vmc::hex(static_cast<std::uint32_t>(hr))},
          {"recorded_size",
           it == model.allocations().end() ? -1 : static_cast<std::int64_t>(it->second.size)},
          {"invariants", broken ? *broken : "ok"}};
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Request> explicit_calls, zero_calls;
  for (std::uint64_t i = 0; i < 256; ++i) {
    explicit_calls.push_back({(16ull << 40) + (i << 32), 0xFFFFFFFFu});
    zero_calls.push_back({0, 0xFFFFFFFFu});
  }
  const std::uint32_t reserve = vmc::MEM_RESERVE, commit = vmc::MEM_RESERVE | vmc::MEM_COMMIT;
  nlohmann::json out = {
      {"date", utc_now()},
      {"method", "/proc/self/statm resident pages before/after reserving 1 TiB in a fresh model"},
      {"cases",
       {in_child("MEM_RESERVE, 256 x 4 GiB at explicit addresses", reserve, explicit_calls),
        in_child("MEM_RESERVE|MEM_COMMIT, 256 x 4 GiB at explicit addresses", commit,
                 explicit_calls),
        in_child("MEM_RESERVE, 256 x 4 GiB at address 0", reserve, zero_calls),
        in_child("MEM_RESERVE|MEM_COMMIT, 256 x 4 GiB at address 0", commit, zero_calls)}},
      {"probe", probe()}};
  if (argc > 1) {
    std::ofstream f(argv[1]);
    f << out.dump(2) << "\n";
    if (!f) {
      std::cerr << "cannot write " << argv[1] << "\n";
      return 2;
    }
  } else {
    std::cout << out.dump(2) << "\n";
  }
  for (const auto& c : out["cases"])
    if (c["failed_calls"] != 0) return 1;
  return 0;
}
