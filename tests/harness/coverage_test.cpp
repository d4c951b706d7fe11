// Every clause of SPEC.md (suites/clauses.json) is named by at least one
// check, or says why no black-box check can see it; no check names a clause
// that does not exist.

#include <gtest/gtest.h>

#include "harness/scenario/scenario_loader.hpp"
#include "suites/check.hpp"
#include "suites/clause_list.hpp"
#include "suites/scenarios.hpp"
#include "suites/suite.hpp"

namespace svh::suites {
namespace {

class Coverage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registerScenarios(harness::scenario::loadScenarios(defaultScenarioDir()));
  }
};

TEST_F(Coverage, EveryCheckableClauseIsNamedByACheck) {
  auto clauses = loadClauses();
  auto cover = coverage(clauses, clauseRegistry());
  std::string missing;
  for (const auto& id : cover.unchecked) missing += " " + id;
  EXPECT_TRUE(cover.unchecked.empty())
      << "clauses no check names and that are not marked not_black_box:" << missing;
}

TEST_F(Coverage, ChecksNameOnlyClausesThatExist) {
  auto cover = coverage(loadClauses(), clauseRegistry());
  for (const auto& [check, ids] : cover.unknown) {
    for (const auto& id : ids) ADD_FAILURE() << check << " names unknown clause " << id;
  }
}

TEST_F(Coverage, EveryCheckNamesAClause) {
  for (const auto& [check, ids] : clauseRegistry()) {
    EXPECT_FALSE(ids.empty()) << check << " names no clause";
  }
}

TEST_F(Coverage, TheClauseListHoldsEveryClauseOfSpecOnce) {
  auto clauses = loadClauses();
  // SPEC.md numbers 102 clauses; the list is its machine-readable copy.
  EXPECT_EQ(clauses.size(), 102u);
  for (const auto& clause : clauses) {
    EXPECT_FALSE(clause.summary.empty()) << clause.id;
    if (!clause.not_black_box.empty()) {
      EXPECT_GT(clause.not_black_box.size(), 20u) << clause.id << ": say why in a sentence";
    }
  }
}

}  // namespace
}  // namespace svh::suites
