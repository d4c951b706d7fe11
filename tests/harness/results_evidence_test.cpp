// The rules the project tests hold a results.json to (results_evidence.hpp),
// on hand-made results: each rule catches what it is for and lets an honest
// run through.

#include "results_evidence.hpp"

#include <gtest/gtest.h>

namespace svh::test {
namespace {

nlohmann::json honestRun() {
  return nlohmann::json::parse(R"({
    "format": 2,
    "checks": [
      {"name": "A.Sure", "iteration": 0, "verdict": "passed", "clauses": ["C-1", "C-2"],
       "asserted": ["C-1"], "skipped_parts": [{"clause": "C-2", "reason": "needs the disk"}],
       "not_asserted": []},
      {"name": "A.Skipped", "iteration": 0, "verdict": "skipped", "clauses": ["C-3"],
       "asserted": [], "skipped_parts": [], "not_asserted": []}
    ],
    "clauses": [
      {"id": "C-1", "standing": "holds"},
      {"id": "C-2", "standing": "skipped"},
      {"id": "C-3", "standing": "skipped"}
    ]})");
}

TEST(ResultsEvidence, AnHonestRunHasNoProblems) {
  auto run = honestRun();
  EXPECT_TRUE(vacuousHolds(run).empty());
  EXPECT_TRUE(passedAssertingNothing(run).empty());
  EXPECT_TRUE(clausesLeftUnaccounted(run).empty());
}

TEST(ResultsEvidence, AClauseThatHoldsWithoutAnAssertionIsNamed) {
  auto run = honestRun();
  run["clauses"][1]["standing"] = "holds";
  EXPECT_EQ(vacuousHolds(run),
            std::vector<std::string>{"C-2 is reported \"holds\" but no check that passed "
                                     "asserted it"});
}

TEST(ResultsEvidence, ACheckThatPassedAssertingNothingIsNamed) {
  auto run = honestRun();
  run["checks"][0]["asserted"] = nlohmann::json::array();
  EXPECT_EQ(passedAssertingNothing(run),
            std::vector<std::string>{"A.Sure (round 1) passed asserting none of its clauses: C-1 "
                                     "C-2"});
  EXPECT_EQ(clausesLeftUnaccounted(run),
            std::vector<std::string>{"A.Sure (round 1) passed without asserting C-1 or saying "
                                     "why it skipped it"});
}

TEST(ResultsEvidence, ASkipWithoutAReasonDoesNotAccountForAClause) {
  auto run = honestRun();
  run["checks"][0]["skipped_parts"][0]["reason"] = "";
  EXPECT_EQ(clausesLeftUnaccounted(run).size(), 1u);
}

}  // namespace
}  // namespace svh::test
