// coverage.hpp - the coverage table: the states and boundaries where bugs live, and how often a
// run reached each one.
//
// A cell is one state or boundary that matters (spec/coverage.md): an allocation type with a
// protection at address 0 or at an explicit address, a size just below a page multiple, a write
// that runs from one reservation into the adjacent one, a release followed by a reservation of
// the same range, a target holding more than 64 live reservations, a VirtualFree refused because
// its address is foreign... Cells are judged in the reference model's state just before each call
// (the oracle's view), by a CoverageTracker fed every call of a run: the differential checker
// feeds it the state machine's and long sequences' ops, and ShadowTarget (shadow_target.hpp)
// feeds it the properties' calls. A run reports every cell's count; a cell its backend cannot
// reach (adjacent reservations in a process whose address space is taken, fault injection on a
// backend without it) is reported as unreachable with the reason, never silently left at 0.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vmconform/reference_model.hpp"

namespace vmc::coverage {

/// One cell of the table.
struct Cell {
  std::string id;     // stable, e.g. "alloc.commit-reserve.PAGE_READWRITE.explicit"
  std::string group;  // its class: alloc-kinds, sizes, ranges, decommit, reuse, history, failures
  std::string text;   // what reaching it means, in words
};

/// Every cell, in table order (built once).
const std::vector<Cell>& cells();
/// The index of a cell in cells(), or nullopt.
std::optional<std::size_t> cell_index(const std::string& id);
/// The classes of cells, in table order, with one line each (spec/coverage.md describes them).
const std::vector<std::pair<std::string, std::string>>& groups();

/// How often each cell was reached, and why a cell could not be.
struct Counts {
  Counts();  // every cell at 0; the cells no run can reach already declared unreachable
  std::vector<std::uint64_t> hits = std::vector<std::uint64_t>(cells().size(), 0);
  /// Cells the backend made unreachable, with the reason (set by the tracker, kept on merge).
  std::map<std::string, std::string> unreachable;
  void merge(const Counts& other);
  std::uint64_t hit(const std::string& id) const;
  /// Cells neither reached nor declared unreachable (a gap of the generators).
  std::vector<std::string> missed() const;
  /// {"cells": {id: count}, "reached": n, "total": n, "missed": [id], "unreachable": {id: why}}
  /// (spec/report-schema.md); from_json reads it back (the plugin workers' protocol).
  nlohmann::json to_json() const;
  /// Only what differs from a fresh Counts: {"cells": {id: count} (reached cells), "unreachable":
  /// {id: why} (beyond the always-unreachable ones)}; empty when nothing was reached.
  nlohmann::json compact_json() const;
};

/// Judges every call of one target in the reference model's state just before it. Feed it the
/// calls in order, before running them on the model; it keeps the little history some cells
/// need (released ranges, recommitted pages waiting to be read, the number of calls).
class Tracker {
 public:
  explicit Tracker(Counts& counts) : counts_(counts) {}

  void allocate(const ReferenceModel& m, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                std::uint32_t protect);
  void free(const ReferenceModel& m, std::uint64_t address, std::uint64_t size, std::uint32_t type,
            bool foreign_sample);
  void write(const ReferenceModel& m, std::uint64_t address, std::uint32_t length);
  void read(const ReferenceModel& m, std::uint64_t address, std::uint32_t length);
  /// `supported`: the backend accepted the injection.
  void inject_fault(hresult fault, bool supported);
  /// The backend refused an explicit reservation the model would have made (decision
  /// D-OCCUPIED): its address space holds something there. Adjacency cells that were never
  /// reached are then reported as unreachable with this as the reason.
  void occupied_refusal(std::uint64_t address);
  /// The backend has no foreign memory to offer (Target::foreign_memory() is empty).
  void no_foreign_memory();

 private:
  void hit(const char* id);
  void range_cells(const ReferenceModel& m, const char* op, std::uint64_t address, std::uint64_t length);
  /// The access.* cell of the first page, and the fail.* cell of the page that stops the access.
  void access_and_failure(const ReferenceModel& m, const char* op, std::uint64_t address, std::uint32_t length);
  void live_cells(const ReferenceModel& m);
  void count_call();

  Counts& counts_;
  std::uint64_t calls_ = 0;
  struct Span {
    std::uint64_t base, size;
  };
  std::optional<Span> last_released_;          // the most recent released reservation
  std::vector<Span> released_;                 // every released reservation (a handful)
  std::set<std::uint64_t> decommitted_;        // pages decommitted so far (a bounded number)
  std::vector<std::uint64_t> recommitted_;     // decommitted pages committed again, not yet read
  std::uint64_t adjacency_refusals_ = 0;
};

/// The table in words: one line per class (reached / cells), then every cell that was missed
/// and every unreachable one with its reason; with `every_cell`, every cell and its count.
std::string render(const Counts& c, bool every_cell = false);

}  // namespace vmc::coverage
