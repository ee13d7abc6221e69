// cells.cpp - the cells of the coverage table, in table order, and Counts.
//
// The table is built from short lists (allocation types, protections, range shapes...) so that a
// type or protection added to a list gets its cells everywhere. spec/coverage.md explains each
// class; `vmconform list-coverage` prints every cell.
#include <algorithm>
#include <cstdio>

#include "coverage_names.hpp"
#include "vmconform/coverage.hpp"

namespace vmc::coverage {

const std::vector<std::pair<std::string, std::string>>& groups() {
  static const std::vector<std::pair<std::string, std::string>> g = {
      {"alloc-kinds", "every allocation type and protection the profiles accept, at address 0 and at an explicit address"},
      {"sizes", "allocation sizes and write/read lengths just below, at and above page and granularity multiples"},
      {"access", "writes and reads of committed pages of every base protection"},
      {"ranges", "writes, reads, commits and decommits inside a page, across pages, across state boundaries, past a "
                 "reservation's end and into the next reservation"},
      {"decommit", "decommits of one page, several pages, a whole reservation; releases of mixed reservations; "
                   "recommits of decommitted pages read back"},
      {"reuse", "a released range reserved again explicitly, and the next system-chosen allocation after a release"},
      {"history", "long call histories and the number of live reservations"},
      {"failures", "every error path of every operation"},
  };
  return g;
}

const std::vector<Cell>& cells() {
  static const std::vector<Cell> table = [] {
    std::vector<Cell> t;
    const auto add = [&t](std::string id, const char* group, std::string text) {
      t.push_back({std::move(id), group, std::move(text)});
    };
    for (const AllocKind& k : alloc_kinds())
      for (std::uint32_t p : valid_protections())
        for (const char* where : {"addr0", "explicit"})
          add(alloc_cell(k.name, p, std::string(where) == "explicit"), "alloc-kinds",
              std::string("a valid AllocateVirtualMemory with ") + alloc_type_name(k.type) + ", " + protect_name(p) +
                  (std::string(where) == "explicit" ? " at an explicit address" : " at address 0"));
    add("alloc.reset.explicit", "alloc-kinds", "a valid MEM_RESET of pages of a host reservation");

    for (const SizeClass& s : alloc_size_classes())
      add(std::string("size.alloc.") + s.name, "sizes", std::string("a valid allocation whose size is ") + s.text);
    for (const char* op : {"write", "read"})
      for (const SizeClass& s : length_classes())
        add(std::string("size.") + op + "." + s.name, "sizes",
            std::string("a ") + (std::string(op) == "write" ? "WriteVirtual" : "ReadVirtual") + " of " + s.text);

    for (const char* op : {"write", "read"})
      for (std::uint32_t p : base_protections())
        add(std::string("access.") + op + "." + short_protection(p), "access",
            std::string("a ") + op + " starting on a committed " + protect_name(p) + " page");
    for (const char* op : {"write", "read"})
      add(std::string("access.") + op + ".guard", "access", std::string("a ") + op + " starting on a committed PAGE_GUARD page");

    for (const char* op : {"write", "read", "commit", "decommit"})
      for (const RangeShape& r : range_shapes())
        add(std::string("range.") + op + "." + r.name, "ranges", std::string("a ") + op + " whose range " + r.text);

    add("decommit.one-page", "decommit", "a valid MEM_DECOMMIT of exactly one page");
    add("decommit.several-pages", "decommit", "a valid MEM_DECOMMIT of several pages but not the whole reservation");
    add("decommit.whole", "decommit", "a valid MEM_DECOMMIT of every page of a reservation (size 0 at the base, or all of it)");
    add("release.mixed", "decommit", "a valid MEM_RELEASE of a reservation holding committed and reserved pages");
    add("recommit.read-back", "decommit",
        "several decommitted pages committed again by one call, then every one of them read");

    add("reuse.explicit", "reuse", "a valid explicit reservation overlapping a reservation released earlier");
    add("reuse.system.same", "reuse", "the first address-0 allocation after a release, of the released size");
    add("reuse.system.smaller", "reuse", "the first address-0 allocation after a release, smaller than the released one");
    add("reuse.system.larger", "reuse", "the first address-0 allocation after a release, larger than the released one");

    add("history.1000-calls", "history", "a target that has answered 1,000 calls");
    add("live.0-1", "history", "a call while 0 or 1 reservations are live");
    add("live.2-16", "history", "a call while 2 to 16 reservations are live");
    add("live.17-64", "history", "a call while 17 to 64 reservations are live");
    add("live.65+", "history", "a call while more than 64 reservations are live");

    for (const FailureCell& f : failure_cells()) add(f.id, "failures", f.text);
    return t;
  }();
  return table;
}

std::optional<std::size_t> cell_index(const std::string& id) {
  static const std::map<std::string, std::size_t> index = [] {
    std::map<std::string, std::size_t> m;
    for (std::size_t i = 0; i < cells().size(); ++i) m[cells()[i].id] = i;
    return m;
  }();
  auto it = index.find(id);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

void Counts::merge(const Counts& other) {
  for (std::size_t i = 0; i < hits.size() && i < other.hits.size(); ++i) hits[i] += other.hits[i];
  for (const auto& [id, why] : other.unreachable) unreachable.emplace(id, why);
}

std::uint64_t Counts::hit(const std::string& id) const {
  const auto i = cell_index(id);
  return i ? hits[*i] : 0;
}

std::vector<std::string> Counts::missed() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < cells().size(); ++i)
    if (hits[i] == 0 && unreachable.count(cells()[i].id) == 0) out.push_back(cells()[i].id);
  return out;
}

nlohmann::json Counts::to_json() const {
  nlohmann::json j;
  j["cells"] = nlohmann::json::object();
  std::size_t reached = 0;
  for (std::size_t i = 0; i < cells().size(); ++i) {
    j["cells"][cells()[i].id] = hits[i];
    reached += hits[i] > 0;
  }
  j["reached"] = reached;
  j["total"] = cells().size();
  j["missed"] = missed();
  j["unreachable"] = nlohmann::json::object();
  for (std::size_t i = 0; i < cells().size(); ++i)
    if (hits[i] == 0 && unreachable.count(cells()[i].id)) j["unreachable"][cells()[i].id] = unreachable.at(cells()[i].id);
  return j;
}

nlohmann::json Counts::compact_json() const {
  nlohmann::json j = nlohmann::json::object();
  const Counts fresh;
  for (std::size_t i = 0; i < cells().size(); ++i)
    if (hits[i] > 0) j["cells"][cells()[i].id] = hits[i];
  for (const auto& [id, why] : unreachable)
    if (!fresh.unreachable.count(id)) j["unreachable"][id] = why;
  return j;
}

std::string render(const Counts& c, bool every_cell) {
  std::string out;
  std::size_t reached_all = 0, unreachable_all = 0;
  for (const auto& [group, text] : groups()) {
    std::size_t total = 0, reached = 0, unreachable = 0;
    for (std::size_t i = 0; i < cells().size(); ++i) {
      if (cells()[i].group != group) continue;
      ++total;
      reached += c.hits[i] > 0;
      unreachable += c.hits[i] == 0 && c.unreachable.count(cells()[i].id);
    }
    reached_all += reached;
    unreachable_all += unreachable;
    char line[160];
    std::snprintf(line, sizeof line, "  %-12s %4zu / %-4zu reached%s\n", group.c_str(), reached, total,
                  unreachable ? (", " + std::to_string(unreachable) + " unreachable").c_str() : "");
    out += line;
  }
  const auto missed = c.missed();
  out = "coverage: " + std::to_string(reached_all) + " of " + std::to_string(cells().size()) + " cells reached, " +
        std::to_string(unreachable_all) + " unreachable, " + std::to_string(missed.size()) + " missed\n" + out;
  for (const std::string& id : missed) out += "  missed: " + id + "\n";
  for (std::size_t i = 0; i < cells().size(); ++i)
    if (c.hits[i] == 0 && c.unreachable.count(cells()[i].id))
      out += "  unreachable: " + cells()[i].id + " (" + c.unreachable.at(cells()[i].id) + ")\n";
  if (every_cell)
    for (std::size_t i = 0; i < cells().size(); ++i) out += "  " + std::to_string(c.hits[i]) + "\t" + cells()[i].id + "\n";
  return out;
}

}  // namespace vmc::coverage
