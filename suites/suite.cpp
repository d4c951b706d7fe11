#include "suites/suite.hpp"

#include "harness/scenario/scenario_loader.hpp"
#include "suites/scenarios.hpp"

namespace svh::suites {

std::filesystem::path defaultScenarioDir() {
  return SVH_SCENARIO_DIR;
}

void install(const harness::RunOptions& options, const std::filesystem::path& scenario_dir) {
  registerScenarios(harness::scenario::loadScenarios(scenario_dir));
  harness::runOptions() = options;
  // googletest owns and deletes the environment.
  ::testing::AddGlobalTestEnvironment(new harness::ClusterEnvironment);
}

}  // namespace svh::suites
