#pragma once
// ACCEPT as a decision (Mesos Master::_accept): from the accepted offers'
// resources, the operations and the facts about the agent and the
// framework, an ordered list of effects for the master to carry out. No
// state, no messages: every rule of SPEC that shapes an ACCEPT is here and
// unit-tested clause by clause (tests/fakes/accept_plan_test.cpp):
//   * operations are applied in order to what is left of the offers; an
//     invalid one is dropped (SPEC "Dropped"), an invalid task gets
//     TASK_ERROR;
//   * tasks of a LAUNCH may use the offered shared copies again
//     (SV-LAUNCH-1; the extra copies join the allocation, SV-LAUNCH-2); a
//     LAUNCH_GROUP may not (SV-LAUNCH-7);
//   * CREATE and DESTROY reset those copies to what is left (SV-CREATE-3,
//     SV-LAUNCH-8);
//   * a DESTROY is refused while any task or executor on the agent uses the
//     volume, including tasks launched earlier in this ACCEPT (SV-DESTROY-1,
//     SV-DESTROY-4); in mesos-1.1 also while a later task of this ACCEPT
//     lists it; it first rescinds every other outstanding offer on the agent
//     that holds the volume (SV-DESTROY-5/6), and must remove every copy the
//     offers hold (SV-DESTROY-3);
//   * what no operation used is declined with the call's filters, except
//     what the operations produced (SV-OFFER-6).

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "fakes/master/core/in_use.hpp"
#include "fakes/master/core/profile.hpp"
#include "fakes/master/core/validation.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master {

using fakes::Resources;

// Another outstanding offer on the agent (the accepted ones are gone).
struct HeldOffer {
  std::string id;
  std::string framework_id;
  Resources resources;  // allocated
};

// What the planner needs to know, read from the master's state.
struct AcceptFacts {
  mesos::v1::FrameworkInfo framework;  // with id
  std::string role;                    // the accepted offers' allocation role
  std::string agent_id;
  validation::AgentCapabilities agent_capabilities;
  bool agent_connected = true;
  // "; on agent <id> at <pid> (<hostname>)": appended to the errors of
  // RESERVE, UNRESERVE, CREATE, DESTROY, GROW and SHRINK.
  std::string on_agent;
  // Mesos's text for offer operations on an agent without RESOURCE_PROVIDER
  // ("Not supported on agent ... because it does not have ...").
  std::string agent_description;  // "<id> at <pid> (<hostname>)"
  Resources offered;               // the accepted offers, summed (allocated)
  Resources agent_total;           // with checkpointed resources applied
  Resources checkpointed;          // dynamic reservations and volumes
  std::vector<ResourceUse> uses;   // tasks and executors on the agent
  std::vector<HeldOffer> other_offers;
  // The framework's executors known on the agent, by executor id.
  std::map<std::string, mesos::v1::ExecutorInfo> executors;
  // Whether the framework already has a task with this id, live or
  // unreachable (Mesos findTask / unreachableTasks).
  std::function<bool(const std::string&)> task_known;
  std::function<bool(const std::string&)> task_unreachable;
  // The drop message if --acls refuse the (valid) operation (PV-DESTROY-4).
  std::function<std::optional<std::string>(const mesos::v1::Offer::Operation&)> refused;
  Profile profile;
  fakes::Faults faults;
};

namespace effect {

// Dropped with this message (SPEC "Dropped": logged, counted, and an
// OPERATION_ERROR if the operation has an id).
struct Drop {
  mesos::v1::Offer::Operation operation;
  std::string message;
};
// A status the master makes for a task (TASK_ERROR, TASK_LOST/DROPPED).
struct TaskUpdate {
  std::string task_id;
  std::string agent_id;  // as the task named it
  mesos::v1::TaskState state;
  mesos::v1::TaskStatus::Reason reason;
  std::string message;
};
// An operation of a kind this master ignores ("Ignoring unknown operation").
struct Ignore {};
// Rescind this outstanding offer (SV-DESTROY-5).
struct Rescind {
  std::string offer_id;
};
// Apply RESERVE/UNRESERVE/CREATE/DESTROY/GROW/SHRINK to the agent.
struct Apply {
  mesos::v1::Offer::Operation operation;
};
// Launch one task (of a LAUNCH): with its executor if `launch_executor`.
// `additional`: shared copies beyond those offered (SV-LAUNCH-2).
struct Launch {
  mesos::v1::TaskInfo task;
  bool launch_executor = true;
  Resources additional;
};
// Launch a task group on its executor.
struct LaunchGroup {
  mesos::v1::ExecutorInfo executor;
  mesos::v1::TaskGroupInfo group;
  bool launch_executor = true;
};
// Decline these resources for `refuse_seconds` (the implicit decline).
struct Decline {
  Resources resources;  // allocated
  double refuse_seconds = 5;
};

}  // namespace effect

using Effect = std::variant<effect::Drop, effect::TaskUpdate, effect::Ignore, effect::Rescind,
                            effect::Apply, effect::Launch, effect::LaunchGroup, effect::Decline>;

// The effects of an ACCEPT whose offers were valid, in the order the
// master carries them out.
std::vector<Effect> planAccept(const AcceptFacts& facts,
                               const mesos::v1::scheduler::Call::Accept& accept);

// The agent's total after a RESERVE/UNRESERVE/CREATE/DESTROY/GROW/SHRINK
// (allocation info stripped), and the part of a total the agent
// checkpoints (dynamic reservations and persistent volumes).
Result<Resources> agentTotalAfter(const Resources& total,
                                  const mesos::v1::Offer::Operation& operation);
Resources checkpointedPart(const Resources& total);

}  // namespace svh::master
