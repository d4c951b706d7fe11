// Every clause of SPEC.md (suites/clauses.json) is named by at least one
// check, and every Mesos test it names (suites/mesos_tests.json) is mirrored
// by one, or says why no black-box check can; no check names a clause or a
// test that does not exist; and every check's source has, for each clause
// it names, an asserted(...) or skipPart(...) naming it (a forgotten marker
// is caught here, before any run).

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

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

// The checks of suites/*.cpp as their source writes them: "Area.Name" ->
// the clause ids of its SVH_CHECK, and the ids its body hands to
// asserted(...) and skipPart(...) as string literals.
struct CheckSource {
  std::set<std::string> named;
  std::set<std::string> marked;
};

std::set<std::string> idsIn(const std::string& text) {
  std::set<std::string> ids;
  std::istringstream in(text);
  for (std::string id; in >> id;) ids.insert(id);
  return ids;
}

std::map<std::string, CheckSource> checkSources() {
  std::map<std::string, CheckSource> checks;
  // SVH_CHECK(Area, Name, "ids" "more ids") { ... up to the next check.
  const std::regex header(R"re(SVH_CHECK\(\s*(\w+)\s*,\s*(\w+)\s*,((?:\s*"[^"]*")+)\s*\))re");
  const std::regex literal(R"re("([^"]*)")re");
  const std::regex marker(R"re((?:asserted|skipPart)\(\s*"([^"]*)")re");
  for (const auto& entry : std::filesystem::directory_iterator(SVH_SUITES_DIR)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::vector<std::pair<std::string, std::smatch>> found;
    for (std::sregex_iterator it(text.begin(), text.end(), header), end; it != end; ++it) {
      found.emplace_back((*it)[1].str() + "." + (*it)[2].str(), *it);
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
      auto& check = checks[found[i].first];
      const std::string literals = found[i].second[3].str();
      for (std::sregex_iterator it(literals.begin(), literals.end(), literal), end; it != end;
           ++it) {
        for (const auto& id : idsIn((*it)[1].str())) check.named.insert(id);
      }
      const auto body_start = found[i].second.position(0) + found[i].second.length(0);
      const auto body_end = i + 1 < found.size() ? found[i + 1].second.position(0) : text.size();
      const std::string body = text.substr(body_start, body_end - body_start);
      for (std::sregex_iterator it(body.begin(), body.end(), marker), end; it != end; ++it) {
        for (const auto& id : idsIn((*it)[1].str())) check.marked.insert(id);
      }
    }
  }
  return checks;
}

TEST_F(Coverage, EveryCheckMarksEachClauseItNamesAssertedOrSkipped) {
  auto sources = checkSources();
  std::size_t written = 0;
  for (const auto& [check, ids] : clauseRegistry()) {
    if (check.rfind("Scenario.", 0) == 0) continue;  // the loader holds scenarios to this
    ++written;
    auto it = sources.find(check);
    if (it == sources.end()) {
      ADD_FAILURE() << check << ": no SVH_CHECK for it in " << SVH_SUITES_DIR;
      continue;
    }
    EXPECT_EQ(it->second.named, idsIn(ids)) << check << ": the source and the registry disagree";
    for (const auto& id : it->second.named) {
      EXPECT_TRUE(it->second.marked.count(id))
          << check << " names " << id << " but never calls asserted(\"" << id
          << "\") or skipPart(\"" << id << "\", why)";
    }
    for (const auto& id : it->second.marked) {
      EXPECT_TRUE(it->second.named.count(id))
          << check << " marks " << id << ", which its SVH_CHECK does not name";
    }
  }
  EXPECT_EQ(written, sources.size());
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
