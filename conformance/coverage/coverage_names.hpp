// coverage_names.hpp - the short lists the coverage table is built from (internal to coverage/).
//
// cells.cpp builds the table from these lists and tracker.cpp names the cells it reaches with
// the same helpers, so a cell's ID is spelled in exactly one place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vmconform/constants.hpp"

namespace vmc::coverage {

struct AllocKind {
  const char* name;  // "commit-reserve", "reserve", "commit", and their MEM_TOP_DOWN forms
  std::uint32_t type;
};
const std::vector<AllocKind>& alloc_kinds();
/// The 21 protections AllocateVirtualMemory accepts: 6 base values and the legal modifiers.
const std::vector<std::uint32_t>& valid_protections();
/// The 6 base protections.
const std::vector<std::uint32_t>& base_protections();
/// "readwrite", "execute-read+guard"...
std::string short_protection(std::uint32_t protect);
std::string alloc_cell(const char* kind, std::uint32_t protect, bool explicit_address);

struct SizeClass {
  const char* name;
  const char* text;
};
/// Allocation sizes: page-minus-1, page, page-plus-1, granule-minus-1, granule, granule-plus-1, max32.
const std::vector<SizeClass>& alloc_size_classes();
/// Write/read lengths: zero, one, page-minus-1, page, page-plus-1, many-pages.
const std::vector<SizeClass>& length_classes();

struct RangeShape {
  const char* name;
  const char* text;
};
const std::vector<RangeShape>& range_shapes();

struct FailureCell {
  const char* id;
  const char* text;
  /// Why no run reaches it, for the few cells nothing can reach ("" otherwise).
  const char* never_reached = "";
};
const std::vector<FailureCell>& failure_cells();

}  // namespace vmc::coverage
