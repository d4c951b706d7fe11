#include "harness/cli/selftest_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "fakes/common/seeded_faults.hpp"

namespace svh::cli {

namespace {

std::string configName(const std::vector<std::string>& config) {
  std::string name;
  for (const auto& flag : config) {
    if (flag.rfind("--", 0) == 0) continue;
    name += (name.empty() ? "" : "-") + flag;
  }
  return name;
}

std::string joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

}  // namespace

std::vector<SelftestRun> planSelftest(const std::vector<std::string>& faults) {
  std::vector<const fakes::SeededFault*> chosen;
  if (faults.empty()) {
    for (const auto& fault : fakes::seededFaults()) chosen.push_back(&fault);
  } else {
    for (const auto& name : faults) {
      const auto* fault = fakes::findSeededFault(name);
      if (!fault) throw std::invalid_argument("unknown fault '" + name + "'");
      chosen.push_back(fault);
    }
  }
  std::vector<SelftestRun> runs;
  std::set<std::vector<std::string>> configs = {{}};
  for (const auto* fault : chosen) {
    configs.insert(std::vector<std::string>(fault->run_with.begin(), fault->run_with.end()));
  }
  for (const auto& config : configs) {
    std::string suffix = configName(config);
    runs.push_back({suffix.empty() ? "faultless" : "faultless-" + suffix, std::nullopt, "", config});
  }
  for (const auto* fault : chosen) {
    runs.push_back({std::string(fault->name), std::string(fault->name),
                    std::string(fault->clause),
                    std::vector<std::string>(fault->run_with.begin(), fault->run_with.end())});
  }
  return runs;
}

const char* runVerdictName(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::kPassed:
      return "passed";
    case RunVerdict::kDetected:
      return "detected";
    case RunVerdict::kMissed:
      return "MISSED";
    case RunVerdict::kFailed:
      return "FAILED";
    case RunVerdict::kError:
      return "ERROR";
  }
  return "?";
}

SelftestResult judgeRun(const SelftestRun& run, int exit_code, const nlohmann::json& results,
                        double seconds) {
  SelftestResult result{run};
  result.exit_code = exit_code;
  result.seconds = seconds;
  if (results.is_object()) {
    for (const auto& check : results.value("checks", nlohmann::json::array())) {
      if (check.value("verdict", "") != "failed") continue;
      std::string name = check.value("name", "");
      if (std::find(result.failed_checks.begin(), result.failed_checks.end(), name) ==
          result.failed_checks.end()) {
        result.failed_checks.push_back(name);
      }
      for (const auto& clause : check.value("clauses", nlohmann::json::array())) {
        if (clause.is_string() && clause.get<std::string>() == run.clause) {
          result.caught_by_clause = true;
        }
      }
    }
  }
  // A verdict needs a run that ended as a run (0 or 1) and said why.
  bool verdict = (exit_code == 0 || exit_code == 1) && results.is_object();
  if (!verdict) {
    result.verdict = RunVerdict::kError;
    result.note = results.is_object() ? "svharness exited with code " + std::to_string(exit_code)
                                      : "no results.json (svharness exited with code " +
                                            std::to_string(exit_code) + ")";
  } else if (!run.fault) {
    result.verdict = exit_code == 0 ? RunVerdict::kPassed : RunVerdict::kFailed;
  } else {
    result.verdict = exit_code == 1 ? RunVerdict::kDetected : RunVerdict::kMissed;
  }
  return result;
}

bool selftestPassed(const std::vector<SelftestResult>& results) {
  if (results.empty()) return false;
  return std::all_of(results.begin(), results.end(), [](const SelftestResult& r) {
    return r.verdict == RunVerdict::kPassed || r.verdict == RunVerdict::kDetected;
  });
}

std::string selftestTable(const std::vector<SelftestResult>& results, double seconds) {
  std::size_t width = 5;
  for (const auto& r : results) width = std::max(width, r.run.name.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %-14s %-9s %7s  %s\n", static_cast<int>(width), "run",
                "clause", "verdict", "seconds", "failed check");
  out += line;
  int faults = 0, detected = 0, missed = 0, errors = 0;
  for (const auto& r : results) {
    if (r.run.fault) {
      ++faults;
      if (r.verdict == RunVerdict::kDetected) ++detected;
      if (r.verdict == RunVerdict::kMissed) ++missed;
    }
    if (r.verdict == RunVerdict::kError || r.verdict == RunVerdict::kFailed) ++errors;
    std::string by = joined(r.failed_checks, " ");
    if (r.run.fault && r.verdict == RunVerdict::kDetected && !r.caught_by_clause) {
      by += " (none names " + r.run.clause + ")";
    }
    if (!r.note.empty()) by += (by.empty() ? "" : "; ") + r.note;
    std::snprintf(line, sizeof line, "%-*s  %-14s %-9s %7.1f  ", static_cast<int>(width),
                  r.run.name.c_str(), r.run.fault ? r.run.clause.c_str() : "-",
                  runVerdictName(r.verdict), r.seconds);
    out += line + by + "\n";
  }
  std::snprintf(line, sizeof line,
                "\n%d faults: %d detected, %d missed; %d runs without a verdict or failing "
                "faultless; %.0f s\n",
                faults, detected, missed, errors, seconds);
  out += line;
  out += selftestPassed(results) ? "self-test passed\n" : "self-test FAILED\n";
  return out;
}

nlohmann::ordered_json selftestJson(const std::vector<SelftestResult>& results, double seconds) {
  nlohmann::ordered_json out;
  out["format"] = 1;
  out["passed"] = selftestPassed(results);
  out["seconds"] = seconds;
  int faults = 0, detected = 0, missed = 0, errors = 0;
  auto runs = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    if (r.run.fault) {
      ++faults;
      detected += r.verdict == RunVerdict::kDetected;
      missed += r.verdict == RunVerdict::kMissed;
    }
    errors += r.verdict == RunVerdict::kError;
    nlohmann::ordered_json run;
    run["name"] = r.run.name;
    if (r.run.fault) {
      run["fault"] = *r.run.fault;
      run["clause"] = r.run.clause;
    }
    run["config"] = r.run.config;
    run["verdict"] = runVerdictName(r.verdict);
    run["exit_code"] = r.exit_code;
    run["seconds"] = r.seconds;
    run["failed_checks"] = r.failed_checks;
    run["caught_by_clause"] = r.caught_by_clause;
    if (!r.note.empty()) run["note"] = r.note;
    runs.push_back(std::move(run));
  }
  out["faults"] = faults;
  out["detected"] = detected;
  out["missed"] = missed;
  out["errors"] = errors;
  out["runs"] = std::move(runs);
  return out;
}

}  // namespace svh::cli
