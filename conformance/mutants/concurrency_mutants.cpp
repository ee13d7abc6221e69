// concurrency_mutants.cpp - mutants of X-LINEARIZABLE: hosts that are right one call at a time
// and wrong when several threads call them at once.
//
// torn-write: every operation holds the host's lock, but a WriteVirtual into plain read/write
// memory copies its first half, lets the lock go (as a host that copies page by page without
// holding its table lock does), and takes it again for the second half. Alone, each write is
// whole; a read that runs between the halves sees half of the new bytes. The mutant is not
// wrapped in LockedTarget (its bug is its locking) and so keeps its own lock.
#include <mutex>
#include <thread>

#include "mutant_support.hpp"

namespace vmc::mutant_support {
namespace {

class TornWrite final : public ModelWrapper {
 public:
  using ModelWrapper::ModelWrapper;
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                  std::uint32_t protect, std::uint64_t* allocated) override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::allocate_virtual_memory(address, size, type, protect, allocated);
  }
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t type) override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::virtual_free(address, size, type);
  }
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t n) override {
    std::unique_lock lock(mutex_);
    const bool plain = buffer != nullptr && n >= 2 &&
                       all_pages(address, n, [&](std::uint64_t p) { return read_write_page(p); });
    if (!plain) return model_.write_virtual(address, buffer, n);
    const std::uint32_t half = n / 2;
    const hresult first = model_.write_virtual(address, buffer, half);  // cannot fail: every page is writable
    lock.unlock();  // the bug: the write is not one step
    std::this_thread::yield();
    lock.lock();
    if (!all_pages(address + half, n - half, [&](std::uint64_t p) { return read_write_page(p); })) return first;
    return model_.write_virtual(address + half, buffer + half, n - half);
  }
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t n,
                       std::uint32_t* bytes_read) override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::read_virtual(address, buffer, n, bytes_read);
  }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::query_virtual(address, info);
  }
  std::vector<ForeignMemory> foreign_memory() override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::foreign_memory();
  }
  bool inject_host_fault(hresult code) override {
    std::lock_guard lock(mutex_);
    return ModelWrapper::inject_host_fault(code);
  }

 private:
  std::mutex mutex_;
};

}  // namespace

void add_concurrency_mutants(std::vector<MutantInfo>& out) {
  out.push_back(MutantInfo{"torn-write", "X-LINEARIZABLE",
                           "WriteVirtual into read/write memory copies its two halves under two holds of the lock: a "
                           "concurrent read sees half of the new bytes",
                           both_profiles(),
                           [](std::uint64_t seed) -> std::unique_ptr<Target> { return std::make_unique<TornWrite>(seed); }});
}

}  // namespace vmc::mutant_support
