// runner.cpp - drives RapidCheck for each property and aggregates the outcomes per rule.
#include "vmconform/runner.hpp"

#include "vmconform/shadow_target.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <optional>
#include <chrono>
#include <iostream>
#include <rapidcheck/detail/Configuration.h>
#include <sstream>

#include "vmconform/reproducer.hpp"

namespace vmc {

std::uint64_t property_seed(std::uint64_t run_seed, const std::string& property_name) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the name, mixed with the run seed
  for (unsigned char c : property_name) h = (h ^ c) * 0x100000001b3ull;
  return h ^ (run_seed * 0x9E3779B97F4A7C15ull);
}

namespace {
/// RapidCheck's default listener loads its global configuration (RC_PARAMS) and prints it; the
/// runner passes its own seed and case count, so it listens to nothing.
class QuietListener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};
}  // namespace

/// RapidCheck prints "Using configuration: seed=..." the first time anything loads its global
/// configuration; that seed is not the run's, so load it once with stderr muted.
void load_rapidcheck_configuration_quietly() {
  static const bool loaded = [] {
    std::streambuf* saved = std::cerr.rdbuf(nullptr);
    rc::detail::configuration();
    std::cerr.rdbuf(saved);
    return true;
  }();
  (void)loaded;
}

namespace {
/// The property failed because of its target, not of a rule: say so first.
void blame_target(PropertyOutcome& out, const std::string& failure) {
  out.status = Status::fail;
  out.target_failure = failure;
  out.message = "target failure: " + failure + " (the verdict is not a conformance finding)" +
                (out.message.empty() ? std::string() : "; the property said: " + out.message);
}
}  // namespace

PropertyOutcome run_property(TargetFactory& factory, const PropertyDef& def, const RunOptions& o) {
  load_rapidcheck_configuration_quietly();
  PropertyOutcome out;
  out.name = def.name;
  std::string target_failure;  // the first one seen in any case (shrinking included)
  std::string first_failure;   // the first failing case's message: kept if a re-run passes (timing)
  const auto make = [&] {
    try {
      return factory.make();
    } catch (const std::exception& e) {
      if (target_failure.empty()) target_failure = std::string("cannot create a target: ") + e.what();
      throw;
    }
  };
  const auto note = [&](const Target& t) {
    if (target_failure.empty()) target_failure = t.failure();
  };
  if (def.long_cases > 0 && o.depth < 1) {
    out.status = Status::skip;
    out.message = "--quick: the long sequences are not run";
    return out;
  }
  if (def.skip_reason) {
    std::unique_ptr<Target> probe;
    try {
      probe = make();
    } catch (const std::exception&) {
      blame_target(out, target_failure);
      return out;
    }
    auto why = def.skip_reason(*probe);
    note(*probe);
    if (!target_failure.empty()) {
      blame_target(out, target_failure);
      return out;
    }
    if (why) {
      out.status = Status::skip;
      out.message = *why;
      return out;
    }
  }
  const std::string factory_failure_before = factory.failure();
  const auto property = rc::detail::toProperty([&] {
    // Once a target has failed (this property's, or the factory's machinery since the property
    // started: a traced child that died while idle), later cases would judge nothing: end now,
    // without shrinking (no value has been drawn yet).
    if (target_failure.empty())
      if (std::string now = factory.failure(); now != factory_failure_before) target_failure = std::move(now);
    if (!target_failure.empty()) RC_FAIL("target failure: " + target_failure);
    auto target = make();
    std::optional<coverage::ShadowTarget> shadow;  // counts the calls of properties that do not count themselves
    if (!def.counts_own_coverage) shadow.emplace(*target, out.coverage);
    Target& seen = shadow ? static_cast<Target&>(*shadow) : *target;
    bool abandoned = false;  // the property left threads inside the target (a hang): never destroy it
    CaseEnv env{seen, o.profile, def.rule, target->page_size(), target->allocation_granularity(), &out.coverage,
                o.depth, [&] { return make(); }, [&] { abandoned = true; }};
    const auto finish = [&] {
      note(*target);
      if (abandoned) (void)target.release();  // leaked on purpose: a thread may still be inside it
    };
    try {
      def.body(env);
    } catch (const rc::detail::CaseResult& r) {  // RC_FAIL and RC_PRE throw: look at the target however the case ended
      if (r.type == rc::detail::CaseResult::Type::Failure && first_failure.empty()) first_failure = r.description;
      finish();
      throw;
    } catch (...) {
      finish();
      throw;
    }
    finish();
  });
  rc::detail::TestParams params;
  params.seed = property_seed(o.seed, def.name);
  params.maxSuccess = def.long_cases > 0 ? def.long_cases * o.depth : o.cases;
  params.maxSize = 100;
  params.maxDiscardRatio = 10;
  rc::detail::TestMetadata metadata;
  metadata.id = def.name;
  metadata.description = def.summary;
  QuietListener listener;
  const auto result = rc::detail::checkProperty(property, metadata, params, listener);
  if (result.template is<rc::detail::SuccessResult>()) {
    const auto& s = result.template get<rc::detail::SuccessResult>();
    out.cases = s.numSuccess;
    // Each label counts the cases it was attached to (RapidCheck groups cases by label set).
    for (const auto& [tags, count] : s.distribution)
      for (const auto& t : tags) out.distribution[t.size() > 1 && t.front() == '"' ? t.substr(1, t.size() - 2) : t] += count;
  } else if (result.template is<rc::detail::FailureResult>()) {
    const auto& f = result.template get<rc::detail::FailureResult>();
    out.status = Status::fail;
    out.cases = f.numSuccess + 1;
    out.message = f.description;
    // A case whose failure depends on timing (X-LINEARIZABLE) may pass when RapidCheck runs it
    // again to shrink it; the failure seen first is the verdict's evidence.
    if (out.message.find("no exceptions thrown") != std::string::npos && !first_failure.empty())
      out.message = first_failure + "\n(the case passed when it was run again: this failure depends on timing)";
    // RapidCheck prefixes "file:line:\nRC_FAIL(...)\n\n"; the message after it says everything.
    if (const auto cut = out.message.find("RC_FAIL("); cut != std::string::npos)
      if (const auto body = out.message.find("\n\n", cut); body != std::string::npos) out.message = out.message.substr(body + 2);
    for (const auto& [type, value] : f.counterExample) out.counterexample += type + " = " + value + "\n";
  } else if (result.template is<rc::detail::GaveUpResult>()) {
    const auto& g = result.template get<rc::detail::GaveUpResult>();
    out.status = Status::fail;  // a property that cannot find cases checks nothing: never a pass
    out.cases = g.numSuccess;
    out.message = "gave up after " + std::to_string(g.numSuccess) + " cases: " + g.description;
  } else {
    out.status = Status::fail;
    out.message = "RapidCheck error: " + result.template get<rc::detail::Error>().description;
  }
  if (!target_failure.empty()) blame_target(out, target_failure);
  return out;
}

RunResult run_suite(TargetFactory& factory, const RunOptions& o) {
  return run_suite([&factory](const PropertyDef& def, const RunOptions& opts) { return run_property(factory, def, opts); },
                   o);
}

RunResult run_suite(const PropertyExecutor& execute, const RunOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  result.subject = o.subject;
  result.profile = o.profile;
  result.seed = o.seed;
  result.cases = o.cases;
  for (const Rule& rule : rules()) {
    if (!rule.in(o.profile)) continue;
    if (!o.only_rules.empty() &&
        std::find(o.only_rules.begin(), o.only_rules.end(), rule.id) == o.only_rules.end())
      continue;
    RuleOutcome r;
    r.id = rule.id;
    for (const PropertyDef& def : properties()) {
      if (def.rule != rule.id) continue;
      if (o.progress) o.progress(rule.id + "  " + def.name);
      r.properties.push_back(execute(def, o));
      result.coverage.merge(r.properties.back().coverage);
    }
    const auto& ps = r.properties;
    const bool any_fail = std::any_of(ps.begin(), ps.end(), [](auto& p) { return p.status == Status::fail; });
    const bool any_pass = std::any_of(ps.begin(), ps.end(), [](auto& p) { return p.status == Status::pass; });
    if (ps.empty()) {
      r.status = Status::fail;
      r.message = "no property checks this rule (the lint test should have caught this)";
    } else if (any_fail) {
      r.status = Status::fail;
      for (const auto& p : ps)
        if (p.status == Status::fail) {
          r.message = p.name + ": " + p.message;
          break;
        }
      r.reproducer = reproducer(o, rule.id);
    } else if (any_pass) {
      r.status = Status::pass;
    } else {
      r.status = Status::skip;
      r.message = ps.front().message;
    }
    result.rules.push_back(std::move(r));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vmc
