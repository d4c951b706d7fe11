#include "reports/results_json.hpp"

namespace svh::reports {

nlohmann::ordered_json resultsJson(const RunRecord& run) {
  nlohmann::ordered_json out;
  out["format"] = 2;
  out["started_at"] = run.started_at;
  out["seconds"] = run.seconds;
  out["exit_code"] = run.exit_code;
  out["exit_meaning"] = run.exit_meaning;
  auto& settings = out["settings"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : run.settings) settings[key] = value;
  const Counts counts = countChecks(run);
  out["counts"] = {{"checks", counts.total()},
                   {"passed", counts.passed},
                   {"failed", counts.failed},
                   {"skipped", counts.skipped},
                   {"not_run", counts.not_run}};
  auto& checks = out["checks"] = nlohmann::ordered_json::array();
  for (const auto& check : run.checks) {
    nlohmann::ordered_json c;
    c["name"] = check.name;
    c["iteration"] = check.iteration;
    c["verdict"] = verdictName(check.verdict);
    c["clauses"] = check.clauses;
    c["mirrors"] = check.mirrors;
    c["seconds"] = check.seconds;
    if (!check.failure.empty()) c["failure"] = check.failure;
    if (!check.skip_reason.empty()) c["skip_reason"] = check.skip_reason;
    if (!check.outcomes.empty()) c["outcomes"] = check.outcomes;
    c["asserted"] = check.asserted;
    auto& skipped = c["skipped_parts"] = nlohmann::ordered_json::array();
    for (const auto& [clause, reason] : check.skipped_parts) {
      skipped.push_back({{"clause", clause}, {"reason", reason}});
    }
    c["not_asserted"] = check.not_asserted;
    checks.push_back(std::move(c));
  }
  auto& clauses = out["clauses"] = nlohmann::ordered_json::array();
  for (const auto& clause : run.clauses) {
    nlohmann::ordered_json c;
    c["id"] = clause.id;
    c["summary"] = clause.summary;
    c["standing"] = standingName(standingOf(run, clause));
    c["checks"] = clause.named_by;
    c["asserted_by"] = assertedBy(run, clause.id);
    const auto reasons = skipReasonsFor(run, clause.id);
    if (!reasons.empty()) c["skip_reasons"] = reasons;
    if (!clause.not_black_box.empty()) c["not_black_box"] = clause.not_black_box;
    clauses.push_back(std::move(c));
  }
  auto& tests = out["mesos_tests"] = nlohmann::ordered_json::array();
  for (const auto& test : run.mesos_tests) {
    nlohmann::ordered_json t;
    t["test"] = test.id;
    t["standing"] = standingName(mirrorStandingOf(run, test));
    t["checks"] = test.named_by;
    if (!test.not_black_box.empty()) t["not_black_box"] = test.not_black_box;
    tests.push_back(std::move(t));
  }
  return out;
}

}  // namespace svh::reports
