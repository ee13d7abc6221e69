// variants_test.cpp - soundness: legal variants of a correct implementation pass.
//
// The checker must never fail an implementation that makes a choice the documents leave open.
// Each variant here wraps the reference model and makes one such choice differently from the
// model; the whole suite (every property, X-MODEL included) must pass in the profile that allows
// the choice, and the rule that pins the choice in the stricter profile must fail there, which
// proves the variant really behaves differently. Test names: Variants.<Variant><Profile>.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "test_support.hpp"
#include "../mutants/mutant_support.hpp"

namespace vmc {
namespace {

/// ReadVirtual stops at the end of the first page it touches: a short read, which the
/// documented profile allows (RV-FIRST-BYTE) and the win32 profile does not (RV-PREFIX).
/// Everything else is the reference model, through the mutants' forwarding wrapper.
class ShortReadTarget final : public mutant_support::ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    const std::uint64_t to_page_end = page() - address % page();
    return ModelWrapper::read_virtual(address, buffer, static_cast<std::uint32_t>(std::min<std::uint64_t>(n, to_page_end)),
                                      bytes_read);
  }
};

class ShortReadFactory final : public TargetFactory {
 public:
  explicit ShortReadFactory(std::uint64_t seed) : seed_(seed) {}
  std::string name() const override { return "variant:short-read"; }
  std::unique_ptr<Target> make() override { return std::make_unique<ShortReadTarget>(seed_); }

 private:
  std::uint64_t seed_;
};

RunResult run_variant(Profile profile) {
  RunOptions o;
  o.subject.name = "variant:short-read";
  o.profile = profile;
  o.seed = testing_support::seed_from_env();
  o.cases = testing_support::cases_from_env();
  ShortReadFactory factory(o.seed);
  return run_suite(factory, o);
}

TEST(Variants, ShortReadPassesDocumented) {
  RecordProperty("rule", "RV-FIRST-BYTE");
  const RunResult r = run_variant(Profile::documented);
  int checked = 0;
  for (const RuleOutcome& rule : r.rules) {
    ++checked;
    EXPECT_NE(rule.status, Status::fail) << "false positive on a legal short-read implementation: " << rule.id
                                         << ": " << rule.message;
  }
  EXPECT_GT(checked, 30) << "the documented profile ran too few rules";
}

TEST(Variants, ShortReadFailsOnlyPrefixInWin32) {
  RecordProperty("rule", "RV-PREFIX");
  const RunResult r = run_variant(Profile::win32);
  for (const RuleOutcome& rule : r.rules) {
    if (rule.id == "RV-PREFIX") {
      EXPECT_EQ(rule.status, Status::fail) << "the short-read variant should break RV-PREFIX in win32";
    } else if (rule.id != "X-MODEL") {  // the state machine also notices the short read
      EXPECT_NE(rule.status, Status::fail) << rule.id << " blamed for a short read: " << rule.message;
    }
  }
}

}  // namespace
}  // namespace vmc
