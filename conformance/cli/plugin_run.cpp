// plugin_run.cpp - `vmconform run --plugin`: probe the plugin, then one worker per property.
#include "plugin_run.hpp"

#include <signal.h>
#include <unistd.h>

#include <climits>
#include <iostream>
#include <sstream>

#include "../plugin/isolation.hpp"
#include "command.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/plugin.h"

namespace vmc::cli {
namespace {

std::string self_executable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw UsageError("cannot find the vmconform executable (/proc/self/exe) to start workers");
  return std::string(path, static_cast<std::size_t>(n));
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

}  // namespace

std::string plugin_reproducer(const PluginRunArgs& a, const RunOptions& o, const std::string& rule_id) {
  std::string cmd = "vmconform run --plugin " + shell_quote(a.plugin);
  if (!a.options.empty()) cmd += " --plugin-options " + shell_quote(a.options);
  cmd += " --profile " + profile_name(o.profile) + " --seed " + std::to_string(o.seed) + " --cases " +
         std::to_string(o.cases);
  if (a.timeout_seconds != 60) cmd += " --timeout " + seconds_text(a.timeout_seconds);
  return cmd + " --rule " + rule_id;
}

RunResult run_plugin_suite(const PluginRunArgs& a, const RunOptions& o, nlohmann::json* report) {
  ::signal(SIGPIPE, SIG_IGN);  // a worker that died must not kill the parent through its pipe
  plugin::IsolationConfig config{self_executable(), a.plugin, a.options, a.timeout_seconds};
  plugin::PluginInfo info;
  try {
    info = plugin::probe_plugin(config);
  } catch (const plugin::SetupError& e) {
    throw UsageError(e.what());
  }
  std::cout << "  plugin " << info.name << " (ABI " << VMC_PLUGIN_ABI_VERSION << "), page size " << hex(info.page_size)
            << ", allocation granularity " << hex(info.granularity) << ", query_virtual "
            << (info.query ? "present" : "absent (rules that need it are skipped)") << "\n"
            << "  foreign memory: " << info.situation << "\n"
            << "  isolation: one worker process per property, timeout " << seconds_text(a.timeout_seconds)
            << " s; no host-fault injection in plugin ABI v1 (VF-EFAIL-STICKY is skipped)" << std::endl;
  if (report != nullptr)
    *report = {{"path", a.plugin},
               {"name", info.name},
               {"options", a.options},
               {"abi", VMC_PLUGIN_ABI_VERSION},
               {"page_size", info.page_size},
               {"allocation_granularity", info.granularity},
               {"query_virtual", info.query},
               {"foreign_memory", info.situation},
               {"timeout_seconds", a.timeout_seconds}};
  RunResult result = run_suite(
      [&config](const PropertyDef& def, const RunOptions& opts) { return plugin::run_isolated(config, def, opts); }, o);
  for (RuleOutcome& r : result.rules)
    if (r.status == Status::fail) r.reproducer = plugin_reproducer(a, o, r.id);
  return result;
}

}  // namespace vmc::cli
