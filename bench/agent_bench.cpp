// agent_bench.cpp - operations per second of one implementation through the agent protocol, or of a
// built-in backend in process, on one fixed mix of calls (bench/agents.sh, reports/benchmarks/agents.md).
//
// `vmconform_bench_agent --agent "COMMAND" | --backend NAME [--seconds S]`: opens one target and
// repeats, for S seconds (default 2), allocate 64 KiB committed at address 0, write 256 bytes,
// read them back, query (when the target has a query), release: 5 calls (4 without a query).
// Prints one JSON line: {"subject", "ops", "seconds", "ops_per_second"}. An agent is started once,
// as `vmconform run --agent` starts one per property; its start-up is not counted.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmconform/backend_registry.hpp"
#include "vmconform/plugin/agent_target.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Operations per second of an agent or a backend on a fixed mix of calls"};
  std::string agent, backend;
  double seconds = 2;
  app.add_option("--agent", agent, "An agent command (spec/agent-protocol.md)");
  app.add_option("--backend", backend, "A built-in backend");
  app.add_option("--seconds", seconds, "How long to run (default 2)");
  CLI11_PARSE(app, argc, argv);
  if (agent.empty() == backend.empty()) {
    std::cerr << "give --agent COMMAND or --backend NAME\n";
    return 2;
  }
  std::unique_ptr<vmc::TargetFactory> factory;
  if (!agent.empty()) {
    factory = std::make_unique<vmc::plugin::AgentTargetFactory>(
        vmc::plugin::AgentConfig{agent, 600}, std::chrono::steady_clock::now() + std::chrono::seconds(600));
  } else {
    const vmc::BackendInfo* b = vmc::find_backend(backend);
    if (!b) {
      std::cerr << "unknown backend " << backend << "\n";
      return 2;
    }
    factory = b->make_factory(vmc::BackendOptions{1, ""});
  }
  std::unique_ptr<vmc::Target> t;
  try {
    t = factory->make();
  } catch (const std::exception& e) {
    std::cerr << "cannot open a target: " << e.what() << "\n";
    return 2;
  }
  std::vector<std::uint8_t> data(256, 0x5A), back(256);
  const bool query = t->has_query();
  std::uint64_t ops = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  while (std::chrono::steady_clock::now() < until) {
    std::uint64_t base = 0;
    std::uint32_t n = 0;
    vmc::RegionInfo info;
    if (t->allocate_virtual_memory(0, 0x10000, vmc::MEM_COMMIT | vmc::MEM_RESERVE, vmc::PAGE_READWRITE, &base) != vmc::S_OK ||
        t->write_virtual(base + 0x100, data.data(), 256) != vmc::S_OK ||
        t->read_virtual(base + 0x100, back.data(), 256, &n) != vmc::S_OK || n != 256 ||
        (query && t->query_virtual(base, &info) != vmc::S_OK) || t->virtual_free(base, 0, vmc::MEM_RELEASE) != vmc::S_OK) {
      std::cerr << "a call of the mix failed" << (t->failure().empty() ? "" : ": " + t->failure()) << "\n";
      return 1;
    }
    ops += query ? 5 : 4;
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << nlohmann::json{{"subject", agent.empty() ? backend : agent},
                              {"ops", ops},
                              {"seconds", took},
                              {"ops_per_second", static_cast<double>(ops) / took}}
                   .dump()
            << std::endl;
  return 0;
}
