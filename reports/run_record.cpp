#include "reports/run_record.hpp"

#include <algorithm>

namespace svh::reports {

const char* verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPassed:
      return "passed";
    case Verdict::kFailed:
      return "failed";
    case Verdict::kSkipped:
      return "skipped";
  }
  return "?";
}

const char* standingName(ClauseStanding standing) {
  switch (standing) {
    case ClauseStanding::kHolds:
      return "holds";
    case ClauseStanding::kViolated:
      return "violated";
    case ClauseStanding::kSkipped:
      return "skipped";
    case ClauseStanding::kNotRun:
      return "not run";
    case ClauseStanding::kNotBlackBox:
      return "not black-box";
    case ClauseStanding::kUnchecked:
      return "unchecked";
  }
  return "?";
}

namespace {

// `ids_of` picks what a check names: its clauses or the tests it mirrors.
template <typename IdsOf>
ClauseStanding standingBy(const RunRecord& run, const ClauseRecord& clause, IdsOf ids_of) {
  bool passed = false, failed = false, skipped = false;
  for (const auto& check : run.checks) {
    const std::vector<std::string>& ids = ids_of(check);
    if (std::find(ids.begin(), ids.end(), clause.id) == ids.end()) continue;
    passed |= check.verdict == Verdict::kPassed;
    failed |= check.verdict == Verdict::kFailed;
    skipped |= check.verdict == Verdict::kSkipped;
  }
  if (failed) return ClauseStanding::kViolated;
  if (passed) return ClauseStanding::kHolds;
  if (skipped) return ClauseStanding::kSkipped;
  if (!clause.named_by.empty()) return ClauseStanding::kNotRun;
  if (!clause.not_black_box.empty()) return ClauseStanding::kNotBlackBox;
  return ClauseStanding::kUnchecked;
}

}  // namespace

ClauseStanding standingOf(const RunRecord& run, const ClauseRecord& clause) {
  return standingBy(
      run, clause, [](const CheckRecord& c) -> const auto& { return c.clauses; });
}

ClauseStanding mirrorStandingOf(const RunRecord& run, const ClauseRecord& test) {
  return standingBy(
      run, test, [](const CheckRecord& c) -> const auto& { return c.mirrors; });
}

Counts countChecks(const RunRecord& run) {
  Counts counts;
  for (const auto& check : run.checks) {
    switch (check.verdict) {
      case Verdict::kPassed:
        ++counts.passed;
        break;
      case Verdict::kFailed:
        ++counts.failed;
        break;
      case Verdict::kSkipped:
        ++counts.skipped;
        break;
    }
  }
  return counts;
}

}  // namespace svh::reports
