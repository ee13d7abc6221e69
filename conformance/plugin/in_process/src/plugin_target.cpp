// plugin_target.cpp - PluginTarget, PluginSession and PluginTargetFactory
// (vmconform/plugin/plugin_target.hpp).
#include "vmconform/plugin/plugin_target.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "vmconform/constants.hpp"

namespace vmc::plugin {
namespace {

constexpr std::size_t kGuard = 64;  // guard bytes on each side of the read bounce buffer
constexpr std::uint8_t kGuardByte = 0xE7;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

PluginSession::PluginSession(const vmc_plugin_v1& api, std::string options, StepRecorder::Sink steps,
                             std::function<void(int)> case_started)
    : api_(api), options_(std::move(options)), steps_(std::move(steps)), case_started_(std::move(case_started)) {}

const Situation& PluginSession::situation() {
  if (!situation_) situation_ = probe_situation(api_, options_, steps_);
  return *situation_;
}

vmc_target* PluginSession::open_case_target() {
  ++cases_;
  if (case_started_) case_started_(cases_);
  steps_.note("open(" + quoted(options_) + ") for target #" + std::to_string(cases_));
  vmc_target* t = api_.open(options_.c_str());
  if (t == nullptr)
    throw std::runtime_error("the plugin's open(" + quoted(options_) + ") returned NULL for target #" +
                             std::to_string(cases_) + " of this property");
  return t;
}

PluginTarget::PluginTarget(PluginSession& session, vmc_target* t) : session_(session), api_(session.api()), t_(t) {
  session_.steps().note("page_size(), allocation_granularity()");
  page_size_ = api_.page_size(t_);
  granularity_ = api_.allocation_granularity(t_);
  session_.steps().start_case(page_size_, granularity_);
}

PluginTarget::~PluginTarget() {
  second_.reset();  // closes the second target first
  worker_blocks_.reset();
  session_.steps().note("close()");
  api_.close(t_);
}

PluginTarget::LockedSteps PluginTarget::locked_steps() { return LockedSteps{std::unique_lock(steps_mutex_), session_.steps()}; }

hresult PluginTarget::allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t type,
                                              std::uint32_t protect, std::uint64_t* allocated_address) {
  locked_steps()->alloc(address, size, type, protect);
  const hresult hr = api_.allocate_virtual_memory(t_, address, size, type, protect, allocated_address);
  locked_steps()->alloc_done(address, size, type, hr, allocated_address ? *allocated_address : 0);
  return hr;
}

hresult PluginTarget::virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) {
  locked_steps()->free(address, size, free_type);
  return api_.virtual_free(t_, address, size, free_type);
}

hresult PluginTarget::write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) {
  locked_steps()->write(address, buffer, bytes_requested);
  return api_.write_virtual(t_, address, buffer, bytes_requested);
}

hresult PluginTarget::read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                                   std::uint32_t* bytes_read) {
  locked_steps()->read(address, bytes_requested);
  if (buffer == nullptr) return api_.read_virtual(t_, address, nullptr, bytes_requested, bytes_read);
  // The bounce buffer is the call's own: X-LINEARIZABLE reads from several threads at once.
  std::vector<std::uint8_t> scratch(bytes_requested + 2 * kGuard, kGuardByte);
  std::memcpy(scratch.data() + kGuard, buffer, bytes_requested);
  const hresult hr = api_.read_virtual(t_, address, scratch.data() + kGuard, bytes_requested, bytes_read);
  const auto guard_broken = [](const std::uint8_t* p) {
    return std::any_of(p, p + kGuard, [](std::uint8_t b) { return b != kGuardByte; });
  };
  if (guard_broken(scratch.data()) || guard_broken(scratch.data() + kGuard + bytes_requested))
    throw std::runtime_error("read_virtual(" + locked_steps()->address_text(address) + ", " + hex(bytes_requested) +
                             " bytes) wrote outside the caller's buffer (into the guard bytes " +
                             (guard_broken(scratch.data()) ? "before" : "after") +
                             " it): a buffer overflow that would corrupt the debugger's memory");
  std::memcpy(buffer, scratch.data() + kGuard, bytes_requested);
  return hr;
}

hresult PluginTarget::query_virtual(std::uint64_t address, RegionInfo* info) {
  if (api_.query_virtual == nullptr) return E_NOTIMPL;
  locked_steps()->query(address);
  if (info == nullptr) return api_.query_virtual(t_, address, nullptr);
  vmc_region_info r{};
  const hresult hr = api_.query_virtual(t_, address, &r);
  *info = RegionInfo{r.base_address, r.allocation_base, r.region_size, r.allocation_protect, r.state, r.protect, r.type};
  return hr;
}

std::vector<ForeignMemory> PluginTarget::foreign_memory() {
  if (foreign_) return *foreign_;
  foreign_.emplace();
  const Situation& s = session_.situation();
  if (s.in_worker) {
    worker_blocks_ = std::make_unique<WorkerBlocks>();
    for (const ForeignMemory& f : worker_blocks_->memory()) foreign_->push_back(f);
  }
  if (s.in_worker || s.shared_space) {
    second_ = SecondTarget::open(api_, session_.options(), session_.steps());
    if (second_) foreign_->push_back(second_->memory());
  }
  session_.steps().set_foreign(*foreign_);
  return *foreign_;
}

std::unique_ptr<Target> PluginTargetFactory::make() {
  vmc_target* t = session_.open_case_target();
  return std::make_unique<PluginTarget>(session_, t);
}

}  // namespace vmc::plugin
