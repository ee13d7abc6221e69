// catalogue.cpp - parses the embedded spec/rules.json once.
#include "vmconform/catalogue.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vmc {

extern const char* const kRulesJson;  // generated from spec/rules.json by the build

namespace {
struct Catalogue {
  std::vector<Rule> rules;
  std::string documented, win32;
};

const Catalogue& catalogue() {
  static const Catalogue c = [] {
    Catalogue out;
    const auto j = nlohmann::json::parse(kRulesJson);
    if (j.at("schema") != "vmconform-rules/1")
      throw std::runtime_error("spec/rules.json: unknown schema");
    out.documented = j.at("profiles").at("documented").get<std::string>();
    out.win32 = j.at("profiles").at("win32").get<std::string>();
    for (const auto& r : j.at("rules")) {
      Rule rule;
      rule.id = r.at("id").get<std::string>();
      rule.operation = r.at("operation").get<std::string>();
      rule.layer = r.at("layer").get<std::string>();
      rule.profiles = r.at("profiles").get<std::vector<std::string>>();
      rule.source = r.at("source").get<std::string>();
      rule.text = r.at("text").get<std::string>();
      out.rules.push_back(std::move(rule));
    }
    return out;
  }();
  return c;
}
}  // namespace

std::string profile_name(Profile p) { return p == Profile::documented ? "documented" : "win32"; }

std::optional<Profile> parse_profile(const std::string& name) {
  if (name == "documented") return Profile::documented;
  if (name == "win32") return Profile::win32;
  return std::nullopt;
}

bool Rule::in(Profile p) const {
  return std::find(profiles.begin(), profiles.end(), profile_name(p)) != profiles.end();
}

const std::vector<Rule>& rules() { return catalogue().rules; }

const Rule* find_rule(const std::string& id) {
  for (const Rule& r : rules())
    if (r.id == id) return &r;
  return nullptr;
}

std::string profile_description(Profile p) {
  return p == Profile::documented ? catalogue().documented : catalogue().win32;
}

std::string rule_test_prefix(const std::string& id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                 : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = false;
  }
  return out;
}

}  // namespace vmc
