#pragma once
// Plays a Scenario against a cluster with the story API: each step becomes
// the calls and waits a hand-written check would make. A failing step throws
// CheckFailure or AwaitTimeout whose message starts with the step
// ("steps[3].destroy: ...").

#include <optional>
#include <string>

#include "harness/client/scheduler_client.hpp"
#include "harness/cluster/cluster.hpp"
#include "harness/scenario/scenario.hpp"

namespace svh::harness::scenario {

// Why this cluster cannot run the scenario (too few agents, external agents
// for steps that read an agent's disk, a master we did not start for
// restart_master), or nullopt.
std::optional<std::string> skipReason(const Scenario& scenario, Cluster& cluster);

// `prefix` makes the scenario's roles unique to this check.
void runScenario(const Scenario& scenario, Cluster& cluster, ContentType content_type,
                 const std::string& prefix);

}  // namespace svh::harness::scenario
