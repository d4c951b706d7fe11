#include "tests/master/scripted_agent.hpp"

#include <stdexcept>

#include "fakes/common/resource_parse.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master::test {

namespace internal = mesos::internal;

namespace {

const std::vector<std::string> kAgentBound = {
    "mesos.internal.SlaveRegisteredMessage",
    "mesos.internal.SlaveReregisteredMessage",
    "mesos.internal.PingSlaveMessage",
    "mesos.internal.RunTaskMessage",
    "mesos.internal.RunTaskGroupMessage",
    "mesos.internal.KillTaskMessage",
    "mesos.internal.ShutdownFrameworkMessage",
    "mesos.internal.ShutdownExecutorMessage",
    "mesos.internal.FrameworkToExecutorMessage",
    "mesos.internal.UpdateFrameworkMessage",
    "mesos.internal.CheckpointResourcesMessage",
    "mesos.internal.StatusUpdateAcknowledgementMessage",
    "mesos.internal.ShutdownMessage",
    "mesos.internal.ApplyOperationMessage",
    "mesos.internal.ReconcileOperationsMessage",
    "mesos.internal.AcknowledgeOperationStatusMessage",
};

}  // namespace

ScriptedAgent::ScriptedAgent(AgentOptions options)
    : LibprocessPeer("the scripted agent", "slave(1)", kAgentBound),
      options_(std::move(options)),
      answer_pings_(options_.answer_pings) {
  start();
}

ScriptedAgent::~ScriptedAgent() {
  stop();
}

std::string ScriptedAgent::id() const {
  std::lock_guard lock(mutex_);
  return id_;
}

void ScriptedAgent::answerPings(bool answer) {
  answer_pings_ = answer;
}

// On the io thread.
void ScriptedAgent::onMessage(const http::Message& message) {
  if (message.name == "mesos.internal.PingSlaveMessage" && answer_pings_) {
    process().send(message.from, "mesos.internal.PongSlaveMessage", "");
  }
  if (message.name == "mesos.internal.SlaveRegisteredMessage") {
    internal::SlaveRegisteredMessage registered;
    if (registered.ParseFromString(message.body)) {
      std::lock_guard lock(mutex_);
      id_ = registered.slave_id().value();
    }
  }
}

namespace {

mesos::SlaveInfo slaveInfo(const AgentOptions& options, std::uint16_t port) {
  mesos::SlaveInfo info;
  info.set_hostname(options.hostname);
  info.set_port(port);
  info.set_checkpoint(true);
  auto parsed = fakes::parseResourcesFlag(options.resources);
  if (!parsed.ok()) throw std::runtime_error("bad agent resources: " + parsed.error());
  for (const auto& r : parsed->toVector()) *info.add_resources() = wire::evolve<mesos::Resource>(r);
  return info;
}

template <typename M>
void addCommon(M* message, const AgentOptions& options, const fakes::Resources& checkpointed) {
  message->set_version("1.12.0");
  for (int type : options.capabilities) {
    message->add_agent_capabilities()->set_type(
        static_cast<mesos::SlaveInfo::Capability::Type>(type));
  }
  for (const auto& r : checkpointed.toVector()) {
    *message->add_checkpointed_resources() = wire::evolve<mesos::Resource>(r);
  }
  message->mutable_resource_version_uuid()->set_value(wire::randomUuidBytes());
}

}  // namespace

void ScriptedAgent::registerWith(const wire::Upid& master, const fakes::Resources& checkpointed,
                                 std::chrono::milliseconds timeout) {
  internal::RegisterSlaveMessage message;
  *message.mutable_slave() = slaveInfo(options_, self().port);
  addCommon(&message, options_, checkpointed);
  send(master, message);
  auto registered = await<internal::SlaveRegisteredMessage>(nullptr, timeout);
  std::lock_guard lock(mutex_);
  id_ = registered.slave_id().value();
}

internal::SlaveReregisteredMessage ScriptedAgent::reregisterWith(
    const wire::Upid& master, const std::vector<mesos::Task>& tasks,
    const std::vector<mesos::FrameworkInfo>& frameworks, const fakes::Resources& checkpointed,
    const std::vector<mesos::ExecutorInfo>& executors, std::chrono::milliseconds timeout) {
  internal::ReregisterSlaveMessage message;
  *message.mutable_slave() = slaveInfo(options_, self().port);
  const std::string agent_id = id();
  message.mutable_slave()->mutable_id()->set_value(agent_id);
  addCommon(&message, options_, checkpointed);
  for (auto task : tasks) {
    task.mutable_slave_id()->set_value(agent_id);
    *message.add_tasks() = task;
  }
  for (const auto& framework : frameworks) *message.add_frameworks() = framework;
  for (const auto& executor : executors) *message.add_executor_infos() = executor;
  send(master, message);
  return await<internal::SlaveReregisteredMessage>(nullptr, timeout);
}

void ScriptedAgent::sendStatus(const wire::Upid& master, const std::string& framework_id,
                               const std::string& task_id, mesos::TaskState state) {
  internal::StatusUpdateMessage message;
  auto* update = message.mutable_update();
  update->mutable_framework_id()->set_value(framework_id);
  const std::string agent_id = id();
  update->mutable_slave_id()->set_value(agent_id);
  update->mutable_executor_id()->set_value(task_id);
  std::string uuid = wire::randomUuidBytes();
  auto* status = update->mutable_status();
  status->mutable_task_id()->set_value(task_id);
  status->set_state(state);
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status->mutable_slave_id()->set_value(agent_id);
  status->set_timestamp(1.0);
  status->set_uuid(uuid);
  update->set_timestamp(1.0);
  update->set_uuid(uuid);
  update->set_latest_state(state);
  message.set_pid(self().str());
  send(master, message);
}

}  // namespace svh::master::test
