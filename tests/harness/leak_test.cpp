// Nothing leaks: after a run that is interrupted (Ctrl-C) or killed
// (SIGKILL) in the middle, no FUSE mount, no fake process and no temp dir is
// left behind.

#include <signal.h>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace svh::test {
namespace {

using namespace std::chrono_literals;

class Leaks : public ::testing::TestWithParam<int> {};

TEST_P(Leaks, StoppingMidRunLeavesNothingBehind) {
  int sig = GetParam();
  TempDir dir;
  auto report = dir.path() / "report";
  Running svharness(binary("svharness"),
                    {"--report-dir", report.string(), "--gtest_repeat=1000"},
                    dir.path() / "output");
  ASSERT_TRUE(svharness.awaitOutput("PASS", 60s)) << readFile(dir.path() / "output");
  auto run_dir = runDirOf(report);
  ASSERT_TRUE(std::filesystem::exists(run_dir)) << run_dir;

  svharness.signal(sig);
  auto code = svharness.awaitExit(60s);
  ASSERT_TRUE(code.has_value()) << "svharness did not exit after signal " << sig;
  if (sig == SIGINT) {
    EXPECT_EQ(*code, 130) << readFile(dir.path() / "output");
  }
  expectNothingLeft(run_dir);
}

INSTANTIATE_TEST_SUITE_P(Signals, Leaks, ::testing::Values(SIGINT, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == SIGINT ? std::string("CtrlC")
                                                       : std::string("Sigkill");
                         });

}  // namespace
}  // namespace svh::test
