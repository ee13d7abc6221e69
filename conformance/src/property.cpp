// property.cpp - the property registry (filled before main by VMC_PROPERTY).
#include "vmconform/property.hpp"

#include <stdexcept>

namespace vmc {
namespace {
std::vector<PropertyDef>& registry() {
  static std::vector<PropertyDef> props;
  return props;
}
}  // namespace

bool register_property(PropertyDef def) {
  for (const PropertyDef& p : registry())
    if (p.name == def.name) throw std::logic_error("property registered twice: " + def.name);
  registry().push_back(std::move(def));
  return true;
}

const std::vector<PropertyDef>& properties() { return registry(); }

std::optional<std::string> needs_fault_injection(Target& t) {
  if (t.inject_host_fault(S_OK)) return std::nullopt;  // a probe target; S_OK injects nothing
  return "the backend offers no host-fault injection, so E_FAIL cannot be provoked";
}

std::optional<std::string> needs_query(Target& t) {
  if (t.has_query()) return std::nullopt;
  return "the backend has no VirtualQuery-like query";
}

}  // namespace vmc
