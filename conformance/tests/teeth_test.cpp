// teeth_test.cpp - proves every rule's properties can fail: each mutant (a reference model
// with one realistic bug) must make its rule fail, in every profile it declares, while the
// unmodified reference model passes everything (suite_test). Test names:
// Teeth<Profile>.<MutantName>.
#include <gtest/gtest.h>

#include "test_support.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/mutants.hpp"
#include "vmconform/reproducer.hpp"

namespace {

class MutantIsCaught : public ::testing::Test {
 public:
  MutantIsCaught(const vmc::MutantInfo& m, vmc::Profile p) : mutant_(m), profile_(p) {}
  void TestBody() override {
    RecordProperty("rule", mutant_.rule);
    RecordProperty("mutant", mutant_.name);
    const vmc::BackendInfo* backend = vmc::find_backend("mutant:" + mutant_.name);
    ASSERT_NE(backend, nullptr) << "mutant:" << mutant_.name << " is not registered as a backend";
    vmc::RunOptions o;
    o.subject.name = backend->name;
    o.profile = profile_;
    o.seed = vmc::testing_support::seed_from_env();
    o.cases = vmc::testing_support::cases_from_env();
    o.only_rules = {mutant_.rule};
    auto factory = backend->make_factory(vmc::BackendOptions{o.seed, ""});
    const vmc::RunResult r = vmc::run_suite(*factory, o);
    ASSERT_EQ(r.rules.size(), 1u) << mutant_.rule << " is not in profile " << vmc::profile_name(profile_);
    EXPECT_EQ(r.rules[0].status, vmc::Status::fail)
        << "mutant " << mutant_.name << " (" << mutant_.description << ") was not caught by " << mutant_.rule
        << " in profile " << vmc::profile_name(profile_) << "; reproduce: " << vmc::reproducer(o, mutant_.rule);
  }

 private:
  const vmc::MutantInfo& mutant_;
  vmc::Profile profile_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (const vmc::MutantInfo& m : vmc::mutants()) {
    for (const std::string& p : m.profiles) {
      const vmc::Profile profile = *vmc::parse_profile(p);
      const std::string suite = "Teeth" + vmc::testing_support::camel(p);
      ::testing::RegisterTest(suite.c_str(), vmc::testing_support::camel(m.name).c_str(), nullptr, nullptr, __FILE__,
                              __LINE__, [&m, profile]() -> ::testing::Test* { return new MutantIsCaught(m, profile); });
    }
  }
  return RUN_ALL_TESTS();
}
