// cross_properties.cpp - rules that hold across the three operations (X-NO-EFFECT-ON-FAIL,
// X-ISOLATION). The state-machine property X-MODEL lives in state_machine.cpp.
#include <rapidcheck.h>

#include "vmconform/scenario.hpp"

namespace vmc {
namespace {

struct World {
  Region a, b;
  Observation observe(const CaseEnv& env) const {
    Observation o = vmc::observe(env.target, a.base, a.size(env.page) + env.page, env.page);
    for (auto& [k, v] : vmc::observe(env.target, b.base, b.size(env.page) + env.page, env.page)) o[k] = v;
    return o;
  }
};
World world(const CaseEnv& env) {
  World w{committed_region(env, 4), committed_region(env, 3)};
  fill(env, w.a, gen_pattern_seed());
  fill(env, w.b, gen_pattern_seed());
  spoil_page(env, w.a, 2, *rc::gen::element(Inaccessible::decommitted, Inaccessible::noaccess, Inaccessible::guard).as("inaccessible kind"));
  return w;
}

/// A call of any operation that must fail, as a closure that returns its description.
struct Failing {
  std::string what;
  hresult hr;
};
Failing failing_call(const CaseEnv& env, const World& w) {
  Target& t = env.target;
  const std::uint64_t bad = w.a.base + 2 * std::uint64_t{env.page};
  switch (pick_case(7)) {
    case 0: {
      const WriteCall c = write(t, bad - 3, pattern_data(9, 8));
      return {c.show(), c.hr};
    }
    case 1: {
      const AllocCall c = alloc(t, w.a.base, env.page, MEM_RESERVE, PAGE_READWRITE);
      return {c.show(), c.hr};
    }
    case 2: {
      const AllocCall c = alloc(t, w.a.base + w.a.size(env.page) - env.page, 2 * env.page, MEM_COMMIT, PAGE_READWRITE);
      return {c.show(), c.hr};
    }
    case 3: {
      const FreeCall c = vfree(t, w.a.base + env.page, 0, MEM_RELEASE);
      return {c.show(), c.hr};
    }
    case 4: {
      const FreeCall c = vfree(t, w.a.base, env.page, MEM_RELEASE | MEM_DECOMMIT);
      return {c.show(), c.hr};
    }
    case 5: {
      const FreeCall c = vfree(t, w.a.base + env.page, w.a.size(env.page), MEM_DECOMMIT);
      return {c.show(), c.hr};
    }
    default: {
      const hresult fault = *rc::gen::element(HOST_E_TIMEOUT, HOST_E_NOT_OWNER, HOST_E_ABANDONED, HOST_E_CLRNOTAVAILABLE).as("injected fault");
      if (!t.inject_host_fault(fault)) {
        const ReadCall c = read(t, bad, 4);
        return {c.show(), c.hr};
      }
      const FreeCall c = vfree(t, *rc::gen::element(w.a.base, w.b.base).as("freed base"), 0, MEM_RELEASE);
      return {"after injecting " + hresult_name(fault) + ": " + c.show(), c.hr};
    }
  }
}

}  // namespace

VMC_PROPERTY("X-NO-EFFECT-ON-FAIL", XNoEffectOnFailAnyFailedCallChangesNothing,
             "a failed call of any operation, including host failures, changes nothing") {
  const World w = world(env);
  const Observation before = w.observe(env);
  const Failing f = failing_call(env, w);
  RC_PRE(failed(f.hr));  // whether it should have failed is the business of the other rules
  const std::string d = diff(before, w.observe(env));
  check(env, d.empty(), f.what + " failed but changed the target: " + d);
}

VMC_PROPERTY("X-ISOLATION", XIsolationOtherReservationsUntouched,
             "operations on one reservation never change another") {
  const World w = world(env);
  const Observation before = observe(env.target, w.b.base, w.b.size(env.page) + env.page, env.page);
  std::string done;
  for (int i = *rc::gen::inRange(1, 5).as("calls"); i > 0; --i) {
    const std::uint64_t at = w.a.base + gen_offset(env.page, w.a.size(env.page));
    switch (pick_case(5)) {
      case 0: done += write(env.target, at, pattern_data(gen_pattern_seed(), 1 + static_cast<std::uint32_t>(w.a.base + w.a.size(env.page) - at - 1) % env.page)).show(); break;
      case 1: done += vfree(env.target, at, 1, MEM_DECOMMIT).show(); break;
      case 2: done += alloc(env.target, at, env.page, MEM_COMMIT, *rc::gen::element(PAGE_READWRITE, PAGE_NOACCESS).as("protection")).show(); break;
      case 3: done += alloc(env.target, at, 1, MEM_RESET, PAGE_READWRITE).show(); break;
      default: done += vfree(env.target, w.a.base, 0, MEM_RELEASE).show(); break;
    }
    done += "; ";
  }
  const std::string d = diff(before, observe(env.target, w.b.base, w.b.size(env.page) + env.page, env.page));
  check(env, d.empty(), done + "changed the other reservation at " + hex(w.b.base) + ": " + d);
}

}  // namespace vmc
