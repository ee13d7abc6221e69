// fake_worker.hpp - the test executable as a worker process, for the tests of both sides of
// plugin isolation.
//
// Started as `vmconform_plugin_host_tests worker` (WorkerProcess::spawn's command line), it reads
// its request on fd 3 as a real worker does. With VMCONFORM_TEST_REAL_WORKER set in its
// environment it is the real worker (run_worker(), worker_test.cpp). Otherwise it is a fake that
// acts out the scenario its request names - the raw request line ("echo", "crash", ...) for the
// WorkerProcess tests, or a protocol request's "plugin" field ("ok", "crash", ...) for the tests
// of the parent's verdicts - and writes what that scenario says on fd 4, stdout and stderr.
#pragma once

#include <string>

namespace vmc::plugin::test {

inline constexpr const char* kRealWorkerVariable = "VMCONFORM_TEST_REAL_WORKER";

/// The path of this executable, to spawn it as a worker.
std::string self_executable();
/// Acts as a worker (fake or real); never returns.
[[noreturn]] void run_as_worker();

}  // namespace vmc::plugin::test
