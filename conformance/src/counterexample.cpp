// counterexample.cpp - RapidCheck's counterexample made readable (vmconform/counterexample.hpp).
#include "vmconform/counterexample.hpp"

#include <regex>

namespace vmc {
namespace {

bool is_command_list(const std::string& description) {
  return description.find("Command<") != std::string::npos || description.find("rc::state::") != std::string::npos;
}

/// A C++ type name as a hint: namespaces, allocators and spaces trimmed.
std::string short_type(std::string t) {
  static const std::regex namespaces(R"(std::|rc::|vmc::|\(anonymous namespace\)::|__cxx11::)");
  static const std::regex allocator(R"(, ?allocator<[^<>]*>)");
  t = std::regex_replace(std::regex_replace(t, namespaces, ""), allocator, "");
  return t.size() > 60 ? t.substr(0, 57) + "..." : t;
}

/// A C++ type rather than a name a property gave its draw.
bool looks_like_type(const std::string& d) {
  static const std::regex type(
      R"(^(const )?(unsigned |signed )?(int|long|short|char|bool|float|double|long long|unsigned|std::.*|vmc::.*|rc::.*|[A-Za-z_:]+<.*>)( const)?$)");
  return std::regex_match(d, type);
}

}  // namespace

std::string readable_counterexample(const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  std::size_t unnamed = 0;
  for (const auto& [description, value] : values) {
    if (is_command_list(description)) {
      out += "vmconform-opseq 1\n";
      out += value;
      if (!value.empty() && value.back() != '\n') out += "\n";
      continue;
    }
    std::string v = value;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    if (looks_like_type(description))
      out += "value " + std::to_string(++unnamed) + " = " + v + "  (" + short_type(description) + ")\n";
    else
      out += description + " = " + v + "\n";
  }
  return out;
}

}  // namespace vmc
