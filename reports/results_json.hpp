#pragma once
// results.json: the run as data, for tools (ARCHITECTURE.md, "Report dir").
// Shape (format 2):
//   {"format": 2, "started_at", "seconds", "exit_code", "exit_meaning",
//    "settings": {...}, "counts": {"checks", "passed", "failed", "skipped"},
//    "checks": [{"name", "iteration", "verdict", "clauses", "mirrors",
//                "seconds", "failure"?, "skip_reason"?, "outcomes"?,
//                "asserted", "skipped_parts": [{"clause", "reason"}],
//                "not_asserted"}],
//    "clauses": [{"id", "summary", "standing", "checks", "asserted_by",
//                 "skip_reasons"?, "not_black_box"?}],
//    "mesos_tests": [{"test", "standing", "checks", "not_black_box"?}]}
// Format 2 (was 1): a clause's standing is "holds" only if a check that
// passed asserted it in this run (run_record.hpp), and "not asserted" when
// checks naming it passed without asserting it; the checks' evidence
// fields and the clauses' asserted_by and skip_reasons are new. A Mesos
// test's standing comes from the checks that mirror it.

#include <nlohmann/json.hpp>

#include "reports/run_record.hpp"

namespace svh::reports {

nlohmann::ordered_json resultsJson(const RunRecord& run);

}  // namespace svh::reports
