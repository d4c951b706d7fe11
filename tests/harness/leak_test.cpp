// Nothing leaks: after a run that is interrupted (Ctrl-C) or killed
// (SIGKILL) in the middle, no FUSE mount, no fake process and no temp dir is
// left behind.

#include <signal.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "harness/cluster/cluster.hpp"
#include "harness/cluster/janitor.hpp"
#include "run_support.hpp"

namespace svh::test {
namespace {

using namespace std::chrono_literals;

// The run dir, read from the agent's log ("... work_dir=<run>/agent-0").
std::filesystem::path runDirOf(const std::filesystem::path& report) {
  std::regex pattern("work_dir=(\\S+)/agent-0");
  std::smatch match;
  std::string log = readFile(report / "logs" / "agent-0.log");
  if (!std::regex_search(log, match, pattern)) return {};
  return match[1].str();
}

void expectNothingLeft(const std::filesystem::path& run_dir) {
  ASSERT_FALSE(run_dir.empty());
  EXPECT_TRUE(eventually([&] { return harness::processesOfRun(run_dir).empty(); }, 30s))
      << "processes of " << run_dir << " still running";
  EXPECT_TRUE(eventually([&] { return harness::mountsUnder(run_dir).empty(); }, 30s))
      << "mounts left under " << run_dir;
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(run_dir); }, 30s))
      << run_dir << " was not removed";
}

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
