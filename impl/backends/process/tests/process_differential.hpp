// process_differential.hpp - random operation sequences run on a process target and on the
// reference model side by side.
//
// Each operation goes to the backend first and then to the model; the results (HRESULT, out
// parameters, bytes) must be identical. The model is told only what the win32 profile leaves to
// the OS: the base the OS chose for address 0 (allocate_at_system_choice) and memory the OS
// already had mapped where an explicit reservation was asked for (occupy). Every so often the
// whole table is compared page run by page run, with the bytes of readable pages.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "process_target.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc::process::test {

struct DifferentialStats {
  int operations = 0;
  int successful_allocations = 0;
  int system_choices = 0;       // address-0 allocations adopted by the model
  int occupied = 0;             // explicit reservations refused because the OS had memory there
  int successful_writes = 0;
  int successful_reads = 0;
  int state_checks = 0;
};

class ProcessDifferential {
 public:
  ProcessDifferential(ProcessTarget& target, std::uint64_t seed);
  /// Runs `count` random operations; returns "" or a description of the first mismatch
  /// (operation, arguments, both results, seed). Stops at the first mismatch.
  std::string run(int count);
  const DifferentialStats& stats() const { return stats_; }

 private:
  std::string allocate();
  std::string free();
  std::string write();
  std::string read();
  std::string query();
  std::string compare_state();

  std::uint64_t any_address();
  std::uint64_t known_address();
  std::uint64_t committed_address();
  std::uint64_t window_address();
  std::uint64_t foreign_address();
  std::uint32_t random_size();
  bool overlaps_foreign(std::uint64_t begin, std::uint64_t end, std::uint64_t* foreign_begin,
                        std::uint64_t* foreign_end);
  std::string where() const;

  ProcessTarget& target_;
  ReferenceModel model_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  DifferentialStats stats_;
};

}  // namespace vmc::process::test
