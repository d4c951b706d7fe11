#pragma once
// results.json: the run as data, for tools (ARCHITECTURE.md, "Report dir").
// Shape (format 1):
//   {"format": 1, "started_at", "seconds", "exit_code", "exit_meaning",
//    "settings": {...}, "counts": {"checks", "passed", "failed", "skipped"},
//    "checks": [{"name", "iteration", "verdict", "clauses", "mirrors",
//                "seconds", "failure"?, "skip_reason"?, "outcomes"?}],
//    "clauses": [{"id", "summary", "standing", "checks", "not_black_box"?}],
//    "mesos_tests": [{"test", "standing", "checks", "not_black_box"?}]}
// A Mesos test's standing comes from the checks that mirror it.

#include <nlohmann/json.hpp>

#include "reports/run_record.hpp"

namespace svh::reports {

nlohmann::ordered_json resultsJson(const RunRecord& run);

}  // namespace svh::reports
