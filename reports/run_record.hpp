#pragma once
// What one svharness run did, as the report writers need it: the run's
// settings, every check's verdict (one record per check per --gtest_repeat
// round) and the SPEC clauses the checks are measured against. Filled by
// RunRecorder (recorder.hpp) and by main once the exit code is known.

#include <map>
#include <string>
#include <vector>

namespace svh::reports {

// kNotRun: never ran because the run had stopped (a process of the run died).
enum class Verdict { kPassed, kFailed, kSkipped, kNotRun };
const char* verdictName(Verdict verdict);  // "passed", "failed", "skipped", "not run"

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
  // The evidence (suites/check.hpp): the clauses it asserted in this run,
  // those it skipped (a part of) with the reason, and those it names but
  // neither asserted nor skipped (empty for a check skipped as a whole: its
  // skip_reason covers them).
  std::vector<std::string> asserted;
  std::map<std::string, std::string> skipped_parts;  // clause id -> why
  std::vector<std::string> not_asserted;

  bool hasAsserted(const std::string& clause) const;
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

// A clause's standing in a run, from the checks that name it and what each
// asserted (the first that applies):
enum class ClauseStanding {
  kViolated,     // a check naming it failed
  kHolds,        // a check that passed asserted it
  kNotAsserted,  // a check naming it passed without asserting or skipping it
  kSkipped,      // the checks naming it skipped it (as a whole or that part), with reasons
  kNotRun,       // checks name it, none ran (e.g. --gtest_filter)
  kNotBlackBox,  // no check can see it (with a reason)
  kUnchecked,    // checkable, and no check names it
};
const char* standingName(ClauseStanding standing);
ClauseStanding standingOf(const RunRecord& run, const ClauseRecord& clause);
// The same for a Mesos test, from the checks that mirror it: a mirroring
// check that passed counts as "holds" only if it asserted a clause.
ClauseStanding mirrorStandingOf(const RunRecord& run, const ClauseRecord& test);
// The checks (once each, in run order) that asserted `clause` and passed,
// and the reasons checks gave for skipping it ("Area.Name: why").
std::vector<std::string> assertedBy(const RunRecord& run, const std::string& clause);
std::vector<std::string> skipReasonsFor(const RunRecord& run, const std::string& clause);

struct Counts {
  int passed = 0, failed = 0, skipped = 0, not_run = 0;
  int total() const { return passed + failed + skipped + not_run; }
};
Counts countChecks(const RunRecord& run);

}  // namespace svh::reports
