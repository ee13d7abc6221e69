// process_backend.hpp - what callers outside the `process` backend may ask it.
//
// The process backends (`process`, `raw-pvwritev`, `raw-procmem`, `raw-ptrace`) hold another
// process under ptrace. When that process dies or stops answering, every later call fails with
// E_UNEXPECTED; these functions give the reason in words for the CLI or a test report, e.g.
// "target process 1234 died (signal 9, Killed)". Both return "" for targets and factories of
// other backends, and for healthy ones.
#pragma once

#include <string>

#include "vmconform/target.hpp"

namespace vmc::process {

std::string failure_message(const Target& target);
std::string failure_message(const TargetFactory& factory);

}  // namespace vmc::process
