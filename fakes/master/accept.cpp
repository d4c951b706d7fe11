// ACCEPT (Mesos Master::accept/_accept): the offers are validated and
// consumed, each operation's resources are validated and upgraded, the
// operations are applied in order to the remaining offered resources, and
// whatever is left is declined with the call's filters. Valid operations
// are authorized against --acls (PV-DESTROY-4). Shared volumes get
// special rules: several tasks may use the copies offered (SV-LAUNCH-1/2),
// CREATE and DESTROY reset those copies (SV-CREATE-3, SV-LAUNCH-8), and a
// DESTROY first rescinds every offer holding the volume (SV-DESTROY-5/6).

#include <algorithm>
#include <cctype>

#include "fakes/common/resource_format.hpp"
#include "fakes/master/core/conversions.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/master.hpp"
#include "fakes/master/operation_resources.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/upid.hpp"

namespace svh::master {

using mesos::v1::FrameworkInfo;
using mesos::v1::Offer;
using mesos::v1::TaskInfo;
using mesos::v1::TaskStatus;
using Operation = mesos::v1::Offer::Operation;
namespace scheduler = mesos::v1::scheduler;

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const google::protobuf::RepeatedPtrField<TaskInfo>& tasksOf(const Operation& operation) {
  static const google::protobuf::RepeatedPtrField<TaskInfo> none;
  if (operation.type() == Operation::LAUNCH) return operation.launch().task_infos();
  if (operation.type() == Operation::LAUNCH_GROUP) {
    return operation.launch_group().task_group().tasks();
  }
  return none;
}

bool isLaunch(const Operation& operation) {
  return operation.type() == Operation::LAUNCH || operation.type() == Operation::LAUNCH_GROUP;
}

}  // namespace

void Master::drop(FrameworkRecord& framework, const Operation& operation,
                  const std::string& message) {
  std::string type = Operation::Type_Name(operation.type());
  log::warning("Dropping ", type, " operation from framework ", framework.id, ": ", message);
  if (!profile_.operation_feedback) return;  // 1.1: a log line only
  count("master/operations/" + lowercase(type) + "/error");
  count("master/operations/" + lowercase(type) + "/total");
  count("master/operations/error");
  count("master/operations/total");
  if (operation.has_id()) {
    scheduler::Event event;
    event.set_type(scheduler::Event::UPDATE_OPERATION_STATUS);
    auto* status = event.mutable_update_operation_status()->mutable_status();
    *status->mutable_operation_id() = operation.id();
    status->set_state(mesos::v1::OPERATION_ERROR);
    status->set_message(message);
    sendEvent(framework, event);
  }
}

void Master::applyToAgent(AgentRecord& agent, const Operation& operation) {
  Operation stripped = operation;
  for (auto* list : resourceLists(&stripped)) {
    for (auto& resource : *list) resource.clear_allocation_info();
  }
  if (stripped.type() == Operation::GROW_VOLUME) {
    stripped.mutable_grow_volume()->mutable_volume()->clear_allocation_info();
    stripped.mutable_grow_volume()->mutable_addition()->clear_allocation_info();
  } else if (stripped.type() == Operation::SHRINK_VOLUME) {
    stripped.mutable_shrink_volume()->mutable_volume()->clear_allocation_info();
  }
  auto total = applyOperation(agent.total, stripped);
  if (!total) {
    log::error("cannot apply ", Operation::Type_Name(operation.type()), " to agent ", agent.id,
               " total: ", total.error());
    return;
  }
  agent.total = *total;
  if (profile_.operation_feedback) {  // 1.1 had no operation metrics
    std::string type = lowercase(Operation::Type_Name(operation.type()));
    count("master/operations/" + type + "/finished");
    count("master/operations/" + type + "/total");
    count("master/operations/finished");
    count("master/operations/total");
  }
  updateAgentResources(agent, agent.total.filter([](const mesos::v1::Resource& r) {
    return fakes::isDynamicallyReserved(r) || fakes::isPersistentVolume(r);
  }));
}

void Master::launchTask(FrameworkRecord& framework, AgentRecord& agent, const TaskInfo& task,
                        const std::string& role, bool launch_executor) {
  mesos::internal::RunTaskMessage message;
  *message.mutable_framework() = wire::evolve<mesos::FrameworkInfo>(framework.info);
  *message.mutable_task() = wire::evolve<mesos::TaskInfo>(task);
  message.set_pid(wire::Upid{}.str());
  message.set_launch_executor(launch_executor);
  if (!agent.capabilities.reservation_refinement) {
    // An agent without refinement reads the pre-refinement format.
    auto downgrade = [](google::protobuf::RepeatedPtrField<mesos::Resource>* resources) {
      for (auto& r : *resources) {
        auto v1 = wire::evolve<mesos::v1::Resource>(r);
        fakes::downgradeResource(&v1);
        r = wire::evolve<mesos::Resource>(v1);
      }
    };
    downgrade(message.mutable_task()->mutable_resources());
    if (message.task().has_executor()) {
      downgrade(message.mutable_task()->mutable_executor()->mutable_resources());
    }
  }
  log::info("Launching task ", task.task_id().value(), " of framework ", framework.id,
            " with resources ", Resources(task.resources()).str(), " on agent ", agent.id,
            launch_executor ? " on new executor" : " on existing executor", " (role ", role, ")");
  count(frameworkMetric(framework, "operations/launch"));
  count(frameworkMetric(framework, "operations"));
  process_.send(agent.pid, message);
}

void Master::accept(FrameworkRecord& framework, scheduler::Call::Accept accept) {
  bool partition_aware = framework.hasCapability(FrameworkInfo::Capability::PARTITION_AWARE);
  auto lost_state = partition_aware ? mesos::v1::TASK_DROPPED : mesos::v1::TASK_LOST;

  for (const auto& operation : accept.operations()) {
    if (operation.type() == Operation::LAUNCH) {
      count(operation.launch().task_infos_size() > 0 ? "master/messages_launch_tasks"
                                                     : "master/messages_decline_offers");
    }
  }

  // The offers: they must exist, be this framework's, be distinct, and be
  // of one role on one agent.
  Problem error;
  if (accept.offer_ids_size() == 0) {
    error = "No offers specified";
  } else {
    error = validation::validateOffers(
        accept.offer_ids(), framework.id,
        [&](const std::string& id) -> std::optional<validation::OfferFacts> {
          auto it = offers_.find(id);
          if (it == offers_.end()) return std::nullopt;
          return validation::OfferFacts{it->second.framework_id, it->second.agent_id,
                                        it->second.role};
        });
  }
  if (error) {
    for (const auto& offer_id : accept.offer_ids()) {
      auto it = offers_.find(offer_id.value());
      if (it != offers_.end() && it->second.framework_id == framework.id) {
        removeOffer(offer_id.value());
      }
    }
    log::warning("ACCEPT call used invalid offers: ", *error);
    for (const auto& operation : accept.operations()) {
      if (!isLaunch(operation)) {
        drop(framework, operation, "Operation attempted with invalid offers: " + *error);
        continue;
      }
      for (const auto& task : tasksOf(operation)) {
        sendMasterUpdate(framework, masterStatus(task.task_id().value(), task.agent_id().value(),
                                                 lost_state, TaskStatus::REASON_INVALID_OFFERS,
                                                 "Task launched with invalid offers: " + *error));
      }
    }
    return;
  }

  const OfferRecord& first = offers_.at(accept.offer_ids(0).value());
  const std::string agent_id = first.agent_id;
  const std::string role = first.role;
  AgentRecord& agent = agents_.at(agent_id);

  auto taskErrors = [&](const Operation& operation, TaskStatus::Reason reason,
                        const std::string& message) {
    for (const auto& task : tasksOf(operation)) {
      sendMasterUpdate(framework, masterStatus(task.task_id().value(), task.agent_id().value(),
                                               mesos::v1::TASK_ERROR, reason, message));
    }
  };
  auto groupReason = [](const Operation& operation) {
    return operation.type() == Operation::LAUNCH_GROUP ? TaskStatus::REASON_TASK_GROUP_INVALID
                                                       : TaskStatus::REASON_TASK_INVALID;
  };

  // Every operation's resources are validated and upgraded first; invalid
  // ones and unusable feedback requests are dropped here.
  std::vector<Operation> operations;
  for (auto& operation : *accept.mutable_operations()) {
    Problem problem = fakes::validateAndUpgradeResources(&operation);
    if (!problem && operation.type() == Operation::RESERVE &&
        operation.reserve().source_size() > 0) {
      problem = "Reservation updates are not yet implemented for the scheduler API.";
    }
    if (problem) {
      if (operation.type() == Operation::UNKNOWN) {
        log::warning("Ignoring unknown operation");
      } else if (isLaunch(operation)) {
        taskErrors(operation, groupReason(operation), *problem);
      } else {
        drop(framework, operation, "Operation attempted with invalid resources: " + *problem);
      }
      continue;
    }
    // Operation feedback (`id`) needs operation-feedback agents (1.6+; the
    // field does not exist in 1.1 and is ignored there).
    if (operation.has_id() && profile_.operation_feedback) {
      if (operation.type() == Operation::LAUNCH) {
        taskErrors(operation, TaskStatus::REASON_TASK_INVALID,
                   "The `id` field cannot be set on LAUNCH operations");
        continue;
      }
      if (operation.type() == Operation::LAUNCH_GROUP) {
        taskErrors(operation, TaskStatus::REASON_TASK_GROUP_INVALID,
                   "The `id` field cannot be set on LAUNCH_GROUP operations");
        continue;
      }
      if (!agent.capabilities.resource_provider) {
        drop(framework, operation,
             "Operation requested feedback, but agent " + agent.id +
                 " does not have the required RESOURCE_PROVIDER capability");
        continue;
      }
      if (!agent.capabilities.agent_operation_feedback) {
        drop(framework, operation,
             "Operation on agent default resources requested feedback, but agent " + agent.id +
                 " does not have the required AGENT_OPERATION_FEEDBACK and RESOURCE_PROVIDER "
                 "capabilities");
        continue;
      }
    }
    addAllocationInfo(&operation, role);
    if (operation.type() == Operation::LAUNCH) {
      for (auto& task : *operation.mutable_launch()->mutable_task_infos()) {
        if (task.has_executor() && !task.executor().has_framework_id()) {
          task.mutable_executor()->mutable_framework_id()->set_value(framework.id);
        }
      }
    } else if (operation.type() == Operation::LAUNCH_GROUP) {
      auto* group = operation.mutable_launch_group();
      for (auto& task : *group->mutable_task_group()->mutable_tasks()) {
        if (!task.has_executor()) *task.mutable_executor() = group->executor();
      }
    }
    operations.push_back(std::move(operation));
  }

  // The offers are used up now.
  Resources offered;
  for (const auto& offer_id : accept.offer_ids()) {
    offered += offers_.at(offer_id.value()).resources;
    removeOffer(offer_id.value());
  }
  count(frameworkMetric(framework, "offers/accepted"), accept.offer_ids_size());

  if (!agent.connected) {
    for (const auto& operation : operations) {
      for (const auto& task : tasksOf(operation)) {
        sendMasterUpdate(framework,
                         masterStatus(task.task_id().value(), task.agent_id().value(), lost_state,
                                      TaskStatus::REASON_AGENT_DISCONNECTED, "Agent disconnected"));
      }
    }
    return;
  }

  std::optional<std::string> principal;
  if (framework.info.has_principal()) principal = framework.info.principal();
  const std::string on_agent =
      "; on agent " + agent.id + " at " + agent.pid.str() + " (" + agent.info.hostname() + ")";

  Resources remaining = offered;
  // Copies of shared volumes that tasks of this ACCEPT may use: those
  // offered, even when an earlier task already took them (SV-LAUNCH-1); reset
  // by CREATE and DESTROY (SV-CREATE-3, SV-LAUNCH-8).
  Resources remaining_shared = offered.shared();
  // Results of GROW/SHRINK: not usable by later operations of this ACCEPT.
  Resources resized;

  // A valid operation that --acls refuses is dropped with Mesos's text
  // (PV-DESTROY-4); no "; on agent" suffix, as in Mesos.
  auto refusedByAcls = [&](const Operation& operation) {
    auto refused = unauthorized(principal, operation);
    if (!refused) return false;
    drop(framework, operation, authorization::refusalMessage(framework.info.principal(), *refused));
    return true;
  };
  // The conversions of RESERVE/UNRESERVE/CREATE/DESTROY applied to what is
  // left of the offers; false (and the operation dropped) if they do not fit.
  auto convert = [&](const Operation& operation) {
    auto conversions = conversionsFor(operation);
    if (!conversions) {
      drop(framework, operation, conversions.error());
      return false;
    }
    auto result = applyConversions(remaining, *conversions);
    if (!result) {
      drop(framework, operation, result.error());
      return false;
    }
    remaining = *result;
    return true;
  };
  // GROW/SHRINK: the consumed part must be offered; the result goes to the
  // agent but not back into this ACCEPT.
  auto resize = [&](const Operation& operation) {
    auto conversions = conversionsFor(operation);
    if (!conversions || conversions->size() != 1) {
      drop(framework, operation, conversions ? "Unexpected conversions" : conversions.error());
      return false;
    }
    const auto& conversion = conversions->front();
    if (!remaining.contains(conversion.consumed)) {
      drop(framework, operation,
           "Invalid " + Operation::Type_Name(operation.type()) + " operation: " + remaining.str() +
               " does not contain " + conversion.consumed.str());
      return false;
    }
    remaining -= conversion.consumed;
    resized += conversion.converted;
    return true;
  };

  for (std::size_t index = 0; index < operations.size(); ++index) {
    const Operation& operation = operations[index];
    switch (operation.type()) {
      case Operation::RESERVE: {
        if (auto problem = validation::validateReserve(operation.reserve(), principal,
                                                       agent.capabilities, &framework.info)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (refusedByAcls(operation)) break;
        if (convert(operation)) applyToAgent(agent, operation);
        break;
      }
      case Operation::UNRESERVE: {
        if (auto problem = validation::validateUnreserve(operation.unreserve(), &framework.info)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (refusedByAcls(operation)) break;
        if (convert(operation)) applyToAgent(agent, operation);
        break;
      }
      case Operation::CREATE: {
        if (auto problem = validation::validateCreate(
                operation.create(), agent.checkpointed, principal, agent.capabilities,
                &framework.info, profile_.create_shared_needs_capability)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (refusedByAcls(operation)) break;
        if (convert(operation)) {
          remaining_shared = remaining.shared();
          applyToAgent(agent, operation);
        }
        break;
      }
      case Operation::DESTROY: {
        Problem problem =
            validation::validateDestroy(operation.destroy(), agent.checkpointed,
                                        usedResourcesByFramework(agent), &framework.info);
        if (!problem && profile_.destroy_checks_pending_tasks) {
          // 1.1 (SV-DESTROY-4): tasks later in this ACCEPT are still pending.
          std::vector<Resources> pending;
          for (std::size_t later = index + 1; later < operations.size(); ++later) {
            for (const auto& task : tasksOf(operations[later])) {
              Resources resources(task.resources());
              if (task.has_executor()) resources += Resources(task.executor().resources());
              pending.push_back(resources);
            }
          }
          problem = validation::validateDestroyPendingTasks(operation.destroy(), pending);
        }
        if (problem) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (refusedByAcls(operation)) break;
        // Every outstanding offer on the agent holding a volume being
        // destroyed is rescinded, whoever holds it, before the operation
        // is applied (SV-DESTROY-5/6).
        for (const auto& offer_id : std::set<std::string>(agent.offers)) {
          const auto& held = offers_.at(offer_id).resources;
          for (const auto& volume : operation.destroy().volumes()) {
            if (held.contains(volume)) {
              rescindOffer(offer_id);
              break;
            }
          }
        }
        if (convert(operation)) {
          remaining_shared = remaining.shared();
          applyToAgent(agent, operation);
        }
        break;
      }
      case Operation::GROW_VOLUME:
      case Operation::SHRINK_VOLUME: {
        if (!profile_.resize_volumes) {
          log::warning("Ignoring unknown operation");
          break;
        }
        Problem problem =
            operation.type() == Operation::GROW_VOLUME
                ? validation::validateGrowVolume(operation.grow_volume(), agent.capabilities)
                : validation::validateShrinkVolume(operation.shrink_volume(), agent.capabilities);
        if (problem) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (refusedByAcls(operation)) break;
        if (resize(operation)) applyToAgent(agent, operation);
        break;
      }
      case Operation::CREATE_DISK:
      case Operation::DESTROY_DISK:
        drop(framework, operation,
             "Not supported on agent " + agent.id + " at " + agent.pid.str() + " (" +
                 agent.info.hostname() + ") because it does not have RESOURCE_PROVIDER capability");
        break;
      case Operation::LAUNCH: {
        for (const auto& task : operation.launch().task_infos()) {
          Resources available = remaining.nonShared() + remaining_shared;
          validation::TaskContext context;
          context.framework = &framework.info;
          context.agent_id = agent.id;
          context.agent_capabilities = agent.capabilities;
          context.task_id_in_use = [&](const std::string& id) {
            return findTask(framework.id, id) != nullptr;
          };
          context.task_id_unreachable = [&](const std::string& id) {
            return std::any_of(framework.unreachable_tasks.begin(),
                               framework.unreachable_tasks.end(),
                               [&](const mesos::v1::Task& t) { return t.task_id().value() == id; });
          };
          context.executors = knownExecutors(agent, framework.id);
          if (auto problem = validation::validateTask(task, context, available)) {
            sendMasterUpdate(framework, masterStatus(task.task_id().value(),
                                                     task.agent_id().value(), mesos::v1::TASK_ERROR,
                                                     TaskStatus::REASON_TASK_INVALID, *problem));
            continue;
          }
          Resources consumed(task.resources());
          bool launch_executor = true;
          if (task.has_executor()) {
            launch_executor = context.executors.count(task.executor().executor_id().value()) == 0;
            if (launch_executor) {
              addExecutor(framework, agent, task.executor(), role);
              consumed += Resources(task.executor().resources());
            }
          }
          addTask(framework, agent, task, role);
          // Copies of shared volumes beyond those offered join the
          // framework's allocation (SV-LAUNCH-2).
          Resources additional = consumed.shared() - remaining.shared();
          if (!additional.empty()) {
            log::info("Allocating additional resources ", additional.str(), " for task ",
                      task.task_id().value(), " of framework ", framework.id, " on agent ",
                      agent.id);
          }
          remaining -= consumed;
          launchTask(framework, agent, task, role, launch_executor);
        }
        break;
      }
      case Operation::LAUNCH_GROUP: {
        // Task groups are checked against the remaining resources only: no
        // add-back of shared copies (SV-LAUNCH-7).
        const auto& group = operation.launch_group();
        validation::TaskContext context;
        context.framework = &framework.info;
        context.agent_id = agent.id;
        context.agent_capabilities = agent.capabilities;
        context.task_id_in_use = [&](const std::string& id) {
          return findTask(framework.id, id) != nullptr;
        };
        context.executors = knownExecutors(agent, framework.id);
        if (auto problem = validation::validateTaskGroup(group.task_group(), group.executor(),
                                                         context, remaining)) {
          taskErrors(operation, TaskStatus::REASON_TASK_GROUP_INVALID, *problem);
          break;
        }
        bool launch_executor = context.executors.count(group.executor().executor_id().value()) == 0;
        Resources consumed;
        if (launch_executor) {
          addExecutor(framework, agent, group.executor(), role);
          consumed += Resources(group.executor().resources());
        }
        for (const auto& task : group.task_group().tasks()) {
          consumed += Resources(task.resources());
          addTask(framework, agent, task, role);
        }
        remaining -= consumed;
        mesos::internal::RunTaskGroupMessage message;
        *message.mutable_framework() = wire::evolve<mesos::FrameworkInfo>(framework.info);
        *message.mutable_executor() = wire::evolve<mesos::ExecutorInfo>(group.executor());
        message.mutable_executor()->mutable_framework_id()->set_value(framework.id);
        *message.mutable_task_group() = wire::evolve<mesos::TaskGroupInfo>(group.task_group());
        message.set_launch_executor(launch_executor);
        if (!agent.capabilities.reservation_refinement) {
          fakes::downgradeResources(&message);
        }
        log::info("Launching task group of framework ", framework.id, " on agent ", agent.id);
        count(frameworkMetric(framework, "operations/launch_group"));
        count(frameworkMetric(framework, "operations"));
        process_.send(agent.pid, message);
        break;
      }
      default:
        log::warning("Ignoring unknown operation");
        break;
    }
  }

  // What no operation used is declined with the call's filters
  // (SV-OFFER-6), except what RESERVE/CREATE/... just produced: that comes
  // back without a filter, as in Mesos.
  Resources speculatively_converted = remaining + resized - offered;
  Resources implicitly_declined = remaining - speculatively_converted;
  if (!implicitly_declined.empty()) {
    double refuse = accept.has_filters() ? accept.filters().refuse_seconds() : 5.0;
    addFilter(framework, role, agent.id, implicitly_declined, refuse);
  }
}

}  // namespace svh::master
