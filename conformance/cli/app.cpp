// app.cpp - the `vmconform` command line (app.hpp): the registry of subcommands, the CLI11 app
// built from it (usage, --version, each subcommand's --help with its examples, exit statuses and
// the profiles), "did you mean" for a mistyped command or option, and the one place errors become
// "vmconform: ..." and an exit status.
#include "app.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/files.hpp"
#include "vmconform/report.hpp"

#ifndef VMCONFORM_VERSION
#define VMCONFORM_VERSION "unknown"
#endif

namespace vmc::cli {

std::vector<CommandSpec>& commands() {
  static std::vector<CommandSpec> all;
  return all;
}

bool register_command(CommandSpec spec) {
  commands().push_back(std::move(spec));
  return true;
}

namespace {

constexpr const char* kExitStatus =
    "  0  nothing failed\n"
    "  1  a rule failed, or an expected failure passed (xpass), or a target failed during the run\n"
    "  2  usage or setup error: one line on stderr says what is wrong (nothing was run or written)";

std::string version_text() {
  return std::string("vmconform ") + VMCONFORM_VERSION + " (report schema vmconform-report/1, baseline schema " +
         "vmconform-baseline/1, plugin ABI 1, op-sequence format 1, " + std::to_string(rules().size()) + " rules)";
}

std::string footer(const CommandSpec& spec) {
  std::string f;
  if (!spec.examples.empty()) {
    f += "Examples:\n";
    for (const std::string& e : spec.examples) f += "  " + e + "\n";
    f += "\n";
  }
  f += "Exit status:\n" + (spec.exit_status.empty() ? std::string(kExitStatus) : spec.exit_status) + "\n\n";
  f += "Profiles (--profile):\n  documented  " + profile_description(Profile::documented) + "\n  win32       " +
       profile_description(Profile::win32) + "\n\nDocumentation: README.md, spec/rules.json, plugins/README.md, "
       "fuzz/REPRODUCING.md\n";
  return f;
}

/// Levenshtein distance, for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// The candidate closest to `word`, if it is close enough to be what was meant.
std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = c.rfind(word, 0) == 0 && word.size() >= 2 ? 1 : distance(word, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

/// The app and the action of each subcommand, in --help order.
struct Built {
  std::unique_ptr<CLI::App> app;
  std::vector<std::pair<CLI::App*, Action>> actions;
};

Built build() {
  Built b;
  b.app = std::make_unique<CLI::App>(
      "vmconform: conformance and fuzzing suite for WriteVirtual, AllocateVirtualMemory and VirtualFree",
      "vmconform");
  b.app->require_subcommand(1);
  b.app->set_version_flag("--version", version_text(), "Print the version (and the formats it reads and writes)");
  b.app->footer(std::string("Run `vmconform COMMAND --help` for the options and examples of a command.\n\nExit status:\n") +
                kExitStatus);
  auto specs = commands();
  std::sort(specs.begin(), specs.end(), [](const CommandSpec& a, const CommandSpec& c) { return a.order < c.order; });
  for (const CommandSpec& spec : specs) {
    CLI::App* sub = b.app->add_subcommand(spec.name, spec.help);
    sub->footer(footer(spec));
    b.actions.emplace_back(sub, spec.add(*sub));
  }
  return b;
}

const Action* chosen(const Built& b) {
  for (const auto& [sub, action] : b.actions)
    if (*sub) return &action;
  return nullptr;
}

std::vector<std::string> visible_commands(const Built& b) {
  std::vector<std::string> out;
  for (const auto& [sub, action] : b.actions)
    if (!sub->get_group().empty()) out.push_back(sub->get_name());
  return out;
}

/// A first argument that is neither an option nor a command: say so, with the nearest command.
void check_command_name(const Built& b, const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return;
  for (const auto& [sub, action] : b.actions)
    if (sub->get_name() == args[0]) return;
  const std::string near = closest(args[0], visible_commands(b));
  throw UsageError("unknown command '" + args[0] + "'" + (near.empty() ? "" : "; did you mean '" + near + "'?") +
                   " (vmconform --help lists the commands)");
}

/// CLI11's "arguments were not expected" for a mistyped option, with the nearest option.
std::string explain_extras(const Built& b, const std::vector<std::string>& args, const CLI::ExtrasError& e) {
  const CLI::App* sub = nullptr;
  for (const auto& [s, action] : b.actions)
    if (!args.empty() && s->get_name() == args[0]) sub = s;
  std::string unknown;
  for (std::size_t i = sub ? 1 : 0; i < args.size() && unknown.empty(); ++i)
    if (args[i].rfind("--", 0) == 0 && std::string(e.what()).find(args[i]) != std::string::npos) unknown = args[i];
  if (unknown.empty() || !sub) return e.what();
  const std::string name = unknown.substr(0, unknown.find('='));
  std::vector<std::string> known;
  for (const CLI::Option* o : sub->get_options())
    for (const std::string& l : o->get_lnames()) known.push_back("--" + l);
  const std::string near = closest(name, known);
  return sub->get_name() + ": unknown option " + name + (near.empty() ? "" : "; did you mean " + near + "?") +
         " (vmconform " + sub->get_name() + " --help)";
}

}  // namespace

std::string bash_completion() {
  const Built b = build();
  std::string commands, cases;
  for (const auto& [sub, action] : b.actions) {
    if (sub->get_group().empty()) continue;  // hidden (worker)
    commands += (commands.empty() ? "" : " ") + sub->get_name();
    std::string options = "--help", valued;
    for (const CLI::Option* o : sub->get_options()) {
      for (const std::string& l : o->get_lnames()) {
        if (l == "help") continue;
        options += " --" + l;
        if (o->get_expected_min() == 0) continue;  // a flag
        const std::vector<std::string> values = option_values("--" + l);
        std::string words;
        for (const std::string& v : values) words += (words.empty() ? "" : " ") + v;
        valued += "        --" + l + ") " +
                  (values.empty() ? std::string("COMPREPLY=($(compgen -f -- \"$cur\"))")
                                  : "COMPREPLY=($(compgen -W '" + words + "' -- \"$cur\"))") +
                  "; return ;;\n";
      }
    }
    cases += "    " + sub->get_name() + ")\n      case \"$prev\" in\n" + valued +
             "      esac\n      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '" + options +
             "' -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi ;;\n";
  }
  return "# bash completion for vmconform, generated by `vmconform completion bash` from its option tables.\n"
         "# Install: vmconform completion bash > ~/.local/share/bash-completion/completions/vmconform\n"
         "# (or: source <(vmconform completion bash)).\n"
         "_vmconform() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
         "  if [[ $COMP_CWORD -eq 1 ]]; then\n"
         "    COMPREPLY=($(compgen -W '" + commands + " --help --version' -- \"$cur\")); return\n"
         "  fi\n"
         "  case \"${COMP_WORDS[1]}\" in\n" + cases +
         "  esac\n"
         "}\n"
         "complete -o filenames -F _vmconform vmconform\n";
}

void check_command_line(const std::vector<std::string>& args) {
  Built b = build();
  check_command_name(b, args);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  b.app->parse(reversed);
  if (const Action* a = chosen(b)) {
    try {
      a->check();
    } catch (const FileError& e) {
      throw UsageError(e.what());
    }
  }
}

int run_command_line(int argc, char** argv) {
  Built b;
  try {
    b = build();
  } catch (const std::exception& e) {
    std::cerr << "vmconform: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    check_command_name(b, args);
  } catch (const UsageError& e) {
    std::cerr << "vmconform: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    b.app->parse(argc, argv);
  } catch (const CLI::Success& e) {
    return b.app->exit(e);
  } catch (const CLI::ExtrasError& e) {
    std::cerr << "vmconform: " << explain_extras(b, args, e) << "\n";
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    std::cerr << "vmconform: " << e.what() << " (run vmconform --help)\n";
    return kExitUsage;
  }
  try {
    if (const Action* a = chosen(b)) return a->run();
  } catch (const UsageError& e) {
    std::cerr << "vmconform: " << e.what() << "\n";
    return kExitUsage;
  } catch (const FileError& e) {
    std::cerr << "vmconform: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "vmconform: setup error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}

}  // namespace vmc::cli
