// lint_test.cpp - keeps the rule catalogue, the properties and the mutants consistent:
// every rule has a property and a mutant, every property and mutant names a known rule, names
// are GoogleTest-safe and carry their rule ID, and the spec documents mention every rule.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "vmconform/catalogue.hpp"
#include "vmconform/coverage.hpp"
#include "vmconform/mutants.hpp"
#include "vmconform/property.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(CatalogueLint, RuleIdsAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  const std::regex id("^(WV|RV|AVM|VF|X)(-[A-Z0-9]+)+$");
  for (const vmc::Rule& r : vmc::rules()) {
    EXPECT_TRUE(seen.insert(r.id).second) << "duplicate rule ID " << r.id;
    EXPECT_TRUE(std::regex_match(r.id, id)) << "malformed rule ID " << r.id;
    EXPECT_FALSE(r.text.empty()) << r.id << " has no text";
    EXPECT_EQ(r.text.back(), '.') << r.id << ": a rule is one sentence ending with a period";
    EXPECT_FALSE(r.source.empty()) << r.id << " names no source";
    EXPECT_TRUE(r.layer == "COM wrapper" || r.layer == "Win32") << r.id << ": unknown layer " << r.layer;
    EXPECT_FALSE(r.profiles.empty()) << r.id << " belongs to no profile";
    for (const std::string& p : r.profiles) EXPECT_TRUE(vmc::parse_profile(p)) << r.id << ": unknown profile " << p;
    if (r.in(vmc::Profile::documented)) {
      EXPECT_TRUE(r.in(vmc::Profile::win32)) << r.id << ": win32 includes documented";
    }
  }
  EXPECT_GE(vmc::rules().size(), 27u);
}

TEST(CatalogueLint, FixedRuleIdsArePresent) {
  for (const char* id : {"WV-ROUNDTRIP", "WV-ATOMIC", "WV-UNWRITABLE", "WV-STATUS", "RV-FIRST-BYTE", "AVM-ROUND",
                         "AVM-ZERO", "AVM-BASE", "AVM-RESERVE-ONLY", "AVM-COMMIT-RESERVED", "AVM-RECOMMIT-KEEPS",
                         "AVM-PROTECT", "AVM-INVALID", "AVM-NO-EFFECT-ON-FAIL", "VF-FOREIGN", "VF-RELEASE-BASE",
                         "VF-RELEASE-SIZE", "VF-RELEASE-WHOLE", "VF-DECOMMIT-RANGE", "VF-DECOMMIT-WHOLE", "VF-SPAN",
                         "VF-FREE-TYPE", "VF-STATUS", "VF-EFAIL-STICKY", "X-NO-EFFECT-ON-FAIL", "X-ISOLATION",
                         "X-MODEL"})
    EXPECT_NE(vmc::find_rule(id), nullptr) << "fixed rule ID " << id << " is missing from spec/rules.json";
}

TEST(CatalogueLint, EveryRuleHasAProperty) {
  for (const vmc::Rule& r : vmc::rules()) {
    int n = 0;
    for (const vmc::PropertyDef& p : vmc::properties()) n += p.rule == r.id;
    EXPECT_GT(n, 0) << "rule " << r.id << " has no property";
  }
}

TEST(CatalogueLint, EveryPropertyNamesAKnownRule) {
  for (const vmc::PropertyDef& p : vmc::properties()) {
    EXPECT_NE(vmc::find_rule(p.rule), nullptr) << "property " << p.name << " names unknown rule " << p.rule;
    EXPECT_EQ(p.name.find('_'), std::string::npos) << "GoogleTest names have no '_': " << p.name;
    EXPECT_EQ(p.name.rfind(vmc::rule_test_prefix(p.rule), 0), 0u)
        << "property " << p.name << " must start with " << vmc::rule_test_prefix(p.rule);
    EXPECT_FALSE(p.summary.empty()) << p.name;
  }
}

TEST(CatalogueLint, EveryRuleHasAMutantThatBreaksIt) {
  for (const vmc::Rule& r : vmc::rules()) {
    int n = 0;
    for (const vmc::MutantInfo& m : vmc::mutants()) n += m.rule == r.id;
    EXPECT_GT(n, 0) << "rule " << r.id << " has no mutant proving its properties can fail";
  }
  for (const vmc::MutantInfo& m : vmc::mutants()) {
    EXPECT_NE(vmc::find_rule(m.rule), nullptr) << "mutant " << m.name << " names unknown rule " << m.rule;
    EXPECT_FALSE(m.profiles.empty()) << m.name;
  }
}

TEST(CatalogueLint, SpecDocumentsMentionEveryRule) {
  const std::string profiles = slurp(std::string(VMCONFORM_SOURCE_DIR) + "/spec/profiles.md");
  ASSERT_FALSE(profiles.empty()) << "spec/profiles.md is missing";
  const std::string readme = slurp(std::string(VMCONFORM_SOURCE_DIR) + "/spec/README.md");
  ASSERT_FALSE(readme.empty()) << "spec/README.md is missing";
  // Every decision a rule cites (D-...) is written down in spec/profiles.md.
  const std::regex decision("D-[A-Z0-9-]*[A-Z0-9]");
  for (const vmc::Rule& r : vmc::rules())
    for (std::sregex_iterator it(r.source.begin(), r.source.end(), decision), end; it != end; ++it)
      EXPECT_NE(profiles.find("### " + it->str()), std::string::npos)
          << r.id << " cites decision " << it->str() << ", which spec/profiles.md does not define";
}

}  // namespace

namespace {
TEST(CoverageLint, SpecDescribesEveryClassOfCells) {
  const std::string doc = slurp(std::string(VMCONFORM_SOURCE_DIR) + "/spec/coverage.md");
  ASSERT_FALSE(doc.empty()) << "spec/coverage.md is missing";
  for (const auto& [group, text] : vmc::coverage::groups())
    EXPECT_NE(doc.find("### " + group + "\n"), std::string::npos) << "spec/coverage.md does not describe class " << group;
  std::set<std::string> ids;
  for (const vmc::coverage::Cell& c : vmc::coverage::cells()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate coverage cell " << c.id;
    bool known = false;
    for (const auto& [group, text] : vmc::coverage::groups()) known |= group == c.group;
    EXPECT_TRUE(known) << c.id << " is in unknown class " << c.group;
  }
}
}  // namespace
