#pragma once
// Which resources on an agent are in use (Mesos Slave::usedResources): what
// a DESTROY may not take away (SV-DESTROY-1, SV-HTTP-2). Every task that
// has not reached a terminal state, from the moment it is launched
// (TASK_STAGING), and every executor the master launched use their
// resources, whichever framework they belong to.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "harness/wire/task_states.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master {

// One task or executor on the agent and what it holds.
struct ResourceUse {
  std::string framework_id;
  std::optional<mesos::v1::TaskState> task_state;  // none for an executor
  fakes::Resources resources;                      // allocated
};

using wire::isTerminalState;
// Whether a task in `state` still holds its resources: until its first
// terminal update (Mesos updateTask).
inline bool holdsResources(mesos::v1::TaskState state) { return !isTerminalState(state); }

// The resources in use on the agent, per framework id.
std::map<std::string, fakes::Resources> usedByFramework(const std::vector<ResourceUse>& uses,
                                                        const fakes::Faults& faults = {});

}  // namespace svh::master
