// fuzz_agent.cpp - libFuzzer target: an agent (spec/agent-protocol.md), the command line that the
// environment variable VMCONFORM_FUZZ_AGENT names (run by /bin/sh), against the reference model
// through vmc::Differential, profile win32, as fuzz_plugin does for a plugin. The agent is started
// and greeted once, at initialisation; every input opens a fresh target on it and must be answered
// within VMCONFORM_FUZZ_AGENT_TIMEOUT seconds (default 10). An agent that exits, hangs or sends
// garbage is a finding: the input crashes with the agent's failure (the request it was answering
// and the end of its stderr), and `vmconform replay FILE --agent "COMMAND"` explains it. An unset
// variable or an agent that cannot be greeted ends the run at start-up with one line (exit 2).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_support.hpp"
#include "vmconform/plugin/agent_target.hpp"

namespace {

[[noreturn]] void setup_error(const std::string& why) {
  std::fprintf(stderr, "==vmconform== fuzz_agent: setup error: VMCONFORM_FUZZ_AGENT%s\n", why.c_str());
  std::fflush(stderr);
  std::exit(2);
}

/// VMCONFORM_FUZZ_AGENT_TIMEOUT, read once (not on every input).
double input_timeout_seconds() {
  static const double seconds = [] {
    const char* v = std::getenv("VMCONFORM_FUZZ_AGENT_TIMEOUT");
    const double s = v != nullptr && *v != '\0' ? std::strtod(v, nullptr) : 10.0;
    return s > 0 ? s : 10.0;
  }();
  return seconds;
}

/// Starts the agent on first use; exits 2 if it cannot be greeted.
vmc::plugin::AgentTargetFactory& agent_factory() {
  static vmc::plugin::AgentTargetFactory* const factory = []() -> vmc::plugin::AgentTargetFactory* {
    const char* command = std::getenv("VMCONFORM_FUZZ_AGENT");
    if (command == nullptr || *command == '\0')
      setup_error(" is not set: set it to the agent's command line "
                  "(e.g. VMCONFORM_FUZZ_AGENT='python3 agents/python/reference_agent.py')");
    vmc::plugin::AgentConfig config;
    config.command = command;
    config.timeout_seconds = input_timeout_seconds();
    // Start-up (a Wine prefix, an interpreter) may take longer than one input may.
    static vmc::plugin::AgentTargetFactory f(config, vmc::plugin::deadline_after(std::max(60.0, config.timeout_seconds)));
    if (!f.failure().empty()) setup_error(std::string("='") + command + "' cannot be used: " + f.failure());
    return &f;
  }();
  return *factory;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  agent_factory();
  return 0;
}

VMC_FUZZ_OPSEQ_MUTATOR()

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<vmc::opseq::Sequence> s = vmc::fuzz::decode_capped(data, size);
  if (!s) return 0;
  vmc::plugin::AgentTargetFactory& factory = agent_factory();
  factory.connection().set_deadline(vmc::plugin::deadline_after(input_timeout_seconds()));
  vmc::fuzz::check_differential(factory, *s);
  return 0;
}
