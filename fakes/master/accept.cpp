// ACCEPT (Master::accept/_accept in Mesos): the offers are consumed, the
// operations are applied in order to the remaining offered resources, and
// whatever is left is declined with the call's filters. Shared volumes get
// two special rules: several tasks may use the copies offered (SV-LAUNCH-1),
// and a DESTROY first rescinds every other offer holding the volume
// (SV-DESTROY-5/6).

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

}  // namespace

void Master::drop(FrameworkRecord& framework, const Operation& operation,
                  const std::string& message) {
  std::string type = Operation::Type_Name(operation.type());
  log::info("Dropping ", type, " operation from framework ", framework.id, ": ", message);
  metrics_["master/operations/" + lowercase(type) + "/error"] += 1;
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

void Master::accept(FrameworkRecord& framework, scheduler::Call::Accept accept) {
  bool partition_aware = framework.hasCapability(FrameworkInfo::Capability::PARTITION_AWARE);
  auto lost_state = partition_aware ? mesos::v1::TASK_DROPPED : mesos::v1::TASK_LOST;

  // The offers: they must exist, be this framework's, be distinct and be on
  // one agent.
  std::string error;
  std::string agent_id;
  std::string role;
  std::set<std::string> seen;
  if (accept.offer_ids_size() == 0) error = "No offers specified";
  for (const auto& offer_id : accept.offer_ids()) {
    if (!error.empty()) break;
    auto it = offers_.find(offer_id.value());
    if (it == offers_.end()) {
      error = "Offer " + offer_id.value() + " is no longer valid";
    } else if (it->second.framework_id != framework.id) {
      error = "Offer " + offer_id.value() + " has invalid framework " + it->second.framework_id +
              " while framework " + framework.id + " is expected";
    } else if (!seen.insert(offer_id.value()).second) {
      error = "Duplicate offer " + offer_id.value() + " in offer list";
    } else if (!agent_id.empty() && it->second.agent_id != agent_id) {
      error = "Aggregated offers must belong to one single agent. Offer " + offer_id.value() +
              " uses agent " + it->second.agent_id + " and agent " + agent_id;
    } else if (!role.empty() && it->second.role != role) {
      error = "Aggregated offers must be allocated to the same role. Offer " + offer_id.value() +
              " uses role " + it->second.role + " and role " + role;
    } else {
      agent_id = it->second.agent_id;
      role = it->second.role;
    }
  }
  if (!error.empty()) {
    for (const auto& offer_id : accept.offer_ids()) {
      auto it = offers_.find(offer_id.value());
      if (it != offers_.end() && it->second.framework_id == framework.id) {
        removeOffer(offer_id.value());
      }
    }
    log::warning("ACCEPT call used invalid offers: ", error);
    for (const auto& operation : accept.operations()) {
      if (operation.type() == Operation::LAUNCH) {
        for (const auto& task : operation.launch().task_infos()) {
          sendMasterUpdate(framework, masterStatus(task.task_id().value(), task.agent_id().value(),
                                                   lost_state, TaskStatus::REASON_INVALID_OFFERS,
                                                   "Task launched with invalid offers: " + error));
        }
      } else if (operation.type() == Operation::LAUNCH_GROUP) {
        for (const auto& task : operation.launch_group().task_group().tasks()) {
          sendMasterUpdate(framework, masterStatus(task.task_id().value(), task.agent_id().value(),
                                                   lost_state, TaskStatus::REASON_INVALID_OFFERS,
                                                   "Task launched with invalid offers: " + error));
        }
      } else {
        drop(framework, operation, "Operation attempted with invalid offers: " + error);
      }
    }
    return;
  }

  Resources remaining;
  for (const auto& offer_id : accept.offer_ids()) {
    remaining += offers_.at(offer_id.value()).resources;
    removeOffer(offer_id.value());
  }
  AgentRecord& agent = agents_.at(agent_id);

  if (!agent.connected) {
    for (const auto& operation : accept.operations()) {
      if (operation.type() != Operation::LAUNCH) continue;
      for (const auto& task : operation.launch().task_infos()) {
        sendMasterUpdate(framework, masterStatus(task.task_id().value(), agent_id, lost_state,
                                                 TaskStatus::REASON_AGENT_REMOVED,
                                                 "Agent " + agent_id + " is not connected"));
      }
    }
    return;
  }

  std::optional<std::string> principal;
  if (framework.info.has_principal()) principal = framework.info.principal();
  std::string on_agent =
      "; on agent " + agent.id + " at " + agent.pid.str() + " (" + agent.info.hostname() + ")";

  // Copies of shared volumes that tasks of this ACCEPT may use: those
  // offered, even when an earlier task already took them (SV-LAUNCH-1); reset
  // by CREATE and DESTROY (SV-CREATE-3, SV-LAUNCH-8).
  Resources remaining_shared = remaining.shared();

  // Applies a successful RESERVE/UNRESERVE/CREATE/DESTROY to the agent.
  auto apply = [&](const std::vector<ResourceConversion>& conversions) {
    std::vector<ResourceConversion> unallocated;
    for (const auto& conversion : conversions) {
      unallocated.push_back(
          {conversion.consumed.unallocate(), conversion.converted.unallocate(), nullptr});
    }
    auto total = applyConversions(agent.total, unallocated);
    if (!total) {
      log::error("cannot apply operation to agent ", agent.id, " total: ", total.error());
      return;
    }
    agent.total = *total;
    updateAgentResources(agent, agent.total.filter([](const mesos::v1::Resource& r) {
      return fakes::isDynamicallyReserved(r) || fakes::isPersistentVolume(r);
    }));
  };

  auto operations = std::move(*accept.mutable_operations());
  for (auto& operation : operations) {
    if (auto problem = fakes::validateAndUpgradeResources(&operation)) {
      if (operation.type() == Operation::LAUNCH) {
        for (const auto& task : operation.launch().task_infos()) {
          sendMasterUpdate(framework,
                           masterStatus(task.task_id().value(), agent_id, mesos::v1::TASK_ERROR,
                                        TaskStatus::REASON_TASK_INVALID, *problem));
        }
      } else {
        drop(framework, operation, "Operation attempted with invalid resources: " + *problem);
      }
      continue;
    }
    addAllocationInfo(&operation, role);

    auto convert = [&]() -> std::optional<std::vector<ResourceConversion>> {
      auto conversions = conversionsFor(operation);
      if (!conversions) {
        drop(framework, operation, conversions.error());
        return std::nullopt;
      }
      auto result = applyConversions(remaining, *conversions);
      if (!result) {
        drop(framework, operation, result.error());
        return std::nullopt;
      }
      remaining = *result;
      return *conversions;
    };

    switch (operation.type()) {
      case Operation::RESERVE: {
        Problem problem;
        if (operation.reserve().source_size() > 0) {
          problem = "Reservation updates are not yet implemented for the scheduler API.";
        } else if ((problem = validation::validateReserve(operation.reserve(), principal,
                                                          agent.capabilities, &framework.info))) {
          *problem += on_agent;
        }
        if (problem) {
          drop(framework, operation, *problem);
          break;
        }
        if (auto conversions = convert()) apply(*conversions);
        break;
      }
      case Operation::UNRESERVE: {
        if (auto problem = validation::validateUnreserve(operation.unreserve(), &framework.info)) {
          drop(framework, operation, *problem);
          break;
        }
        if (auto conversions = convert()) apply(*conversions);
        break;
      }
      case Operation::CREATE: {
        if (auto problem =
                validation::validateCreate(operation.create(), agent.checkpointed, principal,
                                           agent.capabilities, &framework.info)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (auto conversions = convert()) {
          remaining_shared = remaining.shared();
          apply(*conversions);
        }
        break;
      }
      case Operation::DESTROY: {
        if (auto problem =
                validation::validateDestroy(operation.destroy(), agent.checkpointed,
                                            usedResourcesByFramework(agent), &framework.info)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        // Every outstanding offer holding a volume being destroyed is
        // rescinded, whoever holds it, before the operation is applied.
        for (const auto& offer_id : std::set<std::string>(agent.offers)) {
          const auto& offered = offers_.at(offer_id).resources;
          for (const auto& volume : operation.destroy().volumes()) {
            if (offered.contains(volume)) {
              rescindOffer(offer_id);
              break;
            }
          }
        }
        if (auto conversions = convert()) {
          remaining_shared = remaining.shared();
          apply(*conversions);
        }
        break;
      }
      case Operation::GROW_VOLUME: {
        if (auto problem =
                validation::validateGrowVolume(operation.grow_volume(), agent.capabilities)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (auto conversions = convert()) apply(*conversions);
        break;
      }
      case Operation::SHRINK_VOLUME: {
        if (auto problem =
                validation::validateShrinkVolume(operation.shrink_volume(), agent.capabilities)) {
          drop(framework, operation, *problem + on_agent);
          break;
        }
        if (auto conversions = convert()) apply(*conversions);
        break;
      }
      case Operation::LAUNCH: {
        for (auto& task : *operation.mutable_launch()->mutable_task_infos()) {
          // Mesos fills in the executor's framework id before validating.
          if (task.has_executor() && !task.executor().has_framework_id()) {
            task.mutable_executor()->mutable_framework_id()->set_value(framework.id);
          }
          Resources available = remaining.nonShared() + remaining_shared;
          validation::TaskContext context;
          context.framework = &framework.info;
          context.agent_id = agent.id;
          context.agent_capabilities = agent.capabilities;
          context.task_id_in_use = [&](const std::string& id) {
            return findTask(framework.id, id) != nullptr;
          };
          if (auto problem = validation::validateTask(task, context, available)) {
            sendMasterUpdate(framework,
                             masterStatus(task.task_id().value(), agent.id, mesos::v1::TASK_ERROR,
                                          TaskStatus::REASON_TASK_INVALID, *problem));
            continue;
          }
          Resources consumed = Resources(task.resources());
          if (task.has_executor()) consumed += Resources(task.executor().resources());
          auto additional = consumed.shared() - remaining.shared();
          if (!additional.empty()) {
            log::info("Allocating additional resources ", additional.str(), " for task ",
                      task.task_id().value(), " of framework ", framework.id);
          }
          remaining -= consumed;
          addTask(framework, agent, task, consumed, role);

          mesos::internal::RunTaskMessage message;
          *message.mutable_framework() = wire::evolve<mesos::FrameworkInfo>(framework.info);
          *message.mutable_task() = wire::evolve<mesos::TaskInfo>(task);
          message.set_pid(wire::Upid{}.str());
          message.set_launch_executor(true);
          if (!agent.capabilities.reservation_refinement) {
            // An agent without refinement reads the pre-refinement format.
            auto* resources = message.mutable_task()->mutable_resources();
            for (auto& r : *resources) {
              auto v1 = wire::evolve<mesos::v1::Resource>(r);
              fakes::downgradeResource(&v1);
              r = wire::evolve<mesos::Resource>(v1);
            }
          }
          log::info("Launching task ", task.task_id().value(), " of framework ", framework.id,
                    " with resources ", consumed.str(), " on agent ", agent.id);
          process_.send(agent.pid, message);
        }
        break;
      }
      case Operation::LAUNCH_GROUP: {
        // Task groups are checked against the remaining resources only: no
        // add-back of shared copies (SV-LAUNCH-7).
        const auto& group = operation.launch_group();
        Resources consumed = Resources(group.executor().resources());
        for (const auto& task : group.task_group().tasks()) consumed += Resources(task.resources());
        if (!remaining.contains(consumed)) {
          std::string message = "Total resources " + consumed.str() +
                                " required by task group and its executor are more than "
                                "available " +
                                remaining.str();
          for (const auto& task : group.task_group().tasks()) {
            sendMasterUpdate(framework,
                             masterStatus(task.task_id().value(), agent.id, mesos::v1::TASK_ERROR,
                                          TaskStatus::REASON_TASK_GROUP_INVALID, message));
          }
          break;
        }
        remaining -= consumed;
        bool first = true;
        for (const auto& task : group.task_group().tasks()) {
          Resources resources(task.resources());
          if (first) resources += Resources(group.executor().resources());
          first = false;
          addTask(framework, agent, task, resources, role);
        }
        mesos::internal::RunTaskGroupMessage message;
        *message.mutable_framework() = wire::evolve<mesos::FrameworkInfo>(framework.info);
        *message.mutable_executor() = wire::evolve<mesos::ExecutorInfo>(group.executor());
        message.mutable_executor()->mutable_framework_id()->set_value(framework.id);
        *message.mutable_task_group() = wire::evolve<mesos::TaskGroupInfo>(group.task_group());
        message.set_launch_executor(true);
        process_.send(agent.pid, message);
        break;
      }
      default:
        log::warning("Ignoring unknown operation");
        break;
    }
  }

  // What no operation used is declined with the call's filters (SV-OFFER-6).
  if (!remaining.empty()) {
    double refuse = accept.has_filters() ? accept.filters().refuse_seconds() : 5.0;
    addFilter(framework, agent.id, remaining, refuse);
  }
}

}  // namespace svh::master
