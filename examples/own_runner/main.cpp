// An implementer's own googletest binary running the svharness suites (see
// suites/suite.hpp): the checks come from the linked library, the master
// and agents from the options. Usage:
//   own_runner MASTER BIN_DIR [--gtest_* flags]
// MASTER is "builtin" or the URL of the master under test; BIN_DIR holds
// svh-agent (and svh-master for builtin).

#include <iostream>

#include <gtest/gtest.h>

#include "suites/suite.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::cerr << "usage: own_runner MASTER BIN_DIR [--gtest_* flags]" << std::endl;
    return 2;
  }
  svh::harness::RunOptions options;
  options.master = argv[1];
  options.bin_dir = argv[2];
  options.report_dir = "own_runner-report";  // logs/ go here, under the working dir
  try {
    svh::suites::install(options);
  } catch (const std::exception& e) {  // a malformed scenario file
    std::cerr << "own_runner: " << e.what() << std::endl;
    return 2;
  }
  return RUN_ALL_TESTS();
}
