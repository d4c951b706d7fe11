#include "suites/scenarios.hpp"

#include <cctype>
#include <memory>

#include "harness/scenario/scenario_runner.hpp"
#include "suites/check.hpp"

namespace svh::suites {

namespace {

class ScenarioCheck : public Check {
 public:
  explicit ScenarioCheck(std::shared_ptr<const harness::scenario::Scenario> scenario)
      : scenario_(std::move(scenario)) {}

  void TestBody() override {
    if (auto why = harness::scenario::skipReason(*scenario_, cluster())) GTEST_SKIP() << *why;
    std::string prefix = unique("scn");
    // The steps' "asserts" are this check's evidence, step by step.
    harness::scenario::Evidence evidence{
        [this](const std::string& clause) { asserted(clause); },
        [this](const std::string& clause, const std::string& why) { skipPart(clause, why); }};
    harness::scenario::runScenario(*scenario_, cluster(), harness::runOptions().content_type,
                                   prefix, evidence);
  }

 private:
  std::shared_ptr<const harness::scenario::Scenario> scenario_;
};

}  // namespace

void registerScenarios(std::vector<harness::scenario::Scenario> scenarios) {
  for (auto& scenario : scenarios) {
    auto shared = std::make_shared<const harness::scenario::Scenario>(std::move(scenario));
    std::string clauses;
    for (const auto& clause : shared->clauses) clauses += (clauses.empty() ? "" : " ") + clause;
    clauseRegistry()["Scenario." + shared->name] = clauses;
    if (!shared->mirrors.empty()) mirrorRegistry()["Scenario." + shared->name] = shared->mirrors;
    ::testing::RegisterTest("Scenario", shared->name.c_str(), nullptr, nullptr,
                            shared->file.c_str(), 1,
                            [shared]() -> Check* { return new ScenarioCheck(shared); });
  }
}

}  // namespace svh::suites
