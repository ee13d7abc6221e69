// replay_command.cpp - `vmconform replay FILE`: runs one op sequence (a fuzzer's crash artifact,
// a corpus file, or op-sequence text) on a backend and on the reference model side by side.
//
// Prints the sequence as text, the trace of what the backend returned, the first op whose result
// differs from the model and the rule it breaks, and a ready-to-paste GoogleTest regression
// test. Exit codes: 0 no divergence, 1 divergence, 2 usage error or unreadable file.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <variant>

#include "command.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/catalogue.hpp"
#include "vmconform/differential.hpp"

namespace vmc::cli {
namespace {

struct ReplayArgs {
  std::string file, backend = "sim", backend_options, profile = "win32";
  bool text = false;
};

/// True if the first line that is neither blank nor a comment is the text form's header.
bool looks_like_text(const std::string& bytes) {
  std::istringstream in(bytes);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    return line.compare(first, 15, "vmconform-opseq") == 0;
  }
  return false;
}

std::string short_hash(const std::string& s) {  // FNV-1a, to make test names unique
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

std::string regression_test(const ReplayArgs& a, const std::string& text, const Divergence& d, std::size_t step) {
  const bool mutant = a.backend.rfind("mutant:", 0) == 0;
  std::ostringstream t;
  t << "// From `vmconform replay " << a.file << " --backend " << a.backend << " --profile " << a.profile
    << "`: " << d.rule << " at " << (step ? "step " + std::to_string(step) : std::string("the final check")) << ".\n"
    << "// Link with vmconform_conformance and vmconform_backends (vmconform_link_suite) and GTest.\n"
    << "#include <gtest/gtest.h>\n\n#include <variant>\n\n"
    << "#include \"vmconform/backend_registry.hpp\"\n#include \"vmconform/differential.hpp\"\n\n"
    << "TEST(FuzzRegression, " << rule_test_prefix(d.rule) << "Replay" << short_hash(text + a.backend) << ") {\n"
    << "  RecordProperty(\"rule\", \"" << d.rule << "\");\n"
    << "  const auto parsed = vmc::opseq::parse_text(R\"opseq(" << text << ")opseq\");\n"
    << "  ASSERT_TRUE(std::holds_alternative<vmc::opseq::Sequence>(parsed));\n"
    << "  const vmc::BackendInfo* backend = vmc::find_backend(\"" << a.backend << "\");\n"
    << "  ASSERT_NE(backend, nullptr);\n"
    << "  const auto factory = backend->make_factory(vmc::BackendOptions{1, \"" << a.backend_options << "\"});\n"
    << "  const auto target = factory->make();\n"
    << "  vmc::Differential differential(*target, vmc::Profile::" << a.profile << ");\n"
    << "  const std::optional<vmc::Divergence> d = differential.run(std::get<vmc::opseq::Sequence>(parsed));\n";
  if (mutant)
    t << "  ASSERT_TRUE(d.has_value()) << \"" << a.backend << " is no longer caught by this sequence\";\n"
      << "  EXPECT_EQ(d->rule, \"" << d.rule << "\") << d->message;\n";
  else
    t << "  EXPECT_FALSE(d.has_value()) << d->rule << \": \" << d->message;\n";
  t << "}\n";
  return t.str();
}

int replay(const ReplayArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(a.file, ec))
    throw UsageError("cannot read '" + a.file + "': no such file, or not a regular file");
  std::ifstream in(a.file, std::ios::binary);
  if (!in) throw UsageError("cannot read '" + a.file + "' (permission denied?)");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto profile = parse_profile(a.profile);
  if (!profile) throw UsageError("unknown profile '" + a.profile + "' (expected documented or win32)");
  const BackendInfo* backend = find_backend(a.backend);
  if (!backend) throw UsageError("unknown backend '" + a.backend + "' (see vmconform list-backends)");

  const bool text = a.text || looks_like_text(bytes);
  opseq::Sequence s;
  if (text) {
    auto parsed = opseq::parse_text(bytes);
    if (const auto* e = std::get_if<opseq::ParseError>(&parsed))
      throw UsageError(a.file + ":" + std::to_string(e->line) + ": " + e->message);
    s = std::move(std::get<opseq::Sequence>(parsed));
  } else {
    s = opseq::decode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
  const std::string seq_text = opseq::to_text(s);
  std::cout << "vmconform replay: " << a.file << " (" << (text ? "text" : "binary") << ", " << bytes.size()
            << " bytes, " << s.size() << " ops), backend " << a.backend << ", profile " << a.profile << "\n\n"
            << seq_text << "\n";

  std::unique_ptr<TargetFactory> factory;
  std::unique_ptr<Target> target;
  try {
    factory = backend->make_factory(BackendOptions{1, a.backend_options});
    target = factory->make();
  } catch (const std::exception& e) {
    throw UsageError("cannot set up backend " + a.backend + ": " + e.what());
  }
  Differential differential(*target, *profile);
  std::optional<Divergence> d;
  std::size_t step = 0;
  for (std::size_t i = 0; i < s.size() && !d; ++i)
    if ((d = differential.step(s[i]))) step = i + 1;
  if (!d) d = differential.final_check();

  std::cout << "trace (op, then what the backend returned):\n";
  for (std::size_t i = 0; i < differential.log().size(); ++i)
    std::cout << "  " << (i + 1) << ". " << differential.log()[i] << "\n";
  if (!d) {
    std::cout << "\nno divergence: " << a.backend << " agrees with the reference model on all " << s.size()
              << " ops and on the final comparison of every reservation.\n";
    return kExitOk;
  }
  const Rule* rule = find_rule(d->rule);
  std::cout << "\nDIVERGENCE " << (step ? "at step " + std::to_string(step) + " of " + std::to_string(s.size()) +
                                              ": `" + opseq::to_text(s[step - 1]) + "`"
                                        : "at the final check (after all " + std::to_string(s.size()) + " ops)")
            << "\n  rule: " << d->rule << (rule ? " - " + rule->text : "") << "\n  " << d->message << "\n\n"
            << "reproduce: vmconform replay " << a.file << " --backend " << a.backend << " --profile " << a.profile
            << (a.backend_options.empty() ? "" : " --backend-options '" + a.backend_options + "'") << "\n\n"
            << "regression test (paste into a GoogleTest file):\n"
            << regression_test(a, seq_text, *d, step);
  return kExitFailed;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"replay", "Replay one op sequence (crash artifact, corpus file or text) against a backend",
                            50, [](CLI::App& rp) -> std::function<int()> {
  auto a = std::make_shared<ReplayArgs>();
  rp.add_option("FILE", a->file, "Op sequence: binary (fuzz/FORMAT.md) or text (\"vmconform-opseq 1\" header)")
      ->required();
  rp.add_option("--backend", a->backend, "Backend name (default sim; see list-backends)");
  rp.add_option("--backend-options", a->backend_options, "Backend-specific options, e.g. pid=1234");
  rp.add_option("--profile", a->profile, "documented or win32 (default win32, as the fuzzers)");
  rp.add_flag("--text", a->text, "FILE is op-sequence text (detected from its header otherwise)");
  return [a] { return replay(*a); };
}});

}  // namespace vmc::cli
