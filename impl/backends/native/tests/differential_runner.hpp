// differential_runner.hpp - runs the same random operations on `native` and on the oracle.
//
// Each step draws one operation (system-chosen or explicit allocation, commit, reset, decommit,
// release, foreign free, write, read, query, fault injection, null out-parameters), calls the
// native target and a ReferenceModel side by side, and requires equal HRESULTs, out-parameters
// and bytes. The model follows the native backend where the win32 profile lets the OS choose:
// system-chosen bases (allocate_at_system_choice) and foreign mappings that make an explicit
// reservation fail (occupy). Every few hundred steps the whole state is compared: the host table
// against the model's allocations, every stored byte, and the real page protections.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "random_vm_inputs.hpp"
#include "vmconform/host_region_table.hpp"
#include "vmconform/reference_model.hpp"

namespace vmc::test {

class DifferentialRunner {
 public:
  DifferentialRunner(std::uint64_t seed, std::uint64_t arena, std::uint64_t arena_size);
  ~DifferentialRunner();
  DifferentialRunner(const DifferentialRunner&) = delete;
  DifferentialRunner& operator=(const DifferentialRunner&) = delete;

  /// Runs `operations` steps; false after the first mismatch (see failure()).
  bool run(int operations);
  /// Compares the complete state now; false on a mismatch.
  bool compare_everything();
  const std::string& failure() const { return failure_; }
  /// How often each operation ended with each HRESULT ("write -> S_OK": 812, ...).
  const std::map<std::string, int>& outcomes() const { return outcomes_; }
  int adopted_foreign_ranges() const { return static_cast<int>(adopted_.size()); }

 private:
  void step();
  void allocate_at_system_choice();
  void allocate_at_zero(std::uint32_t size, std::uint32_t type, std::uint32_t protect);
  void allocate_explicit();
  void free_random(bool live_base_release);
  void free_foreign();
  void write_random();
  void read_random();
  void query_random();
  void make_foreign_mapping();
  void inject_fault();
  void null_pointers();
  bool compare_allocation(const HostAllocation& n, const Allocation& m);
  bool compare_contents_and_protections(const HostAllocation& n, const Allocation& m);

  /// Records the outcome; on a difference stores the report and returns false.
  bool check(const std::string& op, const std::string& args, hresult native, hresult model,
             const std::string& native_out = "", const std::string& model_out = "");
  void fail(const std::string& what);
  KnownAddresses known() const;
  std::vector<AddressRange> native_owned() const;

  std::uint64_t seed_;
  std::uint64_t arena_, arena_size_;
  RandomVmInputs in_;
  std::unique_ptr<Target> native_;
  RegionTableTarget* table_ = nullptr;  // native_, as a region table
  ReferenceModel model_;
  std::vector<std::uint64_t> released_;
  std::vector<std::uint64_t> hot_;  // recently written addresses
  std::vector<AddressRange> foreign_;          // all foreign memory known to the test
  std::vector<AddressRange> own_mappings_;     // foreign mappings this runner made
  std::vector<AddressRange> adopted_;          // foreign mappings told to the model
  std::vector<std::uint8_t> bytes_, native_buf_, model_buf_;
  std::map<std::string, int> outcomes_;
  std::string failure_;
  long step_ = 0;
};

}  // namespace vmc::test
