// plugin_target.hpp - vmc::Target over a loaded plugin (PluginTarget) and its factory.
//
// PluginTarget maps each Target call onto the plugin's table, announcing it first on the step
// log. It reads through a bounce buffer with guard bytes on both sides, so a plugin that writes
// outside the caller's buffer is reported (an exception, which fails the running property)
// instead of silently corrupting the worker. foreign_memory() returns what foreign_memory.hpp
// finds for the plugin's situation; there is no host-fault injection in plugin ABI v1, so
// VF-EFAIL-STICKY is skipped with that reason. PluginSession holds what the targets of one
// worker share: the table, the options, the step log and the situation (probed on first use).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/plugin/foreign_memory.hpp"
#include "vmconform/plugin/step_log.hpp"
#include "vmconform/plugin.h"
#include "vmconform/target.hpp"

namespace vmc::plugin {

class PluginSession {
 public:
  PluginSession(const vmc_plugin_v1& api, std::string options, StepRecorder::Sink steps,
                std::function<void(int)> case_started = {});
  const vmc_plugin_v1& api() const { return api_; }
  const std::string& options() const { return options_; }
  StepRecorder& steps() { return steps_; }
  const Situation& situation();
  /// Opens a target (announcing a new case); throws std::runtime_error if open() returns NULL.
  vmc_target* open_case_target();

 private:
  const vmc_plugin_v1& api_;
  std::string options_;
  StepRecorder steps_;
  std::function<void(int)> case_started_;
  int cases_ = 0;
  std::optional<Situation> situation_;
};

class PluginTarget final : public Target {
 public:
  PluginTarget(PluginSession& session, vmc_target* t);
  ~PluginTarget() override;
  PluginTarget(const PluginTarget&) = delete;
  PluginTarget& operator=(const PluginTarget&) = delete;

  std::uint32_t page_size() const override { return page_size_; }
  std::uint32_t allocation_granularity() const override { return granularity_; }
  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size, std::uint32_t allocation_type,
                                  std::uint32_t page_protection, std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size, std::uint32_t free_type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer, std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer, std::uint32_t bytes_requested,
                       std::uint32_t* bytes_read) override;
  bool has_query() const override { return session_.api().query_virtual != nullptr; }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  std::vector<ForeignMemory> foreign_memory() override;

 private:
  PluginSession& session_;
  const vmc_plugin_v1& api_;
  vmc_target* t_;
  std::uint32_t page_size_ = 0, granularity_ = 0;
  /// The step log, under the lock that lets several threads call this target at once
  /// (X-LINEARIZABLE): calls are logged in the order they start.
  struct LockedSteps {
    std::unique_lock<std::mutex> lock;
    StepRecorder& steps;
    StepRecorder* operator->() { return &steps; }
  };
  LockedSteps locked_steps();
  std::mutex steps_mutex_;
  std::optional<std::vector<ForeignMemory>> foreign_;
  std::unique_ptr<WorkerBlocks> worker_blocks_;
  std::unique_ptr<SecondTarget> second_;
};

class PluginTargetFactory final : public TargetFactory {
 public:
  PluginTargetFactory(PluginSession& session, std::string name) : session_(session), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::unique_ptr<Target> make() override;

 private:
  PluginSession& session_;
  std::string name_;
};

}  // namespace vmc::plugin
