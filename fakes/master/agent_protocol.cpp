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
  process_.on<internal::PongSlaveMessage>(
      [this](const wire::Upid&, const std::string& to, internal::PongSlaveMessage&&) { pong(to); });
}

void Master::registerAgent(const wire::Upid& from, internal::RegisterSlaveMessage&& message) {
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
    markUnreachable(agent, "replaced by a new registration from the same address");
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

  internal::SlaveRegisteredMessage reply;
  reply.mutable_slave_id()->set_value(id);
  reply.mutable_connection()->set_total_ping_timeout_seconds(
      fakes::toSeconds(flags_.agent_ping_timeout) * flags_.max_agent_ping_timeouts);
  process_.send(stored.pid, reply);
  internal::PingSlaveMessage ping;
  ping.set_connected(true);
  process_.send(stored.pid, ping, stored.observer_id);
  asio::post(io_, [this] {
    if (!stopped_) allocate();
  });
}

void Master::reregisterAgent(const wire::Upid& from, internal::ReregisterSlaveMessage&& message) {
  const auto& slave = message.slave();
  if (!supportedVersion(message.version())) {
    log::warning("dropping re-registration from ", from.str(), ": unsupported version");
    return;
  }
  std::string id = slave.id().value();
  std::set<std::string> frameworks;
  for (const auto& framework : message.frameworks()) frameworks.insert(framework.id().value());
  for (const auto& task : message.tasks()) {
    if (!frameworks.count(task.framework_id().value()) || task.slave_id().value() != id) {
      log::warning("dropping re-registration of agent ", id,
                   ": a task's framework or agent id does not match");
      return;
    }
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
    // Unknown after a master failover: readmit the agent with its id, and
    // keep the master's view of volumes as the agent reports it.
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

  // Adopt the tasks the agent reports; remember which ones we knew that it
  // did not report, for reconciliation.
  std::map<std::string, std::set<std::string>> reported;
  for (const auto& v0 : message.tasks()) {
    auto task = wire::evolve<mesos::v1::Task>(v0);
    std::string framework_id = task.framework_id().value();
    reported[framework_id].insert(task.task_id().value());
    auto& slot = agent->tasks[framework_id][task.task_id().value()];
    if (!slot.task.has_task_id()) {
      google::protobuf::RepeatedPtrField<mesos::v1::Resource> resources = task.resources();
      fakes::upgradeResources(&resources);
      slot.resources = Resources(resources);
      slot.role =
          slot.resources.empty() || !slot.resources.entries()[0].resource.has_allocation_info()
              ? "*"
              : slot.resources.entries()[0].resource.allocation_info().role();
      *task.mutable_resources() = resources;
      slot.task = task;
    } else {
      slot.task.set_state(task.state());
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
  // The master's view of reservations and volumes wins.
  sendCheckpointedResources(*agent);
  internal::PingSlaveMessage ping;
  ping.set_connected(true);
  process_.send(agent->pid, ping, agent->observer_id);
  log::info("re-registered agent ", id, " at ", from.str());
  asio::post(io_, [this] {
    if (!stopped_) allocate();
  });
}

void Master::unregisterAgent(const wire::Upid& from, internal::UnregisterSlaveMessage&& message) {
  AgentRecord* agent = findAgent(message.slave_id().value());
  if (!agent || agent->pid.str() != from.str()) return;
  markUnreachable(*agent, "agent unregistered");
}

void Master::statusUpdate(const wire::Upid& from, internal::StatusUpdateMessage&& message) {
  const auto& update = message.update();
  auto pid = wire::Upid::parse(message.pid());
  if (!pid || pid->empty()) {
    log::warning("dropping status update from ", from.str(), ": no sender pid");
    return;
  }
  if (!update.status().has_uuid() || !wire::isValidUuid(update.uuid())) {
    log::warning("dropping status update from ", from.str(), ": invalid uuid");
    return;
  }
  AgentRecord* agent = findAgent(update.slave_id().value());
  if (!agent) {
    log::warning("dropping status update from unknown agent ", update.slave_id().value());
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
      if (!isTerminal(task.state())) task.set_state(state);
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

void Master::pong(const std::string& observer_id) {
  for (auto& [id, agent] : agents_) {
    if (agent.observer_id == observer_id) {
      agent.pong_since_last_ping = true;
      agent.missed_pings = 0;
    }
  }
}

void Master::pingAgents() {
  for (auto& [id, agent] : agents_) {
    if (!agent.connected) continue;
    if (!agent.pong_since_last_ping && ++agent.missed_pings >= flags_.max_agent_ping_timeouts) {
      markUnreachable(agent, "health check timed out");
      continue;
    }
    agent.pong_since_last_ping = false;
    internal::PingSlaveMessage ping;
    ping.set_connected(true);
    process_.send(agent.pid, ping, agent.observer_id);
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
    auto timer = std::make_unique<asio::steady_timer>(io_, std::chrono::minutes(10));
    std::string agent_id = id;
    timer->async_wait([this, agent_id](const boost::system::error_code& ec) {
      if (ec || stopped_) return;
      if (AgentRecord* agent = findAgent(agent_id); agent && !agent->connected) {
        markUnreachable(*agent, "agent did not re-register in time");
      }
    });
    timers_["reregister:" + id] = std::move(timer);
  }
}

void Master::markUnreachable(AgentRecord& agent, const std::string& why) {
  std::string id = agent.id;
  log::info("agent ", id, " is unreachable: ", why);
  for (const auto& offer_id : std::set<std::string>(agent.offers)) rescindOffer(offer_id);
  for (auto& [framework_id, tasks] : agent.tasks) {
    FrameworkRecord* framework = findFramework(framework_id);
    if (!framework) continue;
    bool partition_aware =
        framework->hasCapability(mesos::v1::FrameworkInfo::Capability::PARTITION_AWARE);
    for (auto& [task_id, task] : tasks) {
      if (isTerminal(task.task.state())) continue;
      sendMasterUpdate(
          *framework,
          masterStatus(
              task_id, id, partition_aware ? mesos::v1::TASK_UNREACHABLE : mesos::v1::TASK_LOST,
              TaskStatus::REASON_AGENT_REMOVED, "Agent " + id + " is unreachable: " + why));
    }
  }
  for (auto& [framework_id, framework] : frameworks_) {
    scheduler::Event failure;
    failure.set_type(scheduler::Event::FAILURE);
    failure.mutable_failure()->mutable_agent_id()->set_value(id);
    sendEvent(framework, failure);
  }
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
