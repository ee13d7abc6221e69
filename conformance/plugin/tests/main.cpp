// main.cpp - the entry of vmconform_plugin_host_tests: as `... worker` the executable is a worker
// process for the tests (fake_worker.hpp); otherwise it runs them.
#include <gtest/gtest.h>

#include <cstring>

#include "fake_worker.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "worker") == 0) vmc::plugin::test::run_as_worker();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
