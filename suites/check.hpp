#pragma once
// The shape of a conformance check: a googletest test with the SPEC clause
// ids it verifies. SVH_CHECK(Area, SentenceName, "SV-OFFER-1 H-DATA-1")
// registers the clause ids statically (so --list can show them without
// running anything) and records them in the JUnit report.
//
// Naming a clause is a promise; the evidence is given as the check runs
// (SPEC 0: nothing passes vacuously). Right after the assertions that show
// a clause, a check says so:
//
//   fw.awaitTaskState(reader.taskId(), {TASK_FINISHED});  // the task tested what it saw
//   asserted("H-DATA-1");
//
// and a part it cannot assert on the cluster at hand it skips, with the
// reason, while the rest of the check still runs:
//
//   if (auto why = needsLocalAgents()) {
//     skipPart("H-DATA-3", "the data leaving the agent's disk: " + *why);
//   } else {
//     awaitGone(volumeDir(agent, role, "v1"), kDefaultWait, "v1's data to go");
//     asserted("H-DATA-3");
//   }
//
// Both take one clause id or several ("SV-DESTROY-1 H-DATA-4"), each one the
// check's SVH_CHECK names (anything else fails the check: a typo). Call
// asserted() after the assertions, never before: a check that returns early
// has then asserted nothing. A clause the check names but neither asserted
// nor skipped by its end is reported "not asserted"; a clause "holds" in the
// report only if a check that passed asserted it. A check that cannot run
// at all still uses GTEST_SKIP() with the reason.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/cluster/environment.hpp"
#include "harness/http/client.hpp"
#include "harness/scenario/framework.hpp"
#include "harness/scenario/ledger.hpp"

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
  // A framework of `role` speaking the run's encoding (--content-type).
  static harness::FrameworkSpec spec(const std::string& role) {
    return {.role = role, .content_type = harness::runOptions().content_type};
  }
  // The volume `id` as `offer` holds it now (what a DESTROY must name);
  // throws CheckFailure if the offer lacks it.
  static harness::Resource offered(const harness::Offer& offer, const std::string& id);
  // What the check made that must be given back when it ends, pass or fail:
  // Frameworks register their roles; a check registers anything else it
  // makes outside them (ledger().add(key, what, undo)).
  harness::Ledger& ledger() { return ledger_; }

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
  // A role of this check's own: unique(prefix), given back when the check
  // ends (its volumes destroyed, its reservations unreserved), whatever made
  // them: a framework, the operator endpoints or the v1 operator API.
  std::string ownRole(const std::string& prefix);
  // Where `agent` keeps volume `id` of `role` (SV-CREATE-4: '/' in a role
  // becomes ' ').
  static std::filesystem::path volumeDir(const harness::AgentHandle& agent, const std::string& role,
                                         const std::string& id);
  // An operator endpoint answered `code` with a body that says `says`.
  static void expectAnswer(const http::Response& response, int code, const std::string& says);
  // Every status the task got so far is TASK_STARTING or TASK_RUNNING.
  static void expectUndisturbed(const harness::Framework& fw, const std::string& task_id);
  // Awaits the end of `task_id`, a task that tests what it sees and exits
  // non-zero when that is not what it expects (common_steps.hpp's
  // expectInTask and friends): anything but TASK_FINISHED fails the check
  // with `what`, the task's status and, on our agents, its stderr. This is
  // how a check asserts what only a task can see on any agent. Waits twice
  // kDefaultWait, so that the task's own waits time out first.
  static void expectTaskPasses(harness::Framework& fw, const harness::AgentHandle& agent,
                               const std::string& task_id, const std::string& what);
  // Records which of several allowed outcomes a check saw (SPEC 0), as a
  // property of the check in the report.
  void outcome(const std::string& clause, const std::string& seen);

  // The evidence (see the top of this file): `clauses` (one id or several,
  // space separated) were asserted in this run, or this part of them is
  // skipped for `reason`.
  void asserted(const std::string& clauses);
  void skipPart(const std::string& clauses, const std::string& reason);

 private:
  // The ids of `clauses` this check names; a failure for any other.
  std::vector<std::string> namedOf(const std::string& clauses, const char* what);
  void recordEvidence();
  void saveLogs();
  void releaseRole(const std::string& role);
  std::vector<std::pair<std::filesystem::path, std::uintmax_t>> log_marks_;
  std::set<std::string> asserted_;
  std::map<std::string, std::string> skipped_;  // clause -> why (the first reason given)
  bool not_run_ = false;  // SetUp found that the run had stopped
  // What the check made, undone in TearDown (harness/scenario/ledger.hpp).
  harness::Ledger ledger_{[this](const std::string& role) { releaseRole(role); }};
  std::optional<harness::LedgerScope> ledger_scope_;
};

}  // namespace svh::suites

// Names the Mesos tests a check mirrors (put it just before the SVH_CHECK).
#define SVH_MIRRORS(area, name, tests) \
  static ::svh::suites::MirrorRegistration svh_mirrors_##area##_##name(#area, #name, tests)

#define SVH_CHECK(area, name, clauses)                                                         \
  static ::svh::suites::ClauseRegistration svh_clauses_##area##_##name(#area, #name, clauses); \
  TEST_F(area, name)
