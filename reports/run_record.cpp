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
    case Verdict::kNotRun:
      return "not run";
  }
  return "?";
}

const char* standingName(ClauseStanding standing) {
  switch (standing) {
    case ClauseStanding::kHolds:
      return "holds";
    case ClauseStanding::kViolated:
      return "violated";
    case ClauseStanding::kNotAsserted:
      return "not asserted";
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

bool CheckRecord::hasAsserted(const std::string& clause) const {
  return std::find(asserted.begin(), asserted.end(), clause) != asserted.end();
}

namespace {

bool names(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// What the checks that name a clause (or mirror a Mesos test) showed of it.
struct Evidence {
  bool failed = false, asserted = false, unasserted_pass = false, skipped = false;
};

ClauseStanding standingFrom(const Evidence& seen, const ClauseRecord& clause) {
  if (seen.failed) return ClauseStanding::kViolated;
  if (seen.asserted) return ClauseStanding::kHolds;
  if (seen.unasserted_pass) return ClauseStanding::kNotAsserted;
  if (seen.skipped) return ClauseStanding::kSkipped;
  if (!clause.named_by.empty()) return ClauseStanding::kNotRun;
  if (!clause.not_black_box.empty()) return ClauseStanding::kNotBlackBox;
  return ClauseStanding::kUnchecked;
}

}  // namespace

ClauseStanding standingOf(const RunRecord& run, const ClauseRecord& clause) {
  Evidence seen;
  for (const auto& check : run.checks) {
    if (!names(check.clauses, clause.id)) continue;
    switch (check.verdict) {
      case Verdict::kFailed:
        seen.failed = true;
        break;
      case Verdict::kSkipped:
        seen.skipped = true;
        break;
      case Verdict::kNotRun:  // no evidence either way
        break;
      case Verdict::kPassed:
        if (check.hasAsserted(clause.id)) {
          seen.asserted = true;
        } else if (check.skipped_parts.count(clause.id)) {
          seen.skipped = true;
        } else {
          seen.unasserted_pass = true;
        }
        break;
    }
  }
  return standingFrom(seen, clause);
}

ClauseStanding mirrorStandingOf(const RunRecord& run, const ClauseRecord& test) {
  Evidence seen;
  for (const auto& check : run.checks) {
    if (!names(check.mirrors, test.id)) continue;
    switch (check.verdict) {
      case Verdict::kFailed:
        seen.failed = true;
        break;
      case Verdict::kSkipped:
        seen.skipped = true;
        break;
      case Verdict::kNotRun:  // no evidence either way
        break;
      case Verdict::kPassed:
        if (!check.asserted.empty()) {
          seen.asserted = true;
        } else if (!check.skipped_parts.empty()) {
          seen.skipped = true;
        } else {
          seen.unasserted_pass = true;
        }
        break;
    }
  }
  return standingFrom(seen, test);
}

std::vector<std::string> assertedBy(const RunRecord& run, const std::string& clause) {
  std::vector<std::string> out;
  for (const auto& check : run.checks) {
    if (check.verdict == Verdict::kPassed && check.hasAsserted(clause) && !names(out, check.name)) {
      out.push_back(check.name);
    }
  }
  return out;
}

std::vector<std::string> skipReasonsFor(const RunRecord& run, const std::string& clause) {
  std::vector<std::string> out;
  for (const auto& check : run.checks) {
    if (!names(check.clauses, clause)) continue;
    std::string reason;
    if (check.verdict == Verdict::kSkipped) {
      reason = check.skip_reason;
    } else if (auto it = check.skipped_parts.find(clause); it != check.skipped_parts.end()) {
      reason = it->second;
    } else {
      continue;
    }
    std::string entry = check.name + ": " + reason;
    if (!names(out, entry)) out.push_back(entry);
  }
  return out;
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
      case Verdict::kNotRun:
        ++counts.not_run;
        break;
    }
  }
  return counts;
}

}  // namespace svh::reports
