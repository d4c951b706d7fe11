// svharness --selftest's pure parts: the runs it makes, and what a run's
// exit code and results.json mean for a fault.

#include <gtest/gtest.h>

#include "fakes/common/seeded_faults.hpp"
#include "harness/cli/selftest_plan.hpp"

namespace svh::cli {
namespace {

nlohmann::json resultsWith(std::vector<std::pair<std::string, std::string>> failed) {
  nlohmann::json checks = nlohmann::json::array();
  checks.push_back({{"name", "A.Passes"}, {"verdict", "passed"}, {"clauses", {"SV-CAP-1"}}});
  for (const auto& [name, clause] : failed) {
    checks.push_back({{"name", name}, {"verdict", "failed"}, {"clauses", {clause}}});
  }
  return {{"checks", checks}};
}

TEST(SelftestPlan, OneFaultlessRunPerConfigurationThenOnePerFault) {
  auto runs = planSelftest({});
  std::size_t faults = fakes::seededFaults().size();
  std::size_t faultless = 0;
  for (const auto& run : runs) faultless += run.fault ? 0 : 1;
  EXPECT_EQ(runs.size() - faultless, faults);
  ASSERT_GE(faultless, 1u);
  EXPECT_EQ(runs.front().name, "faultless");
  EXPECT_TRUE(runs.front().config.empty());
  // Every configuration a fault needs has its faultless run.
  for (const auto& run : runs) {
    if (!run.fault) continue;
    bool compared = false;
    for (const auto& other : runs) compared |= !other.fault && other.config == run.config;
    EXPECT_TRUE(compared) << run.name << " has no faultless run in its configuration";
  }
}

TEST(SelftestPlan, ChosenFaultsOnlyAndUnknownNamesRefused) {
  const auto& first = fakes::seededFaults().front();
  auto runs = planSelftest({std::string(first.name)});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(*runs[1].fault, first.name);
  EXPECT_EQ(runs[1].clause, first.clause);
  EXPECT_THROW(planSelftest({"no-such-fault"}), std::invalid_argument);
}

TEST(SelftestPlan, AFaultIsDetectedOnlyByAFailedCheck) {
  SelftestRun run{"f", "f", "SV-DESTROY-1", {}};
  auto detected = judgeRun(run, 1, resultsWith({{"B.Fails", "SV-DESTROY-1"}}), 3);
  EXPECT_EQ(detected.verdict, RunVerdict::kDetected);
  EXPECT_EQ(detected.failed_checks, std::vector<std::string>{"B.Fails"});
  EXPECT_TRUE(detected.caught_by_clause);

  auto aside = judgeRun(run, 1, resultsWith({{"C.Fails", "SV-CAP-1"}}), 3);
  EXPECT_EQ(aside.verdict, RunVerdict::kDetected);
  EXPECT_FALSE(aside.caught_by_clause) << "no failed check names the fault's clause";

  EXPECT_EQ(judgeRun(run, 0, resultsWith({}), 3).verdict, RunVerdict::kMissed);
  // Could not establish is not detected (Jepsen): exit 3, or no results.
  EXPECT_EQ(judgeRun(run, 3, resultsWith({{"B.Fails", "SV-DESTROY-1"}}), 3).verdict,
            RunVerdict::kError);
  EXPECT_EQ(judgeRun(run, 1, nullptr, 3).verdict, RunVerdict::kError);
}

TEST(SelftestPlan, PassesOnlyWhenFaultlessPassesAndEveryFaultIsDetected) {
  SelftestRun faultless{"faultless", std::nullopt, "", {}};
  SelftestRun fault{"f", "f", "SV-CAP-1", {}};
  auto pass = judgeRun(faultless, 0, resultsWith({}), 1);
  auto caught = judgeRun(fault, 1, resultsWith({{"X", "SV-CAP-1"}}), 1);
  EXPECT_TRUE(selftestPassed({pass, caught}));
  EXPECT_FALSE(selftestPassed({pass, judgeRun(fault, 0, resultsWith({}), 1)}));
  EXPECT_FALSE(selftestPassed({judgeRun(faultless, 1, resultsWith({{"X", "SV-CAP-1"}}), 1), caught}));
  EXPECT_FALSE(selftestPassed({}));
  auto json = selftestJson({pass, caught}, 2);
  EXPECT_EQ(json["passed"], true);
  EXPECT_EQ(json["faults"], 1);
  EXPECT_EQ(json["detected"], 1);
  EXPECT_EQ(json["runs"][1]["failed_checks"][0], "X");
  EXPECT_NE(selftestTable({pass, caught}, 2).find("1 faults: 1 detected, 0 missed"),
            std::string::npos);
}

}  // namespace
}  // namespace svh::cli
