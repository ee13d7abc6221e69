// process_factory.cpp - option parsing, tracee reuse and the registration of the four backends.
//
// A tracee is idle when the factory holds the only reference to it (targets hold one through
// their primitives until they are fully destroyed, after the table has released everything), so
// reuse needs no bookkeeping beyond the shared_ptr count.
#include "process_factory.hpp"

#include <charconv>
#include <stdexcept>

#include "vmconform/backend_registry.hpp"

namespace vmc::process {

ProcessOptions parse_options(const std::string& text) {
  ProcessOptions out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    at = comma + 1;
    if (item.empty()) continue;
    if (item.rfind("pid=", 0) == 0) {
      const std::string digits = item.substr(4);
      long value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0 ||
          value > 0x3FFFFFFF)
        throw std::invalid_argument("process backend: bad option '" + item +
                                    "' (expected pid=N with N a positive process id)");
      out.pid = static_cast<pid_t>(value);
    } else if (item == "allow-corruption") {
      out.allow_corruption = true;
    } else if (item == "arena") {
      out.arena = true;
    } else {
      throw std::invalid_argument("process backend: unknown option '" + item +
                                  "' (known: pid=N, allow-corruption, arena)");
    }
  }
  return out;
}

ProcessFactory::ProcessFactory(std::string name, std::optional<RawWrite> raw,
                               ProcessOptions options)
    : name_(std::move(name)), raw_(raw), options_(options) {
  if (raw_ && options_.pid && !options_.allow_corruption)
    throw std::invalid_argument(
        "backend " + name_ + ": a raw adapter writes wherever the address points and would "
        "corrupt process " + std::to_string(*options_.pid) +
        "; add ',allow-corruption' to the options to attach anyway");
}

ProcessFactory::~ProcessFactory() = default;

std::shared_ptr<Tracee> ProcessFactory::acquire() {
  std::lock_guard lock(mutex_);
  if (options_.pid) {
    if (!attached_) attached_ = Tracee::attach(*options_.pid);  // throws with the reason
    if (!attached_->alive()) last_failure_ = attached_->failure();
    return attached_;  // a dead one still makes targets: their calls fail with E_UNEXPECTED
  }
  for (auto it = children_.begin(); it != children_.end();) {
    if (!(*it)->alive()) {
      last_failure_ = (*it)->failure();
      if (it->use_count() == 1) {
        it = children_.erase(it);
        continue;
      }
    } else if (it->use_count() == 1) {
      return *it;
    }
    ++it;
  }
  children_.push_back(Tracee::spawn_child());  // throws with the reason
  return children_.back();
}

std::unique_ptr<Target> ProcessFactory::make() {
  std::shared_ptr<Tracee> tracee = acquire();
  if (raw_) return std::make_unique<RawTarget>(std::move(tracee), *raw_);
  return std::make_unique<ProcessTarget>(std::move(tracee), options_.arena);
}

std::string ProcessFactory::failure() const {
  std::lock_guard lock(mutex_);
  if (attached_ && !attached_->alive()) return attached_->failure();
  for (const auto& t : children_)
    if (!t->alive()) return t->failure();
  return last_failure_;
}

std::string failure_message(const TargetFactory& factory) {
  const auto* p = dynamic_cast<const ProcessFactory*>(&factory);
  return p == nullptr ? std::string() : p->failure();
}

namespace {
BackendInfo backend(std::string name, std::string description, bool in_default_suite,
                    std::optional<RawWrite> raw) {
  return BackendInfo{
      name, std::move(description), in_default_suite,
      [name, raw](const BackendOptions& o) -> std::unique_ptr<TargetFactory> {
        return std::make_unique<ProcessFactory>(name, raw, parse_options(o.options));
      },
      /*takes_options=*/true};
}
}  // namespace

VMC_REGISTER_BACKEND(backend(
    "process",
    "another process's memory as a debugger sees it (ptrace-injected mmap/mprotect/munmap, "
    "process_vm_readv/writev, /proc/PID/mem) behind the host region table; x86-64 Linux; "
    "options: pid=N to attach to a running process instead of a private child; arena: every reservation "
    "inside one PROT_NONE arena of 64 GiB",
    true, std::nullopt));
VMC_REGISTER_BACKEND(backend("raw-pvwritev",
                             "`process` with WriteVirtual as one unchecked process_vm_writev "
                             "(deliberately non-conformant)",
                             false, RawWrite::pvwritev));
VMC_REGISTER_BACKEND(backend("raw-procmem",
                             "`process` with WriteVirtual as one unchecked pwrite to "
                             "/proc/PID/mem (deliberately non-conformant)",
                             false, RawWrite::procmem));
VMC_REGISTER_BACKEND(backend("raw-ptrace",
                             "`process` with WriteVirtual as an unchecked PTRACE_POKEDATA loop "
                             "(deliberately non-conformant)",
                             false, RawWrite::ptrace));

}  // namespace vmc::process
