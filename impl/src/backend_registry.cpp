// backend_registry.cpp - storage for VMC_REGISTER_BACKEND.
#include "vmconform/backend_registry.hpp"

#include <stdexcept>

namespace vmc {
namespace {
std::map<std::string, BackendInfo>& registry() {
  static std::map<std::string, BackendInfo> backends;  // filled before main, read-only after
  return backends;
}
}  // namespace

bool register_backend(BackendInfo info) {
  auto [it, inserted] = registry().emplace(info.name, info);
  if (!inserted) throw std::logic_error("backend registered twice: " + info.name);
  return true;
}

std::vector<BackendInfo> registered_backends() {
  std::vector<BackendInfo> out;
  for (const auto& [name, info] : registry()) out.push_back(info);
  return out;
}

const BackendInfo* find_backend(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace vmc
