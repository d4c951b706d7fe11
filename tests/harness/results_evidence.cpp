#include "results_evidence.hpp"

#include <algorithm>
#include <set>

namespace svh::test {

namespace {

std::set<std::string> idsOf(const nlohmann::json& list) {
  std::set<std::string> ids;
  for (const auto& id : list) ids.insert(id.get<std::string>());
  return ids;
}

bool passed(const nlohmann::json& check) {
  return check.value("verdict", "") == "passed";
}

std::string label(const nlohmann::json& check) {
  return check.value("name", "?") + " (round " + std::to_string(check.value("iteration", 0) + 1) +
         ")";
}

}  // namespace

std::vector<std::string> vacuousHolds(const nlohmann::json& results) {
  std::set<std::string> asserted;
  for (const auto& check : results.value("checks", nlohmann::json::array())) {
    if (!passed(check)) continue;
    for (const auto& id : idsOf(check.value("asserted", nlohmann::json::array()))) {
      asserted.insert(id);
    }
  }
  std::vector<std::string> problems;
  for (const auto& clause : results.value("clauses", nlohmann::json::array())) {
    const std::string id = clause.value("id", "");
    if (clause.value("standing", "") == "holds" && !asserted.count(id)) {
      problems.push_back(id + " is reported \"holds\" but no check that passed asserted it");
    }
  }
  return problems;
}

std::vector<std::string> passedAssertingNothing(const nlohmann::json& results) {
  std::vector<std::string> problems;
  for (const auto& check : results.value("checks", nlohmann::json::array())) {
    if (!passed(check)) continue;
    const auto named = idsOf(check.value("clauses", nlohmann::json::array()));
    const auto asserted = idsOf(check.value("asserted", nlohmann::json::array()));
    if (std::none_of(named.begin(), named.end(),
                     [&](const auto& id) { return asserted.count(id); })) {
      std::string ids;
      for (const auto& id : named) ids += " " + id;
      problems.push_back(label(check) + " passed asserting none of its clauses:" + ids);
    }
  }
  return problems;
}

std::vector<std::string> clausesLeftUnaccounted(const nlohmann::json& results) {
  std::vector<std::string> problems;
  for (const auto& check : results.value("checks", nlohmann::json::array())) {
    if (!passed(check)) continue;
    const auto asserted = idsOf(check.value("asserted", nlohmann::json::array()));
    std::set<std::string> skipped;
    for (const auto& part : check.value("skipped_parts", nlohmann::json::array())) {
      if (!part.value("reason", "").empty()) skipped.insert(part.value("clause", ""));
    }
    for (const auto& id : idsOf(check.value("clauses", nlohmann::json::array()))) {
      if (!asserted.count(id) && !skipped.count(id)) {
        problems.push_back(label(check) + " passed without asserting " + id +
                           " or saying why it skipped it");
      }
    }
  }
  return problems;
}

}  // namespace svh::test
