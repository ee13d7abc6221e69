// completion_command.cpp - `vmconform completion bash`: the bash completion script, generated from
// the option tables every command declares (app.cpp walks them), and the values options take
// (option_values): profiles, backends, rules, colours, fuzz targets. A new option or backend is
// completed without editing a script.
#include <iostream>

#include "app.hpp"
#include "command.hpp"
#include "terminal.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"

namespace vmc::cli {

std::vector<std::string> option_values(const std::string& option) {
  std::vector<std::string> out;
  if (option == "--profile") return {"documented", "win32"};
  if (option == "--color") return {std::begin(kColorChoices), std::end(kColorChoices)};
  if (option == "--backend")
    for (const BackendInfo& b : registered_backends()) out.push_back(b.name);
  if (option == "--rule")
    for (const Rule& r : rules()) out.push_back(r.id);
  if (option == "--target")
    return {"fuzz_sim",          "fuzz_native",      "fuzz_process",  "fuzz_mutant",          "fuzz_plugin",
            "fuzz_opseq_decode", "fuzz_opseq_text", "fuzz_baseline", "fuzz_worker_protocol", "fuzz_cli_inputs"};
  return out;
}

VMC_CLI_COMMAND(CommandSpec{
    "completion", "Print the shell completion script (bash)", 80,
    [](CLI::App& sub) -> Action {
      auto shell = std::make_shared<std::string>();
      sub.add_option("SHELL", *shell, "bash")->required();
      const auto check = [shell] {
        if (*shell != "bash") throw UsageError("completion: only bash is supported, not '" + *shell + "'");
      };
      return Action{check, [shell, check] {
                      check();
                      std::cout << bash_completion();
                      return kExitOk;
                    }};
    },
    {"vmconform completion bash > ~/.local/share/bash-completion/completions/vmconform",
     "source <(vmconform completion bash)   # this shell only"},
    "  0  the script was printed\n  2  another shell was asked for"});

}  // namespace vmc::cli
