#pragma once
// The data-driven suite: every fixtures/scenarios/*.json file is one check,
// Scenario.<name>, carrying the clause ids the file lists.

#include <vector>

#include "harness/scenario/scenario.hpp"

namespace svh::suites {

// Registers one googletest test per scenario (call before RUN_ALL_TESTS).
void registerScenarios(std::vector<harness::scenario::Scenario> scenarios);

}  // namespace svh::suites
