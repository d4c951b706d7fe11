#pragma once
// Reads fixtures/scenarios/*.json into Scenario values, checking everything
// before any cluster starts: a malformed file is reported with the file, the
// JSON path and what was expected there, e.g.
//   fixtures/scenarios/x.json: $.steps[2].launch.tasks[0].command: expected a string

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "harness/scenario/scenario.hpp"

namespace svh::harness::scenario {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Scenario loadScenario(const std::filesystem::path& file);
// Every *.json in `dir`, by file name. Throws on the first bad file.
std::vector<Scenario> loadScenarios(const std::filesystem::path& dir);

}  // namespace svh::harness::scenario
