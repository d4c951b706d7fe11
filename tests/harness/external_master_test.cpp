// `svharness --master URL` against a separately started svh-master passes
// the same checks as the built-in mode (which the conformance.* project
// tests run): every check passes, except those that restart or seed faults
// into the master, which SKIP saying they need the bundled master.

#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace svh::test {
namespace {

using namespace std::chrono_literals;

class ExternalMaster : public ::testing::TestWithParam<std::string> {};

TEST_P(ExternalMaster, PassesTheChecksOfTheBuiltInModeAndSkipsOnlyMasterRestarts) {
  TempDir dir;
  Running master(binary("svh-master"), {"--port=0", "--allocation_interval=50ms", "--verbose"},
                 dir.path() / "master.log");
  ASSERT_TRUE(master.awaitOutput("svh-master ready at ", 30s))
      << "svh-master did not say it was ready: " << readFile(dir.path() / "master.log");
  std::smatch ready;
  std::string log = readFile(dir.path() / "master.log");
  ASSERT_TRUE(std::regex_search(log, ready, std::regex("ready at (http://\\S+)")));
  const std::string url = ready[1].str();

  auto outcome = run(binary("svharness"),
                     {"--master", url, "--content-type", GetParam(), "--report-dir",
                      (dir.path() / "report").string()},
                     600s);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;

  int passed = 0;
  std::istringstream lines(outcome.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("PASS ", 0) == 0) ++passed;
    if (line.rfind("FAIL ", 0) == 0) ADD_FAILURE() << line;
    if (line.rfind("SKIP ", 0) == 0) {
      EXPECT_NE(line.find("bundled master"), std::string::npos)
          << "a check skipped against an svh-master for another reason: " << line;
    }
  }
  EXPECT_GT(passed, 50) << outcome.out;
  EXPECT_NE(outcome.out.find(" 0 failed"), std::string::npos) << outcome.out;
  // Our agents registered with the master, and went away with the run.
  EXPECT_NE(readFile(dir.path() / "master.log").find("registered agent"), std::string::npos)
      << readFile(dir.path() / "master.log");
}

INSTANTIATE_TEST_SUITE_P(ContentTypes, ExternalMaster, ::testing::Values("json", "protobuf"));

}  // namespace
}  // namespace svh::test
