#pragma once
// The clauses of SPEC.md (suites/clauses.json) and the Mesos tests it names
// (suites/mesos_tests.json) against the checks that name or mirror them:
// what `svharness --list` prints and what the coverage test holds the suites
// to (each one checked, or not black-box with a reason).

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace svh::suites {

// A clause, or a Mesos test.
struct Clause {
  std::string id;
  std::string summary;
  std::string not_black_box;  // why no check can see it; empty if checkable
};

// suites/clauses.json and suites/mesos_tests.json of this source tree.
std::filesystem::path defaultClauseList();
std::filesystem::path defaultMesosTestList();
// Throw std::runtime_error naming the file and what is wrong with it.
std::vector<Clause> loadClauses(const std::filesystem::path& file = defaultClauseList());
std::vector<Clause> loadMesosTests(const std::filesystem::path& file = defaultMesosTestList());

struct Coverage {
  std::map<std::string, std::vector<std::string>> checks_of;  // clause id -> checks
  std::vector<std::string> unchecked;                         // checkable, named by no check
  std::map<std::string, std::set<std::string>> unknown;       // check -> ids not in the list
};

// `registry` maps "Area.Name" to the ids it names ("SV-OFFER-1 H-DATA-1").
Coverage coverage(const std::vector<Clause>& clauses,
                  const std::map<std::string, std::string>& registry);

// The map for --list: each check with its clause ids, then each clause with
// its checks or the reason it has none, then each Mesos test likewise.
std::string describeCoverage(const std::vector<Clause>& clauses,
                             const std::map<std::string, std::string>& clause_registry,
                             const std::vector<Clause>& mesos_tests,
                             const std::map<std::string, std::string>& mirror_registry);

}  // namespace svh::suites
