// The master's side of the agent protocol (PROTOCOL.md 5.5-5.6): register
// and re-register, pings from a per-agent slave-observer id, status updates,
// and checkpointed resources pushed after every volume operation. Input from
// agents is validated and dropped when wrong; nothing an agent sends can
// abort the master (a real master CHECK-fails on some of it).

#include <algorithm>
#include <sstream>

#include "fakes/common/checkpointed.hpp"
#include "fakes/common/resource_format.hpp"
#include "fakes/master/master.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master {

using mesos::v1::TaskStatus;
namespace internal = mesos::internal;
namespace scheduler = mesos::v1::scheduler;

namespace {

// "1.12.0" style; Mesos ignores agents older than 1.0.0 or unparsable.
bool supportedVersion(const std::string& version) {
  int major = 0;
  char dot = 0;
  std::istringstream in(version);
  if (!(in >> major >> dot) || dot != '.') return false;
  return major >= 1;
}

AgentCapabilities capabilitiesOf(
    const google::protobuf::RepeatedPtrField<mesos::SlaveInfo::Capability>& list,
    std::vector<int>* raw) {
  for (const auto& capability : list) raw->push_back(capability.type());
  return validation::agentCapabilities(*raw);
}

Result<Resources> upgraded(const google::protobuf::RepeatedPtrField<mesos::Resource>& v0) {
  google::protobuf::RepeatedPtrField<mesos::v1::Resource> v1;
  for (const auto& resource : v0) *v1.Add() = wire::evolve<mesos::v1::Resource>(resource);
  if (auto problem = fakes::upgradeResources(&v1)) return Error{*problem};
  return Resources(v1);
}

}  // namespace

void Master::installAgentHandlers() {
  process_.on<internal::RegisterSlaveMessage>(
      [this](const wire::Upid& from, const std::string&, internal::RegisterSlaveMessage&& m) {
        registerAgent(from, std::move(m));
      });
  process_.on<internal::ReregisterSlaveMessage>(
      [this](const wire::Upid& from, const std::string&, internal::ReregisterSlaveMessage&& m) {
        reregisterAgent(from, std::move(m));
      });
  process_.on<internal::UnregisterSlaveMessage>(
      [this](const wire::Upid& from, const std::string&, internal::UnregisterSlaveMessage&& m) {
        unregisterAgent(from, std::move(m));
      });
  process_.on<internal::StatusUpdateMessage>(
      [this](const wire::Upid& from, const std::string&, internal::StatusUpdateMessage&& m) {
        statusUpdate(from, std::move(m));
      });
  process_.on<internal::ExitedExecutorMessage>(
      [this](const wire::Upid& from, const std::string&, internal::ExitedExecutorMessage&& m) {
        exitedExecutor(from, std::move(m));
      });
  process_.on<internal::ExecutorToFrameworkMessage>(
      [this](const wire::Upid& from, const std::string&, internal::ExecutorToFrameworkMessage&& m) {
        executorMessage(from, std::move(m));
      });
  process_.on<internal::UpdateSlaveMessage>(
      [this](const wire::Upid& from, const std::string&, internal::UpdateSlaveMessage&&) {
        // Oversubscription and resource providers are not modelled.
        count("master/messages_update_slave");
        log::info("ignoring UpdateSlaveMessage from ", from.str());
      });
  process_.on<internal::UpdateOperationStatusMessage>(
      [this](const wire::Upid& from, const std::string&, internal::UpdateOperationStatusMessage&&) {
        // This master sends no ApplyOperationMessage, so no operation waits.
        count("master/messages_operation_status_update");
        count("master/invalid_operation_status_updates");
        log::info("ignoring UpdateOperationStatusMessage from ", from.str());
      });
  process_.on<internal::PongSlaveMessage>(
      [this](const wire::Upid&, const std::string& to, internal::PongSlaveMessage&&) { pong(to); });
}

void Master::registerAgent(const wire::Upid& from, internal::RegisterSlaveMessage&& message) {
  count("master/messages_register_slave");
  const auto& slave = message.slave();
  if (!supportedVersion(message.version())) {
    log::warning("dropping registration of agent at ", from.str(), ": version '", message.version(),
                 "' is not supported");
    return;
  }
  if (message.checkpointed_resources_size() > 0 && !slave.checkpoint()) {
    log::warning("dropping registration of agent at ", from.str(),
                 ": checkpointed resources without checkpointing enabled");
    return;
  }
  // A retry from an agent we already know: answer again with the same id.
  for (auto& [id, agent] : agents_) {
    if (agent.pid.str() != from.str()) continue;
    if (agent.connected) {
      internal::SlaveRegisteredMessage reply;
      reply.mutable_slave_id()->set_value(id);
      reply.mutable_connection()->set_total_ping_timeout_seconds(
          fakes::toSeconds(flags_.agent_ping_timeout) * flags_.max_agent_ping_timeouts);
      process_.send(agent.pid, reply);
      return;
    }
    removeAgent(agent, "the agent registered again from the same address",
                mesos::v1::TaskStatus::REASON_AGENT_REMOVED);
    break;
  }
  auto advertised = upgraded(slave.resources());
  auto checkpointed = upgraded(message.checkpointed_resources());
  if (!advertised || !checkpointed) {
    log::warning("dropping registration of agent at ", from.str(),
                 ": invalid resources: ", !advertised ? advertised.error() : checkpointed.error());
    return;
  }
  auto total = fakes::applyCheckpointed(*advertised, *checkpointed);
  if (!total) {
    log::warning("dropping registration of agent at ", from.str(), ": ", total.error());
    return;
  }

  AgentRecord agent;
  agent.id = id_ + "-S" + std::to_string(next_agent_++);
  agent.pid = from;
  agent.info = wire::evolve<mesos::v1::AgentInfo>(slave);
  agent.info.mutable_id()->set_value(agent.id);
  agent.info.clear_resources();
  for (const auto& r : advertised->toVector()) *agent.info.add_resources() = r;
  agent.capabilities = capabilitiesOf(message.agent_capabilities(), &agent.capability_types);
  agent.version = message.version();
  agent.total = *total;
  agent.checkpointed = *checkpointed;
  agent.registered_time = now();
  agent.observer_id = "slave-observer(" + std::to_string(next_observer_++) + ")";
  process_.addId(agent.observer_id);
  std::string id = agent.id;
  log::info("registered agent ", id, " at ", from.str(), " with ", agent.total.str());
  auto& stored = agents_[id] = std::move(agent);
  count("master/slave_registrations");

  internal::SlaveRegisteredMessage reply;
  reply.mutable_slave_id()->set_value(id);
  reply.mutable_connection()->set_total_ping_timeout_seconds(
      fakes::toSeconds(flags_.agent_ping_timeout) * flags_.max_agent_ping_timeouts);
  process_.send(stored.pid, reply);
  internal::PingSlaveMessage ping;
  ping.set_connected(true);
  process_.send(stored.pid, ping, stored.observer_id);
  allocateSoon();
}

void Master::reregisterAgent(const wire::Upid& from, internal::ReregisterSlaveMessage&& message) {
  count("master/messages_reregister_slave");
  const auto& slave = message.slave();
  if (!supportedVersion(message.version())) {
    log::warning("dropping re-registration from ", from.str(), ": unsupported version");
    return;
  }
  std::string id = slave.id().value();
  // Mesos validation::master::message::reregisterSlave.
  std::set<std::string> frameworks;
  for (const auto& framework : message.frameworks()) {
    if (!frameworks.insert(framework.id().value()).second) {
      log::warning("dropping re-registration of agent ", id, ": duplicate framework ",
                   framework.id().value());
      return;
    }
  }
  std::set<std::pair<std::string, std::string>> executors;
  for (const auto& executor : message.executor_infos()) {
    if (!executors.insert({executor.framework_id().value(), executor.executor_id().value()})
             .second) {
      log::warning("dropping re-registration of agent ", id, ": duplicate executor ",
                   executor.executor_id().value());
      return;
    }
  }
  for (const auto& task : message.tasks()) {
    if (!frameworks.count(task.framework_id().value()) || task.slave_id().value() != id) {
      log::warning("dropping re-registration of agent ", id,
                   ": a task's framework or agent id does not match");
      return;
    }
    if (task.state() == mesos::TASK_RUNNING && task.has_executor_id() &&
        !executors.count({task.framework_id().value(), task.executor_id().value()})) {
      log::warning("dropping re-registration of agent ", id, ": task ", task.task_id().value(),
                   " runs on an executor the agent did not report");
      return;
    }
  }
  if (message.checkpointed_resources_size() > 0 && !slave.checkpoint()) {
    log::warning("dropping re-registration of agent ", id,
                 ": checkpointed resources without checkpointing enabled");
    return;
  }
  auto advertised = upgraded(slave.resources());
  auto checkpointed = upgraded(message.checkpointed_resources());
  if (!advertised || !checkpointed) {
    log::warning("dropping re-registration of agent ", id, ": invalid resources");
    return;
  }

  AgentRecord* agent = findAgent(id);
  if (agent && (agent->info.hostname() != slave.hostname() || agent->pid.host != from.host)) {
    internal::ShutdownMessage shutdown;
    shutdown.set_message("Agent attempted to re-register with different IP / hostname");
    process_.send(from, shutdown);
    return;
  }
  if (!agent) {
    // Unknown after a master failover, or unreachable before: readmit the
    // agent with its id and take its volumes as it reports them.
    if (flags_.faults.has(fakes::Fault::kReregisterDropsVolumes)) {
      checkpointed = checkpointed->filter([](const auto& r) { return !fakes::isPersistentVolume(r); });
    }
    auto total = fakes::applyCheckpointed(*advertised, *checkpointed);
    if (!total) {
      log::warning("dropping re-registration of agent ", id, ": ", total.error());
      return;
    }
    AgentRecord record;
    record.id = id;
    record.info = wire::evolve<mesos::v1::AgentInfo>(slave);
    record.info.clear_resources();
    for (const auto& r : advertised->toVector()) *record.info.add_resources() = r;
    record.total = *total;
    record.checkpointed = *checkpointed;
    record.registered_time = now();
    agent = &(agents_[id] = std::move(record));
  }
  agent->pid = from;
  agent->connected = true;
  agent->active = true;
  agent->version = message.version();
  agent->capability_types.clear();
  agent->capabilities = capabilitiesOf(message.agent_capabilities(), &agent->capability_types);
  agent->reregistered_time = now();
  agent->missed_pings = 0;
  agent->pong_since_last_ping = true;
  if (agent->observer_id.empty()) {
    agent->observer_id = "slave-observer(" + std::to_string(next_observer_++) + ")";
    process_.addId(agent->observer_id);
  }
  timers_.erase("reregister:" + id);
  unreachable_agents_.erase(id);
  count("master/slave_reregistrations");

  // Adopt the executors and tasks the agent reports (Mesos
  // Master::__reregisterSlave / addSlave); remember which tasks we knew
  // that it did not report, for reconciliation.
  auto roleOf = [](const Resources& resources, const std::string& fallback) {
    for (const auto& entry : resources.entries()) {
      if (entry.resource.has_allocation_info()) return entry.resource.allocation_info().role();
    }
    return fallback;
  };
  for (const auto& v0 : message.executor_infos()) {
    auto executor = wire::evolve<mesos::v1::ExecutorInfo>(v0);
    std::string framework_id = executor.framework_id().value();
    auto& slot = agent->executors[framework_id][executor.executor_id().value()];
    if (slot.info.has_executor_id()) continue;
    fakes::upgradeResources(executor.mutable_resources());
    slot.info = executor;
    slot.resources = Resources(executor.resources());
    slot.role = roleOf(slot.resources, "*");
  }
  std::map<std::string, std::set<std::string>> reported;
  for (const auto& v0 : message.tasks()) {
    auto task = wire::evolve<mesos::v1::Task>(v0);
    std::string framework_id = task.framework_id().value();
    reported[framework_id].insert(task.task_id().value());
    auto& slot = agent->tasks[framework_id][task.task_id().value()];
    if (!slot.task.has_task_id()) {
      fakes::upgradeResources(task.mutable_resources());
      slot.resources = Resources(task.resources());
      slot.role = roleOf(slot.resources, "*");
      slot.task = task;
    } else {
      slot.task.set_state(task.state());
    }
    // A task that comes back from an unreachable agent is no longer
    // unreachable.
    if (FrameworkRecord* framework = findFramework(framework_id)) {
      auto& unreachable = framework->unreachable_tasks;
      unreachable.erase(std::remove_if(unreachable.begin(), unreachable.end(),
                                       [&](const mesos::v1::Task& t) {
                                         return t.task_id().value() == task.task_id().value();
                                       }),
                        unreachable.end());
    }
  }
  internal::SlaveReregisteredMessage reply;
  reply.mutable_slave_id()->set_value(id);
  reply.mutable_connection()->set_total_ping_timeout_seconds(
      fakes::toSeconds(flags_.agent_ping_timeout) * flags_.max_agent_ping_timeouts);
  for (const auto& [framework_id, tasks] : agent->tasks) {
    internal::ReconcileTasksMessage reconcile;
    reconcile.mutable_framework_id()->set_value(framework_id);
    for (const auto& [task_id, task] : tasks) {
      if (reported[framework_id].count(task_id)) continue;
      auto* status = reconcile.add_statuses();
      status->mutable_task_id()->set_value(task_id);
      status->set_state(static_cast<mesos::TaskState>(task.task.state()));
      status->mutable_slave_id()->set_value(id);
    }
    if (reconcile.statuses_size() > 0) *reply.add_reconciliations() = reconcile;
  }
  process_.send(agent->pid, reply);
  // Then the frameworks with tasks there, and the master's view of
  // reservations and volumes, which wins (PROTOCOL.md 5.5 step 8).
  for (const auto& [framework_id, tasks] : agent->tasks) {
    FrameworkRecord* framework = findFramework(framework_id);
    if (!framework) continue;
    internal::UpdateFrameworkMessage update;
    update.mutable_framework_id()->set_value(framework_id);
    update.set_pid(wire::Upid{}.str());
    *update.mutable_framework_info() = wire::evolve<mesos::FrameworkInfo>(framework->info);
    process_.send(agent->pid, update);
  }
  sendCheckpointedResources(*agent);
  internal::PingSlaveMessage ping;
  ping.set_connected(true);
  process_.send(agent->pid, ping, agent->observer_id);
  log::info("re-registered agent ", id, " at ", from.str());
  allocateSoon();
}

void Master::unregisterAgent(const wire::Upid& from, internal::UnregisterSlaveMessage&& message) {
  count("master/messages_unregister_slave");
  AgentRecord* agent = findAgent(message.slave_id().value());
  if (!agent || agent->pid.str() != from.str()) {
    log::warning("Ignoring unregister agent message from ", from.str());
    return;
  }
  count("master/slave_removals/reason_unregistered");
  removeAgent(*agent, "the agent unregistered", TaskStatus::REASON_AGENT_REMOVED);
}

void Master::statusUpdate(const wire::Upid& from, internal::StatusUpdateMessage&& message) {
  count("master/messages_status_update");
  const auto& update = message.update();
  auto pid = wire::Upid::parse(message.pid());
  if (!pid || pid->empty()) {
    log::warning("dropping status update from ", from.str(), ": no sender pid");
    count("master/invalid_status_updates");
    return;
  }
  if (!update.status().has_uuid() || !wire::isValidUuid(update.uuid())) {
    log::warning("dropping status update from ", from.str(), ": invalid uuid");
    count("master/invalid_status_updates");
    return;
  }
  AgentRecord* agent = findAgent(update.slave_id().value());
  if (!agent) {
    log::warning("dropping status update from unknown agent ", update.slave_id().value());
    count("master/invalid_status_updates");
    return;
  }
  auto status = wire::evolve<mesos::v1::TaskStatus>(update.status());
  status.mutable_agent_id()->set_value(agent->id);
  if (update.has_executor_id())
    status.mutable_executor_id()->set_value(update.executor_id().value());
  status.set_timestamp(update.timestamp());
  status.set_uuid(update.uuid());

  std::string framework_id = update.framework_id().value();
  auto fw = agent->tasks.find(framework_id);
  if (fw != agent->tasks.end()) {
    auto it = fw->second.find(status.task_id().value());
    if (it != fw->second.end()) {
      auto& task = it->second.task;
      auto state = update.has_latest_state()
                       ? static_cast<mesos::v1::TaskState>(update.latest_state())
                       : status.state();
      if (!isTerminalState(task.state())) task.set_state(state);
      task.set_status_update_state(status.state());
      task.set_status_update_uuid(update.uuid());
      *task.add_statuses() = status;
      if (task.statuses_size() > 16) task.mutable_statuses()->DeleteSubrange(0, 1);
    }
  }
  if (FrameworkRecord* framework = findFramework(framework_id)) {
    scheduler::Event event;
    event.set_type(scheduler::Event::UPDATE);
    *event.mutable_update()->mutable_status() = status;
    sendEvent(*framework, event);
  }
}

void Master::exitedExecutor(const wire::Upid& from, internal::ExitedExecutorMessage&& message) {
  count("master/messages_exited_executor");
  AgentRecord* agent = findAgent(message.slave_id().value());
  if (!agent || agent->pid.str() != from.str()) {
    log::warning("Ignoring exited executor message from ", from.str());
    return;
  }
  std::string framework_id = message.framework_id().value();
  std::string executor_id = message.executor_id().value();
  log::info("executor ", executor_id, " of framework ", framework_id, " on agent ", agent->id,
            " exited with status ", message.status());
  removeExecutor(*agent, framework_id, executor_id);
  if (FrameworkRecord* framework = findFramework(framework_id)) {
    scheduler::Event event;
    event.set_type(scheduler::Event::FAILURE);
    event.mutable_failure()->mutable_agent_id()->set_value(agent->id);
    event.mutable_failure()->mutable_executor_id()->set_value(executor_id);
    event.mutable_failure()->set_status(message.status());
    sendEvent(*framework, event);
  }
}

void Master::executorMessage(const wire::Upid& from,
                             internal::ExecutorToFrameworkMessage&& message) {
  count("master/messages_executor_to_framework");
  AgentRecord* agent = findAgent(message.slave_id().value());
  FrameworkRecord* framework = findFramework(message.framework_id().value());
  if (!agent || !framework || !framework->connected) {
    log::warning("Ignoring executor message from ", from.str());
    count("master/invalid_executor_to_framework_messages");
    return;
  }
  scheduler::Event event;
  event.set_type(scheduler::Event::MESSAGE);
  event.mutable_message()->mutable_agent_id()->set_value(agent->id);
  event.mutable_message()->mutable_executor_id()->set_value(message.executor_id().value());
  event.mutable_message()->set_data(message.data());
  sendEvent(*framework, event);
}

void Master::pong(const std::string& observer_id) {
  for (auto& [id, agent] : agents_) {
    if (agent.observer_id == observer_id) {
      agent.pong_since_last_ping = true;
      agent.missed_pings = 0;
    }
  }
}

void Master::pingAgents() {
  std::vector<std::string> unhealthy;
  for (auto& [id, agent] : agents_) {
    if (!agent.connected) continue;
    if (!agent.pong_since_last_ping && ++agent.missed_pings >= flags_.max_agent_ping_timeouts) {
      unhealthy.push_back(id);
      continue;
    }
    agent.pong_since_last_ping = false;
    internal::PingSlaveMessage ping;
    ping.set_connected(true);
    process_.send(agent.pid, ping, agent.observer_id);
  }
  for (const auto& id : unhealthy) {
    if (AgentRecord* agent = findAgent(id)) {
      count("master/slave_removals/reason_unhealthy");
      markUnreachable(*agent, "health check timed out");
    }
  }
  ping_timer_.expires_after(flags_.agent_ping_timeout);
  ping_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) pingAgents();
  });
}

void Master::agentExited(const std::string& address) {
  for (auto& [id, agent] : agents_) {
    if (agent.pid.host + ":" + std::to_string(agent.pid.port) != address || !agent.connected) {
      continue;
    }
    log::info("agent ", id, " at ", agent.pid.str(), " disconnected");
    agent.connected = false;
    agent.active = false;
    for (const auto& offer_id : std::set<std::string>(agent.offers)) rescindOffer(offer_id);
    auto timer = std::make_unique<asio::steady_timer>(io_, flags_.agent_reregister_timeout);
    std::string agent_id = id;
    timer->async_wait([this, agent_id](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      if (AgentRecord* agent = findAgent(agent_id); agent && !agent->connected) {
        markUnreachable(*agent, "agent did not reregister within " +
                                    fakes::formatDuration(flags_.agent_reregister_timeout) +
                                    " after disconnecting");
      }
    });
    timers_["reregister:" + id] = std::move(timer);
  }
}

void Master::markUnreachable(AgentRecord& agent, const std::string& why) {
  log::info("Marking agent ", agent.id, " (", agent.info.hostname(), ") unreachable: ", why);
  std::string id = agent.id;
  double when = now();
  for (auto& [framework_id, tasks] : agent.tasks) {
    FrameworkRecord* framework = findFramework(framework_id);
    bool partition_aware = framework && framework->hasCapability(
                                            mesos::v1::FrameworkInfo::Capability::PARTITION_AWARE);
    for (auto& [task_id, task] : tasks) {
      if (!framework) continue;
      auto status = masterStatus(
          task_id, id, partition_aware ? mesos::v1::TASK_UNREACHABLE : mesos::v1::TASK_LOST,
          TaskStatus::REASON_AGENT_REMOVED, why);
      if (task.task.has_executor_id()) *status.mutable_executor_id() = task.task.executor_id();
      status.mutable_unreachable_time()->set_nanoseconds(static_cast<long long>(when * 1e9));
      mesos::v1::Task unreachable = task.task;
      unreachable.set_state(status.state());
      if (isTerminalState(task.task.state())) {
        completeTask(framework, task.task);
        continue;
      }
      framework->unreachable_tasks.push_back(unreachable);
      if (framework->connected) sendMasterUpdate(*framework, status);
    }
  }
  agent.tasks.clear();
  agent.executors.clear();
  for (const auto& offer_id : std::set<std::string>(agent.offers)) rescindOffer(offer_id);
  for (auto& [framework_id, framework] : frameworks_) {
    if (!framework.connected) continue;
    scheduler::Event failure;
    failure.set_type(scheduler::Event::FAILURE);
    failure.mutable_failure()->mutable_agent_id()->set_value(id);
    sendEvent(framework, failure);
  }
  count("master/slave_removals");
  unreachable_agents_[id] = when;
  process_.removeId(agent.observer_id);
  timers_.erase("reregister:" + id);
  agents_.erase(id);
}

void Master::removeAgent(AgentRecord& agent, const std::string& why, TaskStatus::Reason reason) {
  log::info("Removing agent ", agent.id, " (", agent.info.hostname(), "): ", why);
  std::string id = agent.id;
  for (auto& [framework_id, tasks] : agent.tasks) {
    FrameworkRecord* framework = findFramework(framework_id);
    if (!framework) continue;
    bool partition_aware =
        framework->hasCapability(mesos::v1::FrameworkInfo::Capability::PARTITION_AWARE);
    for (auto& [task_id, task] : tasks) {
      auto state = partition_aware ? mesos::v1::TASK_GONE_BY_OPERATOR : mesos::v1::TASK_LOST;
      auto task_reason = partition_aware ? TaskStatus::REASON_AGENT_REMOVED_BY_OPERATOR : reason;
      mesos::v1::Task done = task.task;
      if (!isTerminalState(done.state())) {
        done.set_state(state);
        if (framework->connected) {
          sendMasterUpdate(*framework, masterStatus(task_id, id, state, task_reason, why));
        }
      }
      completeTask(framework, done);
    }
  }
  agent.tasks.clear();
  agent.executors.clear();
  for (const auto& offer_id : std::set<std::string>(agent.offers)) rescindOffer(offer_id);
  for (auto& [framework_id, framework] : frameworks_) {
    if (!framework.connected) continue;
    scheduler::Event failure;
    failure.set_type(scheduler::Event::FAILURE);
    failure.mutable_failure()->mutable_agent_id()->set_value(id);
    sendEvent(framework, failure);
  }
  count("master/slave_removals");
  process_.removeId(agent.observer_id);
  timers_.erase("reregister:" + id);
  agents_.erase(id);
}

void Master::sendCheckpointedResources(AgentRecord& agent) {
  internal::CheckpointResourcesMessage message;
  for (auto resource : agent.checkpointed.toVector()) {
    if (!agent.capabilities.reservation_refinement) fakes::downgradeResource(&resource);
    *message.add_resources() = wire::evolve<mesos::Resource>(resource);
  }
  if (agent.connected) process_.send(agent.pid, message);
}

void Master::updateAgentResources(AgentRecord& agent, const Resources& checkpointed) {
  agent.checkpointed = checkpointed;
  sendCheckpointedResources(agent);
}

}  // namespace svh::master
