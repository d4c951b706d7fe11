#pragma once
// The conformance suite as a library, for implementers who run it from a
// googletest binary of their own (as csi-sanity's sanity.Test is used):
//
//   #include "suites/suite.hpp"
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     svh::harness::RunOptions options;
//     options.master = "http://127.0.0.1:5050";      // the master under test
//     options.bin_dir = "/opt/svharness/bin";         // where svh-agent lives
//     svh::suites::install(options);
//     return RUN_ALL_TESTS();
//   }
//
// and link the CMake target svh::suites (it pulls in every check: checks
// register themselves, so the archive is linked whole). svharness itself is
// this plus its command line, progress output and exit codes.

#include <filesystem>

#include "harness/cluster/environment.hpp"

namespace svh::suites {

// fixtures/scenarios of this source tree.
std::filesystem::path defaultScenarioDir();

// Makes every check run against the cluster `options` describe: registers
// one check per scenario file in `scenario_dir` and the environment that
// starts the cluster before the first check and stops it after the last.
// Call once, after InitGoogleTest and before RUN_ALL_TESTS. Throws
// harness::scenario::ScenarioError naming a malformed scenario file.
void install(const harness::RunOptions& options,
             const std::filesystem::path& scenario_dir = defaultScenarioDir());

}  // namespace svh::suites
