// shard.cpp - parsing I/N and picking the shard's rules (vmconform/shard.hpp).
#include "vmconform/shard.hpp"

#include <algorithm>
#include <stdexcept>

namespace vmc {

Shard parse_shard(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  try {
    std::size_t used_i = 0, used_n = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    s.index = std::stoi(text.substr(0, slash), &used_i);
    s.count = std::stoi(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw std::invalid_argument("--shard takes I/N (for example 2/4), not '" + text + "'");
  }
  if (s.count < 1 || s.index < 1 || s.index > s.count)
    throw std::invalid_argument("--shard " + text + ": the shard number must be between 1 and the number of shards");
  return s;
}

std::vector<std::string> shard_rules(const Shard& shard, Profile profile, const std::vector<std::string>& only) {
  std::vector<std::string> out;
  int index = 0;
  for (const Rule& rule : rules()) {
    if (!rule.in(profile)) continue;
    const bool mine = index++ % shard.count == shard.index - 1;
    const bool wanted = only.empty() || std::find(only.begin(), only.end(), rule.id) != only.end();
    if (mine && wanted) out.push_back(rule.id);
  }
  return out;
}

}  // namespace vmc
