// Status updates: one stream per task, as a Mesos agent's status update
// manager keeps them. Only the head of a stream is in flight; it is resent
// every --status_update_retry_interval until the master acknowledges its
// uuid, and only then does the next one go (PROTOCOL.md 5.5 (6)). Streams
// are checkpointed with the tasks, so a restarted agent resends them.

#include "fakes/agent/agent.hpp"
#include "fakes/agent/agent_support.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::agent {

namespace internal = mesos::internal;

void Agent::sendStatus(Task& task, mesos::TaskState state, const std::string& message,
                       mesos::TaskStatus::Source source,
                       std::optional<mesos::TaskStatus::Reason> reason) {
  if (task.terminating) return;  // its framework is gone (Slave::statusUpdate drops these)
  task.state = state;
  double now = unixNow();
  std::string uuid = wire::randomUuidBytes();
  internal::StatusUpdate update;
  update.mutable_framework_id()->set_value(task.framework.id().value());
  if (!task.ghost) update.mutable_executor_id()->set_value(task.executor_id);
  update.mutable_slave_id()->set_value(agent_id_);
  auto* status = update.mutable_status();
  *status->mutable_task_id() = task.info.task_id();
  status->set_state(state);
  if (!message.empty()) status->set_message(message);
  status->set_source(source);
  if (reason) status->set_reason(*reason);
  status->mutable_slave_id()->set_value(agent_id_);
  if (!task.ghost) status->mutable_executor_id()->set_value(task.executor_id);
  status->set_timestamp(now);
  status->set_uuid(uuid);
  if (!task.container_id.empty()) {
    status->mutable_container_status()->mutable_container_id()->set_value(task.container_id);
  }
  if (task.process.pid > 0) status->mutable_container_status()->set_executor_pid(task.process.pid);
  update.set_timestamp(now);
  update.set_uuid(uuid);
  update.set_latest_state(state);
  task.updates.push_back({update, {}});
  // Every queued update reports the task's latest state to the master.
  for (auto& entry : task.updates) entry.update.set_latest_state(state);
  // Checkpointed before it can leave: a send may reach the master before
  // this handler returns, and an agent killed then must still know it.
  checkpointTasks();
  flushUpdates(task, false);
}

void Agent::flushUpdates(Task& task, bool force) {
  if (!registered_ || task.updates.empty()) return;
  auto& head = task.updates.front();
  auto now = Clock::now();
  if (!force && head.last_sent != Clock::time_point{} &&
      now - head.last_sent < flags_.status_update_retry_interval) {
    return;
  }
  head.update.mutable_slave_id()->set_value(agent_id_);
  head.update.mutable_status()->mutable_slave_id()->set_value(agent_id_);
  head.last_sent = now;
  internal::StatusUpdateMessage message;
  *message.mutable_update() = head.update;
  message.set_pid(process_.self().str());
  process_.send(master_, message);
}

void Agent::retryUpdates() {
  for (auto& [framework_id, tasks] : tasks_) {
    for (auto& [task_id, task] : tasks) flushUpdates(task, false);
  }
  auto interval =
      std::min<fakes::Duration>(flags_.status_update_retry_interval, std::chrono::seconds(1));
  retry_timer_.expires_after(interval);
  retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) retryUpdates();
  });
}

void Agent::acknowledge(const internal::StatusUpdateAcknowledgementMessage& message) {
  std::string framework_id = message.framework_id().value();
  std::string task_id = message.task_id().value();
  Task* task = findTask(framework_id, task_id);
  if (!task || task->updates.empty()) return;
  if (task->updates.front().update.uuid() != message.uuid()) {
    log::debug("ignoring acknowledgement of an update that is not in flight for ", task_id);
    return;
  }
  bool was_terminal = wire::isTerminalState(task->updates.front().update.status().state());
  task->updates.pop_front();
  if (was_terminal && task->updates.empty()) {
    forgetTask(framework_id, task_id);
    checkpointTasks();
  } else {
    checkpointTasks();
    flushUpdates(*task, true);
  }
}

void Agent::sendExitedExecutors() {
  if (!registered_) return;
  while (!exited_executors_.empty()) {
    auto& message = exited_executors_.front();
    message.mutable_slave_id()->set_value(agent_id_);
    process_.send(master_, message);
    exited_executors_.pop_front();
  }
}

}  // namespace svh::agent
