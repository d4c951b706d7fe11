#include "tests/master/scripted_agent.hpp"

#include <future>
#include <stdexcept>

#include "fakes/common/resource_parse.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master::test {

namespace internal = mesos::internal;

namespace {

const char* const kAgentBound[] = {
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
    : options_(std::move(options)), answer_pings_(options_.answer_pings) {
  process_ = std::make_unique<http::Process>(io_, "127.0.0.1", 0, "slave(1)");
  self_ = process_->self();
  for (const char* name : kAgentBound) {
    process_->on(name, [this](const http::Message& message) { onMessage(message); });
  }
  thread_ = std::thread([this] {
    auto guard = http::asio::make_work_guard(io_);
    io_.run();
  });
}

ScriptedAgent::~ScriptedAgent() {
  shutdown();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void ScriptedAgent::run(std::function<void()> work) {
  std::promise<void> done;
  http::asio::post(io_, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

void ScriptedAgent::shutdown() {
  if (!process_) return;
  run([this] { process_->stop(); });
}

void ScriptedAgent::answerPings(bool answer) {
  answer_pings_ = answer;
}

void ScriptedAgent::onMessage(const http::Message& message) {
  if (message.name == "mesos.internal.PingSlaveMessage" && answer_pings_) {
    process_->send(message.from, "mesos.internal.PongSlaveMessage", "");
  }
  if (message.name == "mesos.internal.SlaveRegisteredMessage") {
    internal::SlaveRegisteredMessage registered;
    if (registered.ParseFromString(message.body)) id_ = registered.slave_id().value();
  }
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({message.name, message.from.str(), message.body});
    names_.push_back(message.name);
  }
  arrived_.notify_all();
}

ScriptedAgent::Received ScriptedAgent::awaitRaw(
    const std::string& name, const std::function<bool(const std::string&)>& match,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->name == name && match(it->body)) {
        Received found = *it;
        pending_.erase(it);
        return found;
      }
    }
    if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout) {
      std::string seen;
      for (const auto& received : pending_) seen += " " + received.name;
      throw std::runtime_error("agent waited in vain for " + name + "; pending:" + seen);
    }
  }
}

std::size_t ScriptedAgent::count(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& seen : names_) n += seen == name ? 1 : 0;
  return n;
}

void ScriptedAgent::send(const wire::Upid& to, const google::protobuf::Message& message) {
  run([&] { process_->send(to, message); });
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
  *message.mutable_slave() = slaveInfo(options_, self_.port);
  addCommon(&message, options_, checkpointed);
  send(master, message);
  auto registered = await<internal::SlaveRegisteredMessage>(nullptr, timeout);
  id_ = registered.slave_id().value();
}

internal::SlaveReregisteredMessage ScriptedAgent::reregisterWith(
    const wire::Upid& master, const std::vector<mesos::Task>& tasks,
    const std::vector<mesos::FrameworkInfo>& frameworks, const fakes::Resources& checkpointed,
    const std::vector<mesos::ExecutorInfo>& executors, std::chrono::milliseconds timeout) {
  internal::ReregisterSlaveMessage message;
  *message.mutable_slave() = slaveInfo(options_, self_.port);
  message.mutable_slave()->mutable_id()->set_value(id_);
  addCommon(&message, options_, checkpointed);
  for (auto task : tasks) {
    task.mutable_slave_id()->set_value(id_);
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
  update->mutable_slave_id()->set_value(id_);
  update->mutable_executor_id()->set_value(task_id);
  std::string uuid = wire::randomUuidBytes();
  auto* status = update->mutable_status();
  status->mutable_task_id()->set_value(task_id);
  status->set_state(state);
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status->mutable_slave_id()->set_value(id_);
  status->set_timestamp(1.0);
  status->set_uuid(uuid);
  update->set_timestamp(1.0);
  update->set_uuid(uuid);
  update->set_latest_state(state);
  message.set_pid(self_.str());
  send(master, message);
}

}  // namespace svh::master::test
