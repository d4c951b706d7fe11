#include "tests/agent/scripted_master.hpp"

#include <stdexcept>

namespace svh::agent::test {

namespace internal = mesos::internal;

namespace {

const std::vector<std::string> kMasterBound = {
    "mesos.internal.RegisterSlaveMessage",   "mesos.internal.ReregisterSlaveMessage",
    "mesos.internal.UnregisterSlaveMessage", "mesos.internal.StatusUpdateMessage",
    "mesos.internal.ExitedExecutorMessage",  "mesos.internal.UpdateSlaveMessage",
    "mesos.internal.PongSlaveMessage",
};

constexpr const char* kAgentId = "scripted-master-S0";

internal::StatusUpdateAcknowledgementMessage acknowledgementOf(
    const internal::StatusUpdate& update) {
  internal::StatusUpdateAcknowledgementMessage ack;
  *ack.mutable_slave_id() = update.slave_id();
  *ack.mutable_framework_id() = update.framework_id();
  *ack.mutable_task_id() = update.status().task_id();
  ack.set_uuid(update.uuid());
  return ack;
}

}  // namespace

ScriptedMaster::ScriptedMaster() : LibprocessPeer("the scripted master", "master", kMasterBound) {
  start();
}

ScriptedMaster::~ScriptedMaster() {
  stop();
}

std::string ScriptedMaster::address() const {
  return "127.0.0.1:" + std::to_string(port());
}

std::string ScriptedMaster::agentId() const {
  std::lock_guard lock(mutex_);
  return agent_id_;
}

void ScriptedMaster::setAckPolicy(std::function<bool(const internal::StatusUpdate&)> policy) {
  std::lock_guard lock(mutex_);
  ack_policy_ = std::move(policy);
}

void ScriptedMaster::setReconciliations(std::vector<internal::ReconcileTasksMessage> list) {
  std::lock_guard lock(mutex_);
  reconciliations_ = std::move(list);
}

void ScriptedMaster::send(const google::protobuf::Message& message) {
  wire::Upid to;
  {
    std::lock_guard lock(mutex_);
    to = agent_;
  }
  if (to.id.empty()) throw std::runtime_error("no agent has registered with the scripted master");
  send(to, message);
}

void ScriptedMaster::acknowledge(const internal::StatusUpdate& update) {
  send(acknowledgementOf(update));
}

// On the io thread.
void ScriptedMaster::onMessage(const http::Message& message) {
  if (message.name == "mesos.internal.RegisterSlaveMessage" ||
      message.name == "mesos.internal.ReregisterSlaveMessage") {
    std::vector<internal::ReconcileTasksMessage> reconciliations;
    {
      std::lock_guard lock(mutex_);
      agent_ = message.from;
      agent_id_ = kAgentId;
      reconciliations = reconciliations_;
    }
    if (message.name == "mesos.internal.RegisterSlaveMessage") {
      internal::SlaveRegisteredMessage registered;
      registered.mutable_slave_id()->set_value(kAgentId);
      registered.mutable_connection()->set_total_ping_timeout_seconds(75);
      process().send(message.from, registered);
    } else {
      internal::SlaveReregisteredMessage reregistered;
      reregistered.mutable_slave_id()->set_value(kAgentId);
      reregistered.mutable_connection()->set_total_ping_timeout_seconds(75);
      for (const auto& reconcile : reconciliations) *reregistered.add_reconciliations() = reconcile;
      process().send(message.from, reregistered);
    }
  }
  if (message.name == "mesos.internal.StatusUpdateMessage") {
    internal::StatusUpdateMessage parsed;
    if (parsed.ParseFromString(message.body)) {
      bool ack = true;
      {
        std::lock_guard lock(mutex_);
        all_updates_.push_back(parsed.update());
        if (ack_policy_) ack = ack_policy_(parsed.update());
      }
      if (ack) {
        process().send(message.from.id.empty() ? agent_ : message.from,
                       acknowledgementOf(parsed.update()));
      }
    }
  }
}

internal::StatusUpdate ScriptedMaster::awaitUpdate(const std::string& task_id,
                                                   std::chrono::milliseconds timeout) {
  return await<internal::StatusUpdateMessage>(
             [&](const internal::StatusUpdateMessage& m) {
               return m.update().status().task_id().value() == task_id;
             },
             timeout)
      .update();
}

internal::StatusUpdate ScriptedMaster::awaitState(const std::string& task_id,
                                                  mesos::TaskState state,
                                                  std::chrono::milliseconds timeout) {
  try {
    return await<internal::StatusUpdateMessage>(
               [&](const internal::StatusUpdateMessage& m) {
                 return m.update().status().task_id().value() == task_id &&
                        m.update().status().state() == state;
               },
               timeout)
        .update();
  } catch (const std::runtime_error& e) {
    std::string seen;
    for (const auto& update : updates(task_id)) {
      seen += " " + mesos::TaskState_Name(update.status().state());
      if (update.status().has_message()) seen += " (" + update.status().message() + ")";
    }
    throw std::runtime_error("task " + task_id + " never reached " + mesos::TaskState_Name(state) +
                             "; its updates:" + (seen.empty() ? " none" : seen));
  }
}

std::vector<internal::StatusUpdate> ScriptedMaster::updates(const std::string& task_id) const {
  std::lock_guard lock(mutex_);
  std::vector<internal::StatusUpdate> out;
  for (const auto& update : all_updates_) {
    if (update.status().task_id().value() == task_id) out.push_back(update);
  }
  return out;
}

}  // namespace svh::agent::test
