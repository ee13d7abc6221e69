// shadow_target.hpp - a Target that forwards every call to the target under test and counts the
// coverage cells each call reaches, judged on a shadow reference model that follows the target.
//
// The properties call their target directly (calls.hpp), with no model beside it; the runner
// hands them a ShadowTarget instead, so that their calls are counted in the same coverage table
// as the state machine's. The shadow only classifies: it follows the target's results (the base
// the system chose, a refused reservation) and never judges them. Writes and reads are not
// mirrored (the cells depend on page states, not bytes).
#pragma once

#include <memory>

#include "vmconform/coverage.hpp"

namespace vmc::coverage {

class ShadowTarget final : public Target {
 public:
  ShadowTarget(Target& target, Counts& counts);

  std::uint32_t page_size() const override { return target_.page_size(); }
  std::uint32_t allocation_granularity() const override { return target_.allocation_granularity(); }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override;
  bool has_query() const override { return target_.has_query(); }
  bool reads_beyond_host() const override { return target_.reads_beyond_host(); }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override { return target_.query_virtual(address, info); }
  std::vector<ForeignMemory> foreign_memory() override;
  bool inject_host_fault(hresult code) override;
  std::string failure() const override { return target_.failure(); }

 private:
  bool is_foreign_sample(std::uint64_t address);

  Target& target_;
  ReferenceModel shadow_;
  Tracker tracker_;
  std::optional<std::vector<ForeignMemory>> foreign_;  // asked once
};

}  // namespace vmc::coverage
