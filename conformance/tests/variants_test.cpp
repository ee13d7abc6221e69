// variants_test.cpp - soundness: legal variants of a correct implementation pass.
//
// The checker must never fail an implementation that makes a choice the documents leave open.
// Each legal variant (legal_variants.hpp) takes the other branch of one decision of
// spec/profiles.md; the whole suite (every property, X-MODEL included) must pass in every profile
// where that branch is legal, and must fail in a profile that pins the model's branch. Its probe
// must see something the unmodified model does not, so the variant cannot silently be the model.
// The mutants that break only win32 rules are legal documented implementations too: the whole
// documented suite must pass on each of them. Test names: Variants.<Variant><Profile>,
// Variants.<Variant>Differs, Win32OnlyMutants.<Mutant>PassesDocumented.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "legal_variants.hpp"
#include "test_support.hpp"
#include "../mutants/mutant_support.hpp"
#include "vmconform/mutants.hpp"

namespace vmc {
namespace {

class VariantFactory final : public TargetFactory {
 public:
  VariantFactory(std::string name, std::function<std::unique_ptr<Target>(std::uint64_t)> make, std::uint64_t seed)
      : name_(std::move(name)), make_(std::move(make)), seed_(seed) {}
  std::string name() const override { return name_; }
  std::unique_ptr<Target> make() override { return make_(seed_); }

 private:
  std::string name_;
  std::function<std::unique_ptr<Target>(std::uint64_t)> make_;
  std::uint64_t seed_;
};

RunResult run_whole_suite(const std::string& name, const std::function<std::unique_ptr<Target>(std::uint64_t)>& make,
                          Profile profile) {
  RunOptions o;
  o.subject.name = name;
  o.profile = profile;
  o.seed = testing_support::seed_from_env();
  o.cases = testing_support::cases_from_env();
  VariantFactory factory(name, make, o.seed);
  return run_suite(factory, o);
}

/// Every rule passes (or is skipped with a reason); a failure is a false positive of the checker.
void expect_no_failure(const RunResult& r, const std::string& what) {
  for (const RuleOutcome& rule : r.rules) {
    std::string counterexample;
    for (const PropertyOutcome& p : rule.properties) counterexample += p.counterexample;
    EXPECT_NE(rule.status, Status::fail) << "false positive on " << what << ": " << rule.id << ": " << rule.message
                                         << "\ncounterexample:\n" << counterexample;
  }
  EXPECT_GT(r.rules.size(), 30u) << "the profile ran too few rules";
}

class LegalVariantPasses : public ::testing::Test {
 public:
  LegalVariantPasses(const legal_variants::LegalVariant& v, Profile p) : variant_(v), profile_(p) {}
  void TestBody() override {
    RecordProperty("decision", variant_.decision);
    const bool legal = std::find(variant_.legal_in.begin(), variant_.legal_in.end(), profile_) != variant_.legal_in.end();
    const RunResult r = run_whole_suite("variant:" + variant_.name, variant_.make, profile_);
    if (legal) {
      expect_no_failure(r, "the legal variant " + variant_.name + " (" + variant_.description + ", " + variant_.decision +
                               ") in profile " + profile_name(profile_));
    } else {
      EXPECT_FALSE(r.ok()) << "profile " << profile_name(profile_) << " pins the model's branch of " << variant_.decision
                           << ", yet the variant " << variant_.name << " (" << variant_.description << ") passed it";
    }
  }

 private:
  const legal_variants::LegalVariant& variant_;
  Profile profile_;
};

class LegalVariantDiffers : public ::testing::Test {
 public:
  explicit LegalVariantDiffers(const legal_variants::LegalVariant& v) : variant_(v) {}
  void TestBody() override {
    RecordProperty("decision", variant_.decision);
    const std::uint64_t seed = testing_support::seed_from_env();
    const auto variant = variant_.make(seed);
    mutant_support::ModelWrapper model(seed);
    const std::string seen = variant_.probe(*variant), expected = variant_.probe(model);
    EXPECT_NE(seen, expected) << "the variant " << variant_.name << " behaves as the model in its probe:\n" << seen;
  }

 private:
  const legal_variants::LegalVariant& variant_;
};

class Win32OnlyMutantPassesDocumented : public ::testing::Test {
 public:
  explicit Win32OnlyMutantPassesDocumented(const MutantInfo& m) : mutant_(m) {}
  void TestBody() override {
    RecordProperty("rule", mutant_.rule);
    expect_no_failure(run_whole_suite("mutant:" + mutant_.name, mutant_.make, Profile::documented),
                      "mutant " + mutant_.name + " (" + mutant_.description + "), which breaks only the win32 rule " +
                          mutant_.rule);
  }

 private:
  const MutantInfo& mutant_;
};

}  // namespace
}  // namespace vmc

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  using vmc::testing_support::camel;
  for (const auto& v : vmc::legal_variants::variants()) {
    for (vmc::Profile p : {vmc::Profile::documented, vmc::Profile::win32}) {
      const std::string name = camel(v.name) + camel(vmc::profile_name(p));
      ::testing::RegisterTest("Variants", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [&v, p]() -> ::testing::Test* { return new vmc::LegalVariantPasses(v, p); });
    }
    ::testing::RegisterTest("Variants", (camel(v.name) + "Differs").c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [&v]() -> ::testing::Test* { return new vmc::LegalVariantDiffers(v); });
  }
  for (const vmc::MutantInfo& m : vmc::mutants()) {
    if (std::find(m.profiles.begin(), m.profiles.end(), "documented") != m.profiles.end()) continue;
    ::testing::RegisterTest("Win32OnlyMutants", (camel(m.name) + "PassesDocumented").c_str(), nullptr, nullptr,
                            __FILE__, __LINE__,
                            [&m]() -> ::testing::Test* { return new vmc::Win32OnlyMutantPassesDocumented(m); });
  }
  return RUN_ALL_TESTS();
}
