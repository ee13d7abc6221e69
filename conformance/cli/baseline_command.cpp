// baseline_command.cpp - `vmconform baseline --write FILE --from report.json`: starts a baseline
// of expected failures from a report, with a reason to fill in for every failing rule.
#include <fstream>
#include <iostream>

#include "command.hpp"
#include "vmconform/baseline.hpp"

namespace vmc::cli {
namespace {

int write_baseline(const std::string& from, const std::string& out) {
  std::ifstream f(from);
  if (!f) throw UsageError("cannot open report " + from);
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    throw UsageError(from + " is not valid JSON: " + e.what());
  }
  if (report.value("schema", "") != "vmconform-report/1") throw UsageError(from + " is not a vmconform-report/1 file");
  std::ofstream o(out);
  o << vmc::baseline_from_report(report).dump(2) << "\n";
  if (!o) throw UsageError("cannot write " + out);
  std::cout << "baseline written to " << out << ": fill in every \"reason\"\n";
  return 0;
}

}  // namespace

VMC_CLI_COMMAND(CommandSpec{"baseline", "Start a baseline from a report", 50, [](CLI::App& bl) -> std::function<int()> {
  auto from = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  bl.add_option("--write", *out, "The baseline file to write")->required();
  bl.add_option("--from", *from, "A report.json of the backend")->required();
  return [from, out] { return write_baseline(*from, *out); };
}});

}  // namespace vmc::cli
