// remote_maps.cpp - a small parser for /proc/PID/maps lines.
//
// Line format: "start-end perms offset dev inode   path" with hexadecimal addresses.
#include "remote_maps.hpp"

#include <fstream>
#include <sstream>

namespace vmc::process {

std::vector<MapEntry> read_maps(pid_t pid) {
  std::vector<MapEntry> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode;
    if (!(fields >> range >> perms >> offset >> dev >> inode)) continue;
    const auto dash = range.find('-');
    if (dash == std::string::npos || perms.size() < 4) continue;
    MapEntry e;
    try {
      e.start = std::stoull(range.substr(0, dash), nullptr, 16);
      e.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    } catch (...) {
      continue;
    }
    e.read = perms[0] == 'r';
    e.write = perms[1] == 'w';
    e.exec = perms[2] == 'x';
    e.shared = perms[3] == 's';
    std::getline(fields >> std::ws, e.path);
    out.push_back(std::move(e));
  }
  return out;
}

const MapEntry* find_mapping(const std::vector<MapEntry>& maps, std::uint64_t address) {
  for (const MapEntry& e : maps)
    if (e.start <= address && address < e.end) return &e;
  return nullptr;
}

}  // namespace vmc::process
