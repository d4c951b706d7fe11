// The agent's checkpoint under <work_dir>/meta, and what a restart makes of
// it. agent.json holds the agent id and the checkpointed resources (volumes
// and reservations, as the master last sent them); tasks.json every task the
// agent still runs or reports on, with its unacknowledged status updates.
// Both are replaced atomically (write, then rename).
//
// After a restart no task is still running: each died with the agent
// (svh-task's PDEATHSIG chain). Mesos reports a command executor it could
// not reconnect after recovery through Slave::_recover -> containerizer
// wait -> Slave::executorTerminated -> sendExecutorTerminatedStatusUpdate
// (src/slave/slave.cpp): the container's termination carries no state,
// reason or message, so the task becomes TASK_FAILED with
// REASON_EXECUTOR_TERMINATED and the message "Executor terminated", from
// SOURCE_SLAVE; the same holds for each task of a task group, whose executor
// is then reported gone (ExitedExecutorMessage, status -1: unknown). Updates
// that were never acknowledged are sent again, same uuid, in order.

#include <fstream>
#include <nlohmann/json.hpp>

#include "fakes/agent/agent.hpp"
#include "fakes/agent/agent_support.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::agent {

namespace internal = mesos::internal;
using fakes::Resources;

namespace {

// Writes `text` to `file` so that a reader sees the old or the new content,
// never a part.
bool replaceFile(const std::filesystem::path& file, const std::string& text) {
  auto temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out.flush()) {
      log::error("cannot write checkpoint ", temporary.string());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) log::error("cannot write checkpoint ", file.string(), ": ", ec.message());
  return !ec;
}

// Protobuf messages are kept as base64 of their bytes: lossless, whatever
// the ids and messages hold. Partial: a task known only from a master's
// reconciliation has a FrameworkInfo with just its id.
std::string encode(const google::protobuf::Message& message) {
  return wire::base64Encode(message.SerializePartialAsString());
}

template <typename M>
M decode(const nlohmann::json& json, const char* key, const std::filesystem::path& file) {
  M message;
  std::string error;
  auto bytes = json.is_object() && json.contains(key) && json[key].is_string()
                   ? wire::base64Decode(json[key].get<std::string>(), &error)
                   : std::nullopt;
  if (!bytes || !message.ParsePartialFromString(*bytes)) {
    throw AgentStartError(3, "checkpoint " + file.string() + ": '" + key + "' is not a " +
                                 message.GetTypeName() + (error.empty() ? "" : ": " + error));
  }
  return message;
}

}  // namespace

void Agent::writeCheckpoint() const {
  nlohmann::ordered_json checkpoint;
  checkpoint["agent_id"] = agent_id_;
  auto resources = nlohmann::ordered_json::array();
  for (const auto& r : checkpointed_.toVector()) resources.push_back(wire::toJson(r));
  checkpoint["checkpointed_resources"] = resources;
  replaceFile(metaDir() / "agent.json", checkpoint.dump(2) + "\n");
}

void Agent::readCheckpoint() {
  auto file = metaDir() / "agent.json";
  std::ifstream in(file);
  if (!in) return;
  auto checkpoint = nlohmann::json::parse(in, nullptr, false);
  if (checkpoint.is_discarded() || !checkpoint.is_object()) {
    throw AgentStartError(3, "checkpoint " + file.string() + " is not valid JSON");
  }
  agent_id_ = checkpoint.value("agent_id", "");
  google::protobuf::RepeatedPtrField<mesos::v1::Resource> list;
  for (const auto& item : checkpoint.value("checkpointed_resources", nlohmann::json::array())) {
    mesos::v1::Resource resource;
    if (auto error = wire::fromJson(item, &resource)) {
      throw AgentStartError(3, "checkpoint " + file.string() + ": " + *error);
    }
    *list.Add() = resource;
  }
  checkpointed_ = Resources(list);
}

void Agent::checkpointTasks() const {
  auto tasks = nlohmann::ordered_json::array();
  for (const auto& [framework_id, list] : tasks_) {
    for (const auto& [task_id, task] : list) {
      if (task.terminating) continue;  // never reported again
      nlohmann::ordered_json record;
      record["framework"] = encode(task.framework);
      record["task"] = encode(task.info);
      record["executor_id"] = task.executor_id;
      record["in_group"] = task.in_group;
      record["ghost"] = task.ghost;
      record["container_id"] = task.container_id;
      record["sandbox"] = task.sandbox.string();
      record["state"] = mesos::TaskState_Name(task.state);
      auto updates = nlohmann::ordered_json::array();
      for (const auto& entry : task.updates) updates.push_back(encode(entry.update));
      record["updates"] = updates;
      tasks.push_back(record);
    }
  }
  auto executors = nlohmann::ordered_json::array();
  for (const auto& [framework_id, list] : executors_) {
    for (const auto& [executor_id, executor] : list) {
      nlohmann::ordered_json record;
      record["framework_id"] = framework_id;
      record["executor"] = encode(executor.info);
      record["container_id"] = executor.container_id;
      record["sandbox"] = executor.sandbox.string();
      executors.push_back(record);
    }
  }
  nlohmann::ordered_json checkpoint;
  checkpoint["tasks"] = tasks;
  checkpoint["executors"] = executors;
  replaceFile(metaDir() / "tasks.json", checkpoint.dump(1) + "\n");
}

void Agent::recoverTasks() {
  const auto file = metaDir() / "tasks.json";
  std::ifstream in(file);
  if (!in) return;
  auto checkpoint = nlohmann::json::parse(in, nullptr, false);
  if (checkpoint.is_discarded() || !checkpoint.is_object()) {
    throw AgentStartError(3, "checkpoint " + file.string() + " is not valid JSON");
  }
  try {
    for (const auto& record : checkpoint.value("tasks", nlohmann::json::array())) {
      auto info = decode<mesos::TaskInfo>(record, "task", file);
      auto framework = decode<mesos::FrameworkInfo>(record, "framework", file);
      Task& task = tasks_[framework.id().value()][info.task_id().value()];
      task.info = std::move(info);
      task.framework = std::move(framework);
      task.executor_id = record.at("executor_id").get<std::string>();
      task.in_group = record.at("in_group").get<bool>();
      task.ghost = record.at("ghost").get<bool>();
      task.container_id = record.at("container_id").get<std::string>();
      task.sandbox = record.at("sandbox").get<std::string>();
      if (!mesos::TaskState_Parse(record.at("state").get<std::string>(), &task.state)) {
        throw AgentStartError(
            3, "checkpoint " + file.string() + ": unknown task state " + record.at("state").dump());
      }
      for (const auto& update : record.at("updates")) {
        task.updates.push_back(
            {decode<internal::StatusUpdate>(nlohmann::json{{"u", update}}, "u", file), {}});
      }
    }
    for (const auto& record : checkpoint.value("executors", nlohmann::json::array())) {
      internal::ExitedExecutorMessage exited;
      exited.mutable_framework_id()->set_value(record.at("framework_id").get<std::string>());
      *exited.mutable_executor_id() =
          decode<mesos::ExecutorInfo>(record, "executor", file).executor_id();
      exited.set_status(-1);
      exited_executors_.push_back(exited);
    }
  } catch (const nlohmann::json::exception& e) {
    throw AgentStartError(3, "checkpoint " + file.string() + ": " + e.what());
  }
  for (auto& [framework_id, list] : tasks_) {
    for (auto& [task_id, task] : list) {
      if (task.ghost || wire::isTerminalState(task.state)) continue;
      log::info("task ", task_id, " of framework ", framework_id,
                " did not survive the agent's restart");
      sendStatus(task, mesos::TASK_FAILED, "Executor terminated", mesos::TaskStatus::SOURCE_SLAVE,
                 mesos::TaskStatus::REASON_EXECUTOR_TERMINATED);
    }
  }
  checkpointTasks();
}

}  // namespace svh::agent
