#pragma once
// The shape of a conformance check: a googletest test with the SPEC clause
// ids it verifies. SVH_CHECK(Area, SentenceName, "SV-OFFER-1 H-DATA-1")
// registers the clause ids statically (so --list can show them without
// running anything) and records them in the JUnit report.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/environment.hpp"
#include "harness/http/client.hpp"
#include "harness/scenario/framework.hpp"

namespace svh::suites {

// Task states, as checks name them.
using mesos::v1::TASK_DROPPED;
using mesos::v1::TASK_ERROR;
using mesos::v1::TASK_FAILED;
using mesos::v1::TASK_FINISHED;
using mesos::v1::TASK_KILLED;
using mesos::v1::TASK_LOST;
using mesos::v1::TASK_RUNNING;
using mesos::v1::TASK_STARTING;

// "Area.Name" -> "SV-OFFER-1 H-DATA-1"
std::map<std::string, std::string>& clauseRegistry();

struct ClauseRegistration {
  ClauseRegistration(const char* suite, const char* name, const char* clauses) {
    clauseRegistry()[std::string(suite) + "." + name] = clauses;
  }
};

// "Area.Name" -> the Mesos tests (SPEC 2.1, 2.2) the check is a counterpart
// of, e.g. "PersistentVolumeTest.SharedPersistentVolumeMultipleTasks".
std::map<std::string, std::string>& mirrorRegistry();

struct MirrorRegistration {
  MirrorRegistration(const char* suite, const char* name, const char* tests) {
    auto& entry = mirrorRegistry()[std::string(suite) + "." + name];
    entry += (entry.empty() ? "" : " ") + std::string(tests);
  }
};

class Check : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  harness::Cluster& cluster() { return harness::cluster(); }

  // Reasons to SKIP, for checks that need them (empty when fine):
  // the agents are svh-agents this run started (disk, trace, sandboxes)...
  std::optional<std::string> needsLocalAgents();
  // ...the master is the bundled one (restarts, seeded faults)...
  std::optional<std::string> needsBuiltinMaster();
  // ...the agent enforces mode RO (H-RO-1: svh-agent's FUSE disk, or a Mesos
  // agent with filesystem/linux or docker isolation).
  std::optional<std::string> needsReadOnlyEnforcement(harness::AgentHandle& agent);
  // A name unique to this check, for roles and frameworks, so that checks
  // never see each other's offers.
  std::string unique(const std::string& prefix) const;
  // Where `agent` keeps volume `id` of `role` (SV-CREATE-4: '/' in a role
  // becomes ' ').
  static std::filesystem::path volumeDir(const harness::AgentHandle& agent, const std::string& role,
                                         const std::string& id);
  // An operator endpoint answered `code` with a body that says `says`.
  static void expectAnswer(const http::Response& response, int code, const std::string& says);
  // Every status the task got so far is TASK_STARTING or TASK_RUNNING.
  static void expectUndisturbed(const harness::Framework& fw, const std::string& task_id);
  // Records which of several allowed outcomes a check saw (SPEC 0), as a
  // property of the check in the report.
  void outcome(const std::string& clause, const std::string& seen);

 private:
  void saveLogs();
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> log_marks_;
};

}  // namespace svh::suites

// Names the Mesos tests a check mirrors (put it just before the SVH_CHECK).
#define SVH_MIRRORS(area, name, tests) \
  static ::svh::suites::MirrorRegistration svh_mirrors_##area##_##name(#area, #name, tests)

#define SVH_CHECK(area, name, clauses)                                                         \
  static ::svh::suites::ClauseRegistration svh_clauses_##area##_##name(#area, #name, clauses); \
  TEST_F(area, name)
