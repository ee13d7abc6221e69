// suite_test.cpp - the whole conformance suite as GoogleTest tests: one test per default
// backend x profile x property, named <Backend><Profile>.<PropertyName>, each recording its
// rule ID with RecordProperty("rule", ...). A backend registered later joins automatically.
#include <gtest/gtest.h>

#include "test_support.hpp"
#include "vmconform/backend_registry.hpp"
#include "vmconform/reproducer.hpp"

namespace {

class PropertyTest : public ::testing::Test {
 public:
  PropertyTest(const vmc::BackendInfo& backend, vmc::Profile profile, const vmc::PropertyDef& def)
      : backend_(backend), profile_(profile), def_(def) {}
  void TestBody() override {
    RecordProperty("rule", def_.rule);
    vmc::RunOptions o;
    o.subject.name = backend_.name;
    o.profile = profile_;
    o.seed = vmc::testing_support::seed_from_env();
    o.cases = vmc::testing_support::cases_from_env();
    auto factory = backend_.make_factory(vmc::BackendOptions{o.seed, ""});
    const vmc::PropertyOutcome outcome = vmc::run_property(*factory, def_, o);
    vmc::testing_support::report_outcome(outcome, vmc::reproducer(o, def_.rule));
  }

 private:
  const vmc::BackendInfo backend_;
  vmc::Profile profile_;
  const vmc::PropertyDef& def_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (const vmc::BackendInfo& backend : vmc::registered_backends()) {
    if (!backend.in_default_suite) continue;
    for (vmc::Profile profile : {vmc::Profile::documented, vmc::Profile::win32}) {
      const std::string suite = vmc::testing_support::camel(backend.name) +
                                vmc::testing_support::camel(vmc::profile_name(profile));
      for (const vmc::PropertyDef& def : vmc::properties()) {
        const vmc::Rule* rule = vmc::find_rule(def.rule);
        if (rule == nullptr || !rule->in(profile)) continue;
        ::testing::RegisterTest(suite.c_str(), def.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                [backend, profile, &def]() -> ::testing::Test* {
                                  return new PropertyTest(backend, profile, def);
                                });
      }
    }
  }
  return RUN_ALL_TESTS();
}
