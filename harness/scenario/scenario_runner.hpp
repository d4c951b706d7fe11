#pragma once
// Plays a Scenario against a cluster with the story API: each step becomes
// the calls and waits a hand-written check would make. A failing step throws
// CheckFailure or AwaitTimeout whose message starts with the step
// ("steps[3].destroy: ...").

#include <functional>
#include <optional>
#include <string>

#include "harness/client/scheduler_client.hpp"
#include "harness/cluster/cluster.hpp"
#include "harness/scenario/scenario.hpp"

namespace svh::harness::scenario {

// Why this cluster cannot run the scenario (too few agents, external agents
// for restart_agent, a master we did not start for restart_master), or
// nullopt.
std::optional<std::string> skipReason(const Scenario& scenario, Cluster& cluster);

// Where the runner hands its evidence: the clauses of a step's "asserts"
// once that step has run and held, and those of a step it could not run on
// this cluster (a step that reads the disk of an external agent: it only
// observes, so the steps after it run as written), with the reason.
struct Evidence {
  std::function<void(const std::string& clause)> asserted;
  std::function<void(const std::string& clause, const std::string& reason)> skipped;
};

// `prefix` makes the scenario's roles unique to this check.
void runScenario(const Scenario& scenario, Cluster& cluster, ContentType content_type,
                 const std::string& prefix, const Evidence& evidence);

}  // namespace svh::harness::scenario
