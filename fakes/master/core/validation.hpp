#pragma once
// The Mesos 1.12 master's validation (src/master/validation.cpp) as pure
// functions over plain data, with Mesos's exact error texts, so the
// reference master refuses exactly what a real master refuses and says the
// same. Nothing here looks at master state: callers pass what a check
// needs (checkpointed resources, used resources, the framework, ...).
//
// How the master uses the results (see SPEC.md "Dropped"): a RESERVE,
// UNRESERVE, CREATE, DESTROY, GROW or SHRINK error inside an ACCEPT gets
// "; on agent <agent>" appended and the operation is dropped (Mesos 1.10+
// appends it to UNRESERVE errors too, although SPEC.md does not list
// UNRESERVE); the operator endpoints answer 400 with
// "Invalid <TYPE> operation[ on agent <agent>]: <error>"; a task error is a
// TASK_ERROR with REASON_TASK_INVALID (REASON_TASK_GROUP_INVALID for
// LAUNCH_GROUP). Operation resources must first go through
// fakes::validateAndUpgradeResources() and get the offer's allocation info,
// as the Mesos master does before validating.
//
// One file per concern implements this header (tests/fakes/ is split the
// same way):
//   * capabilities.cpp: AgentCapabilities, framework capabilities and roles;
//   * common_validation.cpp: Mesos common::validation (src/common/
//     validation.cpp): commands, containers, checks, scalars, offer filters;
//   * resource_list_validation.cpp: Resources (validation::resource);
//   * operation_validation.cpp: offer operations (validation::operation);
//   * task_validation.cpp: tasks, task groups, executors;
//   * scheduler_validation.cpp: frameworks, scheduler calls, offers;
//   * operator_call_validation.cpp: operator calls;
//   * validation_support.hpp/.cpp: what several of them share (internal).

#include <google/protobuf/repeated_field.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "harness/util/result.hpp"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::master::validation {

using fakes::Resources;
using ResourceList = google::protobuf::RepeatedPtrField<mesos::v1::Resource>;
using FrameworkInfo = mesos::v1::FrameworkInfo;

// The authenticated principal of the caller (framework principal on the
// scheduler API, HTTP principal on the operator API), if any.
using Principal = std::optional<std::string>;

// An agent's capabilities (AgentInfo.Capability, sent next to AgentInfo in
// (Re)RegisterSlaveMessage). The first six fields keep this order.
struct AgentCapabilities {
  bool multi_role = false;
  bool hierarchical_role = false;
  bool reservation_refinement = false;
  bool resource_provider = false;
  bool resize_volume = false;
  bool agent_operation_feedback = false;
  bool agent_draining = false;
  bool task_resource_limits = false;
};

// From the raw AgentInfo.Capability.Type numbers (MULTI_ROLE=1 ...
// TASK_RESOURCE_LIMITS=8); unknown numbers are ignored.
AgentCapabilities agentCapabilities(const std::vector<int>& types);

// FrameworkInfo helpers (Mesos protobuf::frameworkHasCapability and
// protobuf::framework::getRoles): MULTI_ROLE frameworks use `roles`,
// others their single `role` (default "*").
bool hasCapability(const FrameworkInfo& framework, mesos::v1::FrameworkInfo::Capability::Type type);
std::set<std::string> frameworkRoles(const FrameworkInfo& framework);

// Mesos common::validation::validateInputScalarValue: a scalar an operator
// or framework gives (resources, quota) must be finite, normal and not
// negative: "Infinite values not supported", "NaN not supported",
// "Subnormal values not supported", "Negative values not supported".
Problem validateInputScalarValue(double value);

// ---------------------------------------------------------------------------
// Resources (Mesos validation::resource)

// Mesos resource::validate, used on every operation, task and executor
// resource list: validateResources() ("Invalid resources: ..."), whole
// gpus ("Invalid 'gpus' resource: ..."), DiskInfo rules ("Invalid DiskInfo:
// ..."; PV-CREATE-1/2) and dynamic reservations not revocable ("Invalid
// ReservationInfo: ...").
Problem validateResourceList(const ResourceList& resources);

// "Persistence ID '<id>' is not unique" when two volumes of one role share
// an id (PV-CREATE-3). Identical shared volumes collapse into one entry in
// a Resources value and so never count as duplicates of each other.
Problem validateUniquePersistenceIds(const Resources& resources);
// PV-CREATE-3 for a CREATE: no volume of `volumes` has the persistence id of
// a checkpointed volume of its role or of another in the list. Compared as a
// list, not as Resources: an identical shared duplicate added to Resources
// only counts a second copy, which Mesos's check (checkpointed + volumes)
// misses, and its master later aborts on.
Problem validateNewPersistenceIds(const Resources& checkpointed, const ResourceList& volumes);

// All resources allocated to one role (PV-CREATE-5, RES-3): "The resources
// are not allocated to a role" / "The resources have multiple allocation
// roles ('<b>' and '<a>') but only one allocation role is allowed".
Problem validateAllocatedToSingleRole(const Resources& resources);

// "Some resources have a resource provider and some do not" / "The
// resources have multiple resource providers: <ids>". Like Mesos, an empty
// list fails with the second message.
Problem validateSingleResourceProvider(const ResourceList& resources);

// Each resource is a persistent volume with `volume` set, not RO
// (PV-DESTROY-1, SV-RO-1, SV-RO-6).
Problem validatePersistentVolumes(const ResourceList& resources, bool read_only_allowed = false);

// "Cannot use both revocable and non-revocable '<name>' at the same time".
Problem validateRevocableAndNonRevocable(const Resources& resources);

// ---------------------------------------------------------------------------
// Offer operations (Mesos validation::operation). `framework` is null on the
// operator API (SV-CAP-3: capability and allocation checks only apply to
// frameworks).

// RES-1, RES-2, RES-3, RES-4.
Problem validateReserve(const mesos::v1::Offer::Operation::Reserve& reserve,
                        const Principal& principal, const AgentCapabilities& agent,
                        const FrameworkInfo* framework = nullptr);

// RES-1 ("Resource <r> is not dynamically reserved"), PV-UNRESERVE-1.
Problem validateUnreserve(const mesos::v1::Offer::Operation::Unreserve& unreserve,
                          const FrameworkInfo* framework = nullptr,
                          const fakes::Faults& faults = {});

// SV-CREATE-1, SV-CAP-2 (only when `framework` is given, SV-CAP-3),
// SV-RO-1, PV-CREATE-1..5. `checkpointed`: the agent's checkpointed
// resources, for unique persistence ids.
// `shared_needs_capability` is false only in the mesos-1.1 profile, which
// had no SV-CAP-2 check.
Problem validateCreate(const mesos::v1::Offer::Operation::Create& create,
                       const Resources& checkpointed, const Principal& principal,
                       const AgentCapabilities& agent, const FrameworkInfo* framework = nullptr,
                       bool shared_needs_capability = true, const fakes::Faults& faults = {});

// SV-DESTROY-1, SV-RO-6, PV-DESTROY-1, PV-DESTROY-2, SV-HTTP-2. `used`:
// resources of tasks and executors on the agent per framework id, allocated
// or not (compared unallocated): "Persistent volumes in use".
Problem validateDestroy(const mesos::v1::Offer::Operation::Destroy& destroy,
                        const Resources& checkpointed, const std::map<std::string, Resources>& used,
                        const FrameworkInfo* framework = nullptr);

// SV-DESTROY-4, Mesos 1.1 only: "Persistent volume in pending tasks" when
// a task still pending on the agent (in 1.1: a LAUNCH later in the same
// ACCEPT) lists a volume being destroyed. `pending`: each such task's
// resources plus its executor's.
Problem validateDestroyPendingTasks(const mesos::v1::Offer::Operation::Destroy& destroy,
                                    const std::vector<Resources>& pending);

// SV-RESIZE-1 ("Growing a shared persistent volume is not supported").
Problem validateGrowVolume(const mesos::v1::Offer::Operation::GrowVolume& grow,
                           const AgentCapabilities& agent);
// SV-RESIZE-1 ("Shrinking a shared persistent volume is not supported").
Problem validateShrinkVolume(const mesos::v1::Offer::Operation::ShrinkVolume& shrink,
                             const AgentCapabilities& agent);

// ---------------------------------------------------------------------------
// Tasks (Mesos validation::task and validation::executor)

// What task validation needs to know about the framework and the agent.
struct TaskContext {
  // The launching framework, with its id. Before validating, the master
  // sets `executor.framework_id` to it on LAUNCH tasks that lack one.
  const FrameworkInfo* framework = nullptr;
  std::string agent_id;
  AgentCapabilities agent_capabilities;  // task_resource_limits matters
  // Whether this framework already has a task with this id ("Task has
  // duplicate ID: <id>"), and, optionally, an unreachable one ("Task reuses
  // the ID of an unreachable task: <id>").
  std::function<bool(const std::string&)> task_id_in_use;
  std::function<bool(const std::string&)> task_id_unreachable;
  // The framework's executors already known on this agent, by executor id.
  // A task for a known executor must repeat the same ExecutorInfo, and the
  // executor's resources are not needed again.
  std::map<std::string, mesos::v1::ExecutorInfo> executors;
};

// Mesos task::validate for LAUNCH: ids, kill policy, checks, resources,
// command/container, limits, then the executor (SV-LAUNCH-5: "Executor
// resources <r> should not contain any shared resources") and finally
// "Total resources <r> required by task and its executor is more than
// available <a>" (SV-LAUNCH-6). `available` is what the ACCEPT has left,
// non-shared remaining plus the offered shared copies (SV-LAUNCH-1).
Problem validateTask(const mesos::v1::TaskInfo& task, const TaskContext& context,
                     const Resources& available);

// Mesos task::group::validate for LAUNCH_GROUP: each task ("Task '<id>' is
// invalid: ..."), the executor (type, minimum cpus/mem, some disk), and
// "Total resources <r> required by task group and its executor are more
// than available <a>" against `available` = the remaining resources, with
// no add-back of shared copies (SV-LAUNCH-7).
Problem validateTaskGroup(const mesos::v1::TaskGroupInfo& group,
                          const mesos::v1::ExecutorInfo& executor, const TaskContext& context,
                          const Resources& available);

// Mesos executor::validate: type vs command/container, id, shutdown grace
// period, command environment, container.
Problem validateExecutorInfo(const mesos::v1::ExecutorInfo& executor);

// ---------------------------------------------------------------------------
// Frameworks (Mesos validation::framework)

// SUBSCRIBE: roles vs role per MULTI_ROLE, duplicate roles, role names,
// framework id format, offer filters, failover_timeout.
Problem validateFrameworkInfo(const FrameworkInfo& framework);

// Re-subscription or UPDATE_FRAMEWORK: principal, user and checkpoint cannot
// change.
Problem validateFrameworkUpdate(const FrameworkInfo& old_info, const FrameworkInfo& new_info);

// "Suppressed roles { a, b } are not contained in the set of roles".
Problem validateSuppressedRoles(const std::set<std::string>& roles,
                                const std::set<std::string>& suppressed);

// ---------------------------------------------------------------------------
// Scheduler calls (Mesos validation::scheduler::call::validate), run before
// the call is handled; an error is a 400 with this text.
//   * "Not initialized: <missing fields>", "Expecting 'type' to be present";
//   * SUBSCRIBE: "Expecting 'subscribe' to be present", "'framework_id'
//     differs from 'subscribe.framework_info.id'", principal mismatch;
//   * others: "Expecting 'framework_id' to be present", then the call's
//     sub-message ("Expecting 'accept' to be present", ...);
//   * ACKNOWLEDGE(_OPERATION_STATUS): "Not a valid UUID" unless 16 bytes
//     with version 1..5; the latter also needs "agent_id";
//   * UPDATE_FRAMEWORK: "'framework_id' differs from
//     'update_framework.framework_info.id'".
Problem validateSchedulerCall(const mesos::v1::scheduler::Call& call,
                              const Principal& principal = std::nullopt);

// ---------------------------------------------------------------------------
// Operator calls (Mesos validation::master::call::validate), run before the
// call is handled; an error is a 400 "Failed to validate master::Call: "
// + this text: "Not initialized: ...", "Expecting 'type' to be present",
// "Expecting '<sub-message>' to be present", and for GROW_VOLUME /
// SHRINK_VOLUME without an agent "Expecting 'agent_id' to be present; only
// agent default resources are supported right now". `has_field(n)` says
// whether the call carries master.Call field n when the wire subset does
// not declare it (update_quota = 20, set_quota = 14, remove_quota = 15,
// update_weights = 6, ...).
Problem validateOperatorCall(const mesos::v1::master::Call& call,
                             const std::function<bool(int)>& has_field);

// ---------------------------------------------------------------------------
// Offers of an ACCEPT or DECLINE (Mesos validation::offer::validate).

struct OfferFacts {
  std::string framework_id;
  std::string agent_id;
  std::string role;  // allocation role
};

// Duplicates ("Duplicate offer <id> in offer list"), unknown offers
// ("Offer <id> is no longer valid"), another framework's offers, offers
// of different roles or agents. `lookup` answers for outstanding offers.
Problem validateOffers(const google::protobuf::RepeatedPtrField<mesos::v1::OfferID>& offer_ids,
                       const std::string& framework_id,
                       const std::function<std::optional<OfferFacts>(const std::string&)>& lookup);

}  // namespace svh::master::validation
