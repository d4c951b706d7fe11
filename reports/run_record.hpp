#pragma once
// What one svharness run did, as the report writers need it: the run's
// settings, every check's verdict (one record per check per --gtest_repeat
// round) and the SPEC clauses the checks are measured against. Filled by
// RunRecorder (recorder.hpp) and by main once the exit code is known.

#include <map>
#include <string>
#include <vector>

namespace svh::reports {

enum class Verdict { kPassed, kFailed, kSkipped };
const char* verdictName(Verdict verdict);  // "passed", "failed", "skipped"

struct CheckRecord {
  std::string name;   // "Area.Name"
  int iteration = 0;  // --gtest_repeat round, from 0
  Verdict verdict = Verdict::kPassed;
  std::vector<std::string> clauses;  // SPEC clause ids the check names
  std::vector<std::string> mirrors;  // Mesos tests it mirrors
  double seconds = 0;
  std::string failure;      // every failed assertion, "file:line: message", one per line
  std::string skip_reason;  // why it skipped
  // What the check saw where SPEC allows more than one outcome
  // (Check::outcome): clause id -> outcome.
  std::map<std::string, std::string> outcomes;
};

struct ClauseRecord {
  std::string id;
  std::string summary;
  std::string not_black_box;          // why no check can see it; empty if checkable
  std::vector<std::string> named_by;  // every check that names it, run or not
};

struct RunRecord {
  // The run's settings, in the order they are shown ("master" -> "builtin").
  std::vector<std::pair<std::string, std::string>> settings;
  std::string started_at;  // UTC, ISO 8601
  double seconds = 0;
  int exit_code = 0;
  std::string exit_meaning;  // "every check passed", "a check failed", ...
  // svharness and the flags that reproduce this run's cluster and settings
  // (no --gtest_* flags, no --report-dir): the base of each repro script.
  std::vector<std::string> rerun_command;
  std::vector<CheckRecord> checks;
  std::vector<ClauseRecord> clauses;
  // The Mesos tests of SPEC 2.1/2.2, as ClauseRecords whose named_by are the
  // checks that mirror them.
  std::vector<ClauseRecord> mesos_tests;
};

// A clause's standing in a run, from the checks that name it.
enum class ClauseStanding {
  kHolds,        // a check naming it passed and none failed
  kViolated,     // a check naming it failed
  kSkipped,      // every check naming it skipped
  kNotRun,       // checks name it, none ran (e.g. --gtest_filter)
  kNotBlackBox,  // no check can see it (with a reason)
  kUnchecked,    // checkable, and no check names it
};
const char* standingName(ClauseStanding standing);
ClauseStanding standingOf(const RunRecord& run, const ClauseRecord& clause);
// The same for a Mesos test, from the checks that mirror it.
ClauseStanding mirrorStandingOf(const RunRecord& run, const ClauseRecord& test);

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
  int total() const { return passed + failed + skipped; }
};
Counts countChecks(const RunRecord& run);

}  // namespace svh::reports
