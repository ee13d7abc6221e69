// scenario.cpp - shared setup steps and generators for the properties.
#include "vmconform/scenario.hpp"

#include <rapidcheck.h>

#include <algorithm>

namespace vmc {

Region committed_region(const CaseEnv& env, std::uint32_t pages, std::uint32_t protect) {
  const AllocCall c = must_alloc(env, 0, pages * env.page, MEM_COMMIT | MEM_RESERVE, protect);
  return Region{c.allocated, pages};
}

Region reserved_region(const CaseEnv& env, std::uint32_t pages) {
  const AllocCall c = must_alloc(env, 0, pages * env.page, MEM_RESERVE, PAGE_READWRITE);
  return Region{c.allocated, pages};
}

std::vector<std::uint8_t> fill(const CaseEnv& env, const Region& r, std::uint8_t seed) {
  const auto data = pattern_data(seed, static_cast<std::uint32_t>(r.size(env.page)));
  must_write(env, r.base, data);
  return data;
}

std::string to_string(Inaccessible k) {
  switch (k) {
    case Inaccessible::decommitted: return "a decommitted page";
    case Inaccessible::reserved_only: return "a reserved-only page";
    case Inaccessible::noaccess: return "a PAGE_NOACCESS page";
    case Inaccessible::guard: return "a PAGE_GUARD page";
    case Inaccessible::granule_tail: return "free memory past the region";
    case Inaccessible::released: return "a released region";
  }
  return "?";
}

void showValue(Inaccessible k, std::ostream& os) { os << to_string(k); }

Inaccessible gen_inaccessible() {
  return *rc::gen::element(Inaccessible::decommitted, Inaccessible::reserved_only,
                           Inaccessible::noaccess, Inaccessible::guard,
                           Inaccessible::granule_tail, Inaccessible::released).as("inaccessible kind");
}

std::uint64_t spoil_page(const CaseEnv& env, const Region& r, std::uint32_t index, Inaccessible kind) {
  const std::uint64_t page = r.base + std::uint64_t{index} * env.page;
  switch (kind) {
    case Inaccessible::decommitted:
    case Inaccessible::reserved_only:  // a reserved page of a committed region is a decommitted one
      must_free(env, page, env.page, MEM_DECOMMIT);
      return page;
    case Inaccessible::noaccess:
      must_alloc(env, page, env.page, MEM_COMMIT, PAGE_NOACCESS);
      return page;
    case Inaccessible::guard:
      must_alloc(env, page, env.page, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
      return page;
    case Inaccessible::granule_tail:
      return r.base + r.size(env.page);
    case Inaccessible::released: {
      const AllocCall c = must_alloc(env, 0, env.page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
      must_free(env, c.allocated, 0, MEM_RELEASE);
      return c.allocated;
    }
  }
  return page;
}

std::uint32_t gen_size_near_pages(std::uint32_t page, std::uint32_t max_pages) {
  const std::uint32_t k = *rc::gen::inRange<std::uint32_t>(1, max_pages + 1).as("pages");
  const int d = *rc::gen::weightedOneOf<int>(
      {{3, rc::gen::element(-1, 0, 1)},
       {1, rc::gen::inRange<int>(-static_cast<int>(page) + 1, static_cast<int>(page))}}).as("size delta");
  const std::int64_t size = std::int64_t{k} * page + d;
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, size));
}

std::uint64_t gen_offset(std::uint32_t page, std::uint64_t limit) {
  if (limit <= 1) return 0;
  const bool near_boundary = pick_case(3) != 0;
  if (!near_boundary) return *rc::gen::inRange<std::uint64_t>(0, limit).as("offset");
  const std::uint64_t k = *rc::gen::inRange<std::uint64_t>(0, limit / page + 1).as("boundary page");
  const std::int64_t d = pick<std::int64_t>({-1, 0, 1});
  const std::int64_t at = static_cast<std::int64_t>(k * page) + d;
  return static_cast<std::uint64_t>(std::clamp<std::int64_t>(at, 0, static_cast<std::int64_t>(limit) - 1));
}

std::uint8_t gen_pattern_seed() { return *rc::gen::arbitrary<std::uint8_t>().as("pattern seed"); }

}  // namespace vmc
