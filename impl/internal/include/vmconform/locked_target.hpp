// locked_target.hpp - a Target that serializes every call of another one with one mutex.
//
// The reference model is written for clarity, not for threads. Backends built on it (`sim`, the
// model mutants, the legal variants of the soundness test) hand it out behind this wrapper, so that
// X-LINEARIZABLE (concurrent calls from several threads) finds a correct host, as a host that takes
// one lock per call is: the model's bugs stay sequential, and only a backend with real concurrency
// (native, process, a plugin) can break linearizability.
#pragma once

#include <memory>
#include <mutex>

#include "vmconform/target.hpp"

namespace vmc {

class LockedTarget final : public Target {
 public:
  explicit LockedTarget(std::unique_ptr<Target> inner) : inner_(std::move(inner)) {}

  std::uint32_t page_size() const override { return inner_->page_size(); }
  std::uint32_t allocation_granularity() const override { return inner_->allocation_granularity(); }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    std::lock_guard lock(mutex_);
    return inner_->allocate_virtual_memory(address, size, type, protect, allocated);
  }
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    std::lock_guard lock(mutex_);
    return inner_->virtual_free(address, size, type);
  }
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    std::lock_guard lock(mutex_);
    return inner_->write_virtual(address, buffer, n);
  }
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    std::lock_guard lock(mutex_);
    return inner_->read_virtual(address, buffer, n, bytes_read);
  }
  bool has_query() const override { return inner_->has_query(); }
  bool reads_beyond_host() const override { return inner_->reads_beyond_host(); }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override {
    std::lock_guard lock(mutex_);
    return inner_->query_virtual(address, info);
  }
  std::vector<ForeignMemory> foreign_memory() override {
    std::lock_guard lock(mutex_);
    return inner_->foreign_memory();
  }
  bool inject_host_fault(hresult code) override {
    std::lock_guard lock(mutex_);
    return inner_->inject_host_fault(code);
  }
  std::string failure() const override { return inner_->failure(); }
  /// The wrapped target (tests reach the model behind it).
  Target& inner() { return *inner_; }

 private:
  std::unique_ptr<Target> inner_;
  std::mutex mutex_;
};

}  // namespace vmc
