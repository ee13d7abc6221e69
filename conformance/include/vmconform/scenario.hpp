// scenario.hpp - building blocks the properties share: regions, inaccessible pages, generators.
//
// Kept deliberately small (test262: helpers increase test complexity). A Region is a host
// reservation made in setup; `spoil_page` turns one committed page into one of the kinds of
// inaccessible memory the rules name; the generators bias sizes and offsets toward page
// boundaries, where implementations break.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "vmconform/calls.hpp"

namespace vmc {

/// `v` rounded up to a multiple of `to`.
inline std::uint64_t round_up(std::uint64_t v, std::uint64_t to) { return (v + to - 1) / to * to; }

struct Region {
  std::uint64_t base = 0;
  std::uint32_t pages = 0;
  std::uint64_t size(std::uint32_t page) const { return std::uint64_t{pages} * page; }
};

/// Reserves and commits `pages` pages at a system-chosen address with `protect`.
Region committed_region(const CaseEnv& env, std::uint32_t pages,
                        std::uint32_t protect = PAGE_READWRITE);
/// Reserves `pages` pages without committing them.
Region reserved_region(const CaseEnv& env, std::uint32_t pages);
/// Fills a committed READWRITE region with pattern_data(seed) and returns the bytes written.
std::vector<std::uint8_t> fill(const CaseEnv& env, const Region& r, std::uint8_t seed);

/// Kinds of memory that ReadVirtual and WriteVirtual cannot touch.
enum class Inaccessible { decommitted, reserved_only, noaccess, guard, granule_tail, released };
std::string to_string(Inaccessible k);
/// How RapidCheck prints an Inaccessible in a counterexample (found by ADL).
void showValue(Inaccessible k, std::ostream& os);
/// Generator over every kind.
Inaccessible gen_inaccessible();
/// Makes page `index` of the committed region `r` inaccessible in the given way and returns
/// the address of the inaccessible page. granule_tail and released ignore `index`: they return
/// the first address past the region (in its own granule) or the base of a fresh region that
/// was released.
std::uint64_t spoil_page(const CaseEnv& env, const Region& r, std::uint32_t index, Inaccessible kind);

/// Sizes biased to page multiples: k*page + d, d in {-1, 0, +1} or random.
std::uint32_t gen_size_near_pages(std::uint32_t page, std::uint32_t max_pages);
/// An offset in [0, limit), biased toward page boundaries (k*page - 1, k*page, k*page + 1).
std::uint64_t gen_offset(std::uint32_t page, std::uint64_t limit);
std::uint8_t gen_pattern_seed();
/// One of the given values (a generator draw inside a property).
template <typename T>
T pick(std::initializer_list<T> values) {
  return *rc::gen::elementOf(std::vector<T>(values)).as("choice");
}

/// One of the cases 0..n-1, each equally likely at every size (rc::gen::inRange scales its
/// range with the size, so at small sizes the last cases of a switch would hardly ever run).
inline int pick_case(int n) {
  std::vector<int> cases(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) cases[static_cast<std::size_t>(i)] = i;
  return *rc::gen::elementOf(cases).as("case");
}

}  // namespace vmc
