#pragma once
// svharness's command line: its own flags (ARCHITECTURE.md) and googletest's
// --gtest_* flags, which pass through. Every value is checked here, before
// anything starts, so that a bad flag is one line and exit 2, never a run
// that fails half-way or a googletest help page with exit 0.

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "harness/cluster/environment.hpp"

namespace svh::cli {

struct Arguments {
  harness::RunOptions run;
  std::filesystem::path scenario_dir;
  bool list = false;
  bool list_faults = false;  // print the seeded fault catalogue and exit
  bool selftest = false;     // run the suite against each seeded fault (selftest.hpp)
  int selftest_jobs = 3;     // self-test runs at a time
  bool strict = false;
  std::vector<std::string> gtest_flags;  // as given, --gtest_output excepted
};

// What to do instead of running: exit with this code (0 after --help; 2 after
// a usage error, already printed as one line on stderr).
struct Exit {
  int code;
};

std::variant<Arguments, Exit> parseArguments(int argc, char** argv);

}  // namespace svh::cli
