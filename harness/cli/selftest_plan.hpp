#pragma once
// The pure parts of svharness --selftest: which runs make up a self-test,
// what each run's outcome means, and how the result reads (table, JSON).
// The processes are started by selftest.cpp.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace svh::cli {

// One svharness run of the self-test.
struct SelftestRun {
  std::string name;               // "faultless" or the fault's name; also its report dir
  std::optional<std::string> fault;  // none for a faultless run
  std::string clause;             // the clause the fault breaks
  // svharness flags of the run's configuration (e.g. --profile mesos-1.1),
  // the same for a fault's run and the faultless run it is compared with.
  std::vector<std::string> config;
};

// The faultless runs (one per configuration the chosen faults need; the
// default configuration always) and one run per fault. `faults`: names to
// plant (every catalogued fault when empty); an unknown name throws
// std::invalid_argument.
std::vector<SelftestRun> planSelftest(const std::vector<std::string>& faults);

enum class RunVerdict {
  kPassed,    // faultless run: every check passed
  kDetected,  // fault run: a check failed (exit 1)
  kMissed,    // fault run: no check failed (exit 0)
  kFailed,    // faultless run: a check failed (the suite or the fakes are wrong)
  kError,     // no verdict (exit 2, 3, 130, killed, no results.json)
};
const char* runVerdictName(RunVerdict verdict);

struct SelftestResult {
  SelftestRun run;
  RunVerdict verdict = RunVerdict::kError;
  int exit_code = -1;
  double seconds = 0;
  std::vector<std::string> failed_checks;  // checks that failed, in run order
  // Whether a failed check names the fault's clause (the fault was caught
  // where the suite says it checks it, not only as a side effect).
  bool caught_by_clause = false;
  std::string note;  // why there is no verdict, for kError
};

// Judges one finished run from its exit code and its results.json (null
// when it could not be read).
SelftestResult judgeRun(const SelftestRun& run, int exit_code, const nlohmann::json& results,
                        double seconds);

// Whether the self-test passed: every faultless run passed, every fault was
// detected.
bool selftestPassed(const std::vector<SelftestResult>& results);

// The table svharness prints, one row per run, and the summary line.
std::string selftestTable(const std::vector<SelftestResult>& results, double seconds);

// selftest.json (format 1): {"format", "passed", "seconds", "faults": N,
// "detected", "missed", "errors", "runs": [{"name", "fault"?, "clause"?,
// "config", "verdict", "exit_code", "seconds", "failed_checks",
// "caught_by_clause", "note"?}]}.
nlohmann::ordered_json selftestJson(const std::vector<SelftestResult>& results, double seconds);

}  // namespace svh::cli
