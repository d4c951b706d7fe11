// A dead agent or master is noticed (issue: verdicts users can trust): when a
// process of the run is killed mid-run, the check in progress fails at once
// naming it, the run stops with exit 3, the checks after it are "not run",
// and nothing is left behind. Before, each later check waited out its
// deadlines and a full run was still going after 15 minutes.

#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace svh::test {
namespace {

using namespace std::chrono_literals;

struct Victim {
  std::string program;  // the executable to kill
  std::string named;    // how the run must name it
};

// How googletest names a parameter in its output.
void PrintTo(const Victim& victim, std::ostream* out) { *out << victim.named; }

class DeadProcess : public ::testing::TestWithParam<Victim> {};

TEST_P(DeadProcess, AKilledProcessStopsTheRunAtOnceNamingIt) {
  const Victim& victim = GetParam();
  TempDir dir;
  auto report = dir.path() / "report";
  auto output = dir.path() / "output";
  Running svharness(binary("svharness"), {"--report-dir", report.string()}, output);
  ASSERT_TRUE(svharness.awaitOutput("PASS", 120s)) << readFile(output);
  auto run_dir = runDirOf(report);
  ASSERT_FALSE(run_dir.empty()) << "no run dir in " << report / "logs" / "agent-0.log";
  pid_t pid = pidOfRun(run_dir, victim.program);
  ASSERT_GT(pid, 0) << "no " << victim.program << " process of " << run_dir;

  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  // Far below what the checks left would wait out on a dead process (each
  // of their waits runs for tens of seconds).
  auto code = svharness.awaitExit(90s);
  ASSERT_TRUE(code.has_value()) << "svharness still running 90 s after " << victim.named
                                << " was killed:\n"
                                << readFile(output);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  std::printf("svharness exited %.1f s after %s was killed\n", seconds, victim.named.c_str());
  const std::string out = readFile(output);
  EXPECT_EQ(*code, 3) << out;
  const std::string death = victim.named + " exited with code 137";
  EXPECT_NE(out.find("svharness: the run stopped: " + death), std::string::npos) << out;
  EXPECT_NE(out.find("NOT RUN"), std::string::npos) << "no check was marked not run:\n" << out;

  auto results = nlohmann::json::parse(readFile(report / "results.json"), nullptr, false);
  ASSERT_TRUE(results.is_object()) << "no results.json in " << report;
  int failed_naming_it = 0, not_run = 0;
  for (const auto& check : results["checks"]) {
    const std::string verdict = check.value("verdict", "");
    if (verdict == "failed" && check.value("failure", "").find(victim.named) != std::string::npos) {
      ++failed_naming_it;
    }
    if (verdict == "not run") {
      ++not_run;
      EXPECT_NE(check.value("skip_reason", "").find(death), std::string::npos) << check.dump();
    }
  }
  EXPECT_GE(failed_naming_it, 1) << "no failed check names " << victim.named;
  EXPECT_GE(not_run, 1);
  EXPECT_EQ(results["counts"].value("not_run", -1), not_run);
  expectNothingLeft(run_dir);
}

INSTANTIATE_TEST_SUITE_P(Processes, DeadProcess,
                         ::testing::Values(Victim{"svh-agent", "svh-agent-0"},
                                           Victim{"svh-master", "svh-master"}),
                         [](const ::testing::TestParamInfo<Victim>& info) {
                           return info.param.program == "svh-agent" ? std::string("Agent")
                                                                    : std::string("Master");
                         });

// The same for a master at a URL that goes away: it refuses connections.
TEST(DeadProcess, AMasterAtAUrlThatGoesAwayStopsTheRunNamingIt) {
  TempDir dir;
  Running master(binary("svh-master"), {"--port=0", "--allocation_interval=50ms"},
                 dir.path() / "master.log");
  ASSERT_TRUE(master.awaitOutput("svh-master ready at ", 30s)) << readFile(dir.path() / "master.log");
  std::smatch ready;
  std::string log = readFile(dir.path() / "master.log");
  ASSERT_TRUE(std::regex_search(log, ready, std::regex("ready at (http://\\S+)")));
  const std::string url = ready[1].str();

  auto report = dir.path() / "report";
  auto output = dir.path() / "output";
  Running svharness(binary("svharness"), {"--master", url, "--report-dir", report.string()},
                    output);
  ASSERT_TRUE(svharness.awaitOutput("PASS", 120s)) << readFile(output);
  auto run_dir = runDirOf(report);
  master.signal(SIGKILL);
  auto code = svharness.awaitExit(90s);
  ASSERT_TRUE(code.has_value()) << "svharness still running 90 s after its master was killed:\n"
                                << readFile(output);
  const std::string out = readFile(output);
  EXPECT_EQ(*code, 3) << out;
  EXPECT_NE(out.find("svharness: the run stopped: the master at "), std::string::npos) << out;
  EXPECT_NE(out.find("is not there"), std::string::npos) << out;
  EXPECT_NE(out.find("NOT RUN"), std::string::npos) << out;
  expectNothingLeft(run_dir);
}

}  // namespace
}  // namespace svh::test
