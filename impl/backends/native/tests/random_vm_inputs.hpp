// random_vm_inputs.hpp - seeded random arguments for the three operations, biased to the edges.
//
// Addresses are drawn from what the test knows about (live and released host allocations, their
// granule tails, foreign memory, a quiet arena for explicit reservations, out-of-range values),
// sizes from page multiples, odd byte counts and a few huge values, protections and types mostly
// valid with a share of invalid ones - so that every validation branch is hit every few dozen
// operations while most calls still change state.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "address_space_probe.hpp"

namespace vmc::test {

struct KnownAddresses {
  std::vector<AddressRange> live;      // host allocations [base, base + size)
  std::vector<std::uint64_t> released; // bases of released allocations
  std::vector<AddressRange> foreign;   // memory the host did not allocate
  std::vector<std::uint64_t> hot;      // recently written addresses
  std::uint64_t arena = 0;             // quiet range for explicit reservations
  std::uint64_t arena_size = 0;
};

class RandomVmInputs {
 public:
  explicit RandomVmInputs(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }

  std::uint32_t allocation_type();
  std::uint32_t protection();
  std::uint32_t allocation_size();
  std::uint32_t free_type();
  std::uint64_t decommit_size();
  std::uint32_t access_length();
  /// Non-zero: an explicit address for AllocateVirtualMemory.
  std::uint64_t reserve_address(const KnownAddresses& known);
  /// Any address for commit, free, read, write and query.
  std::uint64_t access_address(const KnownAddresses& known);
  void fill(std::vector<std::uint8_t>& bytes, std::size_t n);

 private:
  std::uint64_t near_range(const AddressRange& r);
  std::mt19937_64 rng_;
};

}  // namespace vmc::test
