// Every clause of SPEC.md (suites/clauses.json) is named by at least one
// check, and every Mesos test it names (suites/mesos_tests.json) is mirrored
// by one, or says why no black-box check can; no check names a clause or a
// test that does not exist.

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
    try {
      registerScenarios(harness::scenario::loadScenarios(defaultScenarioDir()));
    } catch (const std::exception& e) {
      load_error_ = e.what();
    }
  }
  void SetUp() override { ASSERT_TRUE(load_error_.empty()) << load_error_; }
  static inline std::string load_error_;
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

TEST_F(Coverage, EveryMesosTestThatCanBeMirroredIsMirroredByACheck) {
  auto cover = coverage(loadMesosTests(), mirrorRegistry());
  std::string missing;
  for (const auto& id : cover.unchecked) missing += "\n  " + id;
  EXPECT_TRUE(cover.unchecked.empty())
      << "Mesos tests no check mirrors and that are not marked not_black_box:" << missing;
  for (const auto& [check, tests] : cover.unknown) {
    for (const auto& test : tests) {
      ADD_FAILURE() << check << " mirrors " << test << ", which suites/mesos_tests.json lacks";
    }
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
