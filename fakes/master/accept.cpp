// ACCEPT (Mesos Master::accept/_accept): the offers are validated and used
// up, then the ACCEPT is planned (core/accept_plan.hpp: every SPEC rule of
// an ACCEPT lives there) and the master carries out the plan's effects in
// order: drops, task errors, rescinds, operations applied to the agent,
// launches and the implicit decline.

#include <algorithm>
#include <cctype>

#include "fakes/common/resource_format.hpp"
#include "fakes/master/core/accept_plan.hpp"
#include "fakes/master/core/operation_resources.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/master.hpp"
#include "harness/util/log.hpp"
#include "harness/util/text.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/upid.hpp"

namespace svh::master {

using mesos::v1::FrameworkInfo;
using mesos::v1::Offer;
using mesos::v1::TaskInfo;
using mesos::v1::TaskStatus;
using Operation = mesos::v1::Offer::Operation;
namespace scheduler = mesos::v1::scheduler;

void Master::drop(FrameworkRecord& framework, const Operation& operation,
                  const std::string& message) {
  std::string type = Operation::Type_Name(operation.type());
  log::warning("Dropping ", type, " operation from framework ", framework.id, ": ", message);
  if (!profile_.operation_feedback) return;  // 1.1: a log line only
  count("master/operations/" + util::lowercase(type) + "/error");
  count("master/operations/" + util::lowercase(type) + "/total");
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
  auto total = agentTotalAfter(agent.total, operation);
  if (!total) {
    log::error("cannot apply ", Operation::Type_Name(operation.type()), " to agent ", agent.id,
               " total: ", total.error());
    return;
  }
  agent.total = *total;
  if (profile_.operation_feedback) {  // 1.1 had no operation metrics
    std::string type = util::lowercase(Operation::Type_Name(operation.type()));
    count("master/operations/" + type + "/finished");
    count("master/operations/" + type + "/total");
    count("master/operations/finished");
    count("master/operations/total");
  }
  updateAgentResources(agent, checkpointedPart(agent.total));
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

  const std::string role = offers_.at(accept.offer_ids(0).value()).role;
  AgentRecord& agent = agents_.at(offers_.at(accept.offer_ids(0).value()).agent_id);
  AcceptFacts facts;
  facts.framework = framework.info;
  facts.role = role;
  facts.agent_id = agent.id;
  facts.agent_capabilities = agent.capabilities;
  facts.agent_connected = agent.connected;
  facts.agent_description = agent.id + " at " + agent.pid.str() + " (" + agent.info.hostname() + ")";
  facts.on_agent = "; on agent " + facts.agent_description;

  // The offers are used up now.
  for (const auto& offer_id : accept.offer_ids()) {
    facts.offered += offers_.at(offer_id.value()).resources;
    removeOffer(offer_id.value());
  }
  count(frameworkMetric(framework, "offers/accepted"), accept.offer_ids_size());

  facts.agent_total = agent.total;
  facts.checkpointed = agent.checkpointed;
  facts.uses = resourceUses(agent);
  for (const auto& offer_id : agent.offers) {
    const auto& offer = offers_.at(offer_id);
    facts.other_offers.push_back({offer_id, offer.framework_id, offer.resources});
  }
  facts.executors = knownExecutors(agent, framework.id);
  facts.task_known = [&](const std::string& id) { return findTask(framework.id, id) != nullptr; };
  facts.task_unreachable = [&](const std::string& id) {
    return std::any_of(framework.unreachable_tasks.begin(), framework.unreachable_tasks.end(),
                       [&](const mesos::v1::Task& t) { return t.task_id().value() == id; });
  };
  std::optional<std::string> principal;
  if (framework.info.has_principal()) principal = framework.info.principal();
  facts.refused = [&](const Operation& operation) -> std::optional<std::string> {
    auto refused = unauthorized(principal, operation);
    if (!refused) return std::nullopt;
    return authorization::refusalMessage(framework.info.principal(), *refused);
  };
  facts.profile = profile_;
  facts.faults = flags_.faults;

  for (const auto& step : planAccept(facts, accept)) {
    std::visit([&](const auto& e) { carryOut(framework, agent, role, e); }, step);
  }
}

void Master::carryOut(FrameworkRecord& framework, AgentRecord&, const std::string&,
                      const effect::Drop& drop) {
  this->drop(framework, drop.operation, drop.message);
}

void Master::carryOut(FrameworkRecord& framework, AgentRecord&, const std::string&,
                      const effect::TaskUpdate& update) {
  sendMasterUpdate(framework, masterStatus(update.task_id, update.agent_id, update.state,
                                           update.reason, update.message));
}

void Master::carryOut(FrameworkRecord&, AgentRecord&, const std::string&, const effect::Ignore&) {
  log::warning("Ignoring unknown operation");
}

void Master::carryOut(FrameworkRecord&, AgentRecord&, const std::string&,
                      const effect::Rescind& rescind) {
  rescindOffer(rescind.offer_id);
}

void Master::carryOut(FrameworkRecord&, AgentRecord& agent, const std::string&,
                      const effect::Apply& apply) {
  applyToAgent(agent, apply.operation);
}

void Master::carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                      const effect::Launch& launch) {
  const TaskInfo& task = launch.task;
  if (task.has_executor() && launch.launch_executor) {
    addExecutor(framework, agent, task.executor(), role);
  }
  addTask(framework, agent, task, role);
  if (!launch.additional.empty()) {
    log::info("Allocating additional resources ", launch.additional.str(), " for task ",
              task.task_id().value(), " of framework ", framework.id, " on agent ", agent.id);
  }
  launchTask(framework, agent, task, role, launch.launch_executor);
}

void Master::carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                      const effect::LaunchGroup& launch) {
  if (launch.launch_executor) addExecutor(framework, agent, launch.executor, role);
  for (const auto& task : launch.group.tasks()) addTask(framework, agent, task, role);
  mesos::internal::RunTaskGroupMessage message;
  *message.mutable_framework() = wire::evolve<mesos::FrameworkInfo>(framework.info);
  *message.mutable_executor() = wire::evolve<mesos::ExecutorInfo>(launch.executor);
  message.mutable_executor()->mutable_framework_id()->set_value(framework.id);
  *message.mutable_task_group() = wire::evolve<mesos::TaskGroupInfo>(launch.group);
  message.set_launch_executor(launch.launch_executor);
  if (!agent.capabilities.reservation_refinement) fakes::downgradeResources(&message);
  log::info("Launching task group of framework ", framework.id, " on agent ", agent.id);
  count(frameworkMetric(framework, "operations/launch_group"));
  count(frameworkMetric(framework, "operations"));
  process_.send(agent.pid, message);
}

void Master::carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                      const effect::Decline& decline) {
  addFilter(framework, role, agent.id, decline.resources, decline.refuse_seconds);
}

}  // namespace svh::master
