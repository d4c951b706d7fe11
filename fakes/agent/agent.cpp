#include "fakes/agent/agent.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "fakes/agent/volumes.hpp"
#include "fakes/common/checkpointed.hpp"
#include "fakes/common/resource_format.hpp"
#include "fakes/common/resource_parse.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::agent {

namespace internal = mesos::internal;
using fakes::Resources;

namespace {

double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool terminal(mesos::TaskState state) {
  switch (state) {
    case mesos::TASK_FINISHED:
    case mesos::TASK_FAILED:
    case mesos::TASK_KILLED:
    case mesos::TASK_LOST:
    case mesos::TASK_ERROR:
    case mesos::TASK_DROPPED:
    case mesos::TASK_GONE:
    case mesos::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}

Resources toV1(const google::protobuf::RepeatedPtrField<mesos::Resource>& v0) {
  google::protobuf::RepeatedPtrField<mesos::v1::Resource> v1;
  for (const auto& resource : v0) *v1.Add() = wire::evolve<mesos::v1::Resource>(resource);
  fakes::upgradeResources(&v1);
  return Resources(v1);
}

// A path component made from an id (ids are validated by the master, but an
// agent must not trust a path it builds from the network).
std::string safeName(std::string id) {
  for (char& c : id) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (id == "." || id == ".." || id.empty()) id = "_" + id;
  return id;
}

}  // namespace

Agent::Agent(asio::io_context& io, AgentFlags flags)
    : io_(io),
      flags_(std::move(flags)),
      process_(io, flags_.ip, flags_.port, "slave(1)"),
      backoff_(flags_.registration_backoff_factor),
      registration_timer_(io),
      health_timer_(io),
      retry_timer_(io),
      child_signals_(io, SIGCHLD) {
  auto parsed = fakes::parseResourcesFlag(flags_.resources);
  if (!parsed) throw AgentStartError(2, "--resources: " + parsed.error());
  advertised_ = *parsed;
  if (flags_.hostname.empty()) flags_.hostname = flags_.ip;
  auto master = flags_.master;
  if (master.rfind("http://", 0) == 0) master = master.substr(7);
  auto upid = wire::Upid::parse("master@" + master);
  if (!upid || upid->port == 0) {
    throw AgentStartError(2, "--master: expected host:port, got '" + flags_.master + "'");
  }
  master_ = *upid;

  std::error_code ec;
  std::filesystem::create_directories(backing(), ec);
  if (ec) {
    throw AgentStartError(3, "cannot create work dir " + backing().string() + ": " + ec.message());
  }
  readCheckpoint();
  auto total = fakes::applyCheckpointed(advertised_, checkpointed_);
  if (!total) {
    throw AgentStartError(3, "checkpointed resources do not match --resources: " + total.error());
  }

  std::string why;
  isolate_ = isolationAvailable(&why);
  if (!isolate_) isolation_note_ = why;
  if (flags_.disk == "fuse") {
    if (!disk::fuseAvailable(&why)) {
      throw AgentStartError(3, "FUSE is not available (" + why +
                                   "); use --disk=plain to run without RO enforcement");
    }
    disk::DiskOptions options;
    options.backing = backing();
    options.mountpoint = flags_.work_dir / "mnt";
    options.trace_file = flags_.work_dir / "trace.jsonl";
    try {
      disk_ = disk::FuseDisk::mount(options);
    } catch (const disk::DiskError& e) {
      throw AgentStartError(3, e.what());
    }
  } else if (flags_.disk != "plain") {
    throw AgentStartError(2, "--disk: expected fuse or plain, got '" + flags_.disk + "'");
  }
  // Volumes already checkpointed must exist (a fresh work dir after a
  // checkpoint was copied, say).
  syncVolumes(backing(), Resources(), checkpointed_);

  installHandlers();
  process_.onHttp([this](std::shared_ptr<http::Exchange> exchange) { handleHttp(exchange); });
  process_.onExited([this](const std::string& address) {
    if (address == master_.host + ":" + std::to_string(master_.port)) {
      masterLost("connection to the master broke");
    }
  });
}

Agent::~Agent() { stop(); }

void Agent::start() {
  reap();
  registerWithMaster();
  checkMasterHealth();
  retryUpdates();
}

void Agent::stop() {
  if (stopped_) return;
  stopped_ = true;
  registration_timer_.cancel();
  health_timer_.cancel();
  retry_timer_.cancel();
  child_signals_.cancel();
  for (auto& [framework_id, tasks] : tasks_) {
    for (auto& [task_id, task] : tasks) {
      if (task.running) {
        kill(task.process.pid, SIGKILL);
        waitpid(task.process.pid, nullptr, 0);
        task.running = false;
      }
      if (task.process.status_fd >= 0) close(task.process.status_fd);
      releaseViews(task);
    }
  }
  if (disk_) disk_->unmount();
  process_.stop();
}

// ------------------------------------------------------------------ protocol

void Agent::installHandlers() {
  process_.on<internal::SlaveRegisteredMessage>(
      [this](const wire::Upid& from, const std::string&, internal::SlaveRegisteredMessage&& m) {
        if (m.has_connection() && m.connection().has_total_ping_timeout_seconds()) {
          ping_timeout_seconds_ = m.connection().total_ping_timeout_seconds();
        }
        registered(from, m.slave_id().value());
      });
  process_.on<internal::SlaveReregisteredMessage>(
      [this](const wire::Upid& from, const std::string&, internal::SlaveReregisteredMessage&& m) {
        if (m.has_connection() && m.connection().has_total_ping_timeout_seconds()) {
          ping_timeout_seconds_ = m.connection().total_ping_timeout_seconds();
        }
        registered(from, m.slave_id().value());
        // Tasks the master knows and we do not: report them lost.
        for (const auto& reconcile : m.reconciliations()) {
          for (const auto& status : reconcile.statuses()) {
            if (findTask(reconcile.framework_id().value(), status.task_id().value())) continue;
            log::info("master knows task ", status.task_id().value(), " that this agent does not");
          }
        }
      });
  process_.on<internal::PingSlaveMessage>(
      [this](const wire::Upid& from, const std::string&, internal::PingSlaveMessage&& m) {
        ping(from, m);
      });
  process_.on<internal::CheckpointResourcesMessage>(
      [this](const wire::Upid& from, const std::string&, internal::CheckpointResourcesMessage&& m) {
        if (from.str() != master_.str()) return;
        checkpointResources(m.resources());
      });
  process_.on<internal::RunTaskMessage>(
      [this](const wire::Upid&, const std::string&, internal::RunTaskMessage&& m) {
        runTask(std::move(m));
      });
  process_.on<internal::KillTaskMessage>(
      [this](const wire::Upid&, const std::string&, internal::KillTaskMessage&& m) {
        std::optional<fakes::Duration> grace;
        if (m.has_kill_policy() && m.kill_policy().has_grace_period()) {
          grace = fakes::Duration(m.kill_policy().grace_period().nanoseconds());
        }
        killTask(m.framework_id().value(), m.task_id().value(), grace);
      });
  process_.on<internal::ShutdownFrameworkMessage>(
      [this](const wire::Upid&, const std::string&, internal::ShutdownFrameworkMessage&& m) {
        shutdownFramework(m.framework_id().value());
      });
  process_.on<internal::StatusUpdateAcknowledgementMessage>(
      [this](const wire::Upid&, const std::string&,
             internal::StatusUpdateAcknowledgementMessage&& m) { acknowledge(m); });
  process_.on<internal::ShutdownMessage>(
      [this](const wire::Upid& from, const std::string&, internal::ShutdownMessage&& m) {
        log::error("master ", from.str(), " asked this agent to shut down: ", m.message());
        stop();
        io_.stop();
      });
}

void Agent::registerWithMaster() {
  if (stopped_ || registered_) return;
  mesos::SlaveInfo info;
  info.set_hostname(flags_.hostname);
  info.set_port(process_.port());
  info.set_checkpoint(true);
  for (const auto& r : advertised_.toVector()) {
    auto v0 = r;
    *info.add_resources() = wire::evolve<mesos::Resource>(v0);
  }
  auto capabilities = [](auto* message) {
    for (auto type : {mesos::SlaveInfo::Capability::MULTI_ROLE,
                      mesos::SlaveInfo::Capability::HIERARCHICAL_ROLE,
                      mesos::SlaveInfo::Capability::RESERVATION_REFINEMENT}) {
      message->add_agent_capabilities()->set_type(type);
    }
  };
  auto checkpointed = [&](auto* list) {
    for (const auto& r : checkpointed_.toVector()) *list->Add() = wire::evolve<mesos::Resource>(r);
  };
  if (agent_id_.empty()) {
    internal::RegisterSlaveMessage message;
    *message.mutable_slave() = info;
    message.set_version("1.12.0");
    capabilities(&message);
    checkpointed(message.mutable_checkpointed_resources());
    message.mutable_resource_version_uuid()->set_value(wire::randomUuidBytes());
    process_.send(master_, message);
  } else {
    internal::ReregisterSlaveMessage message;
    info.mutable_id()->set_value(agent_id_);
    *message.mutable_slave() = info;
    message.set_version("1.12.0");
    capabilities(&message);
    checkpointed(message.mutable_checkpointed_resources());
    message.mutable_resource_version_uuid()->set_value(wire::randomUuidBytes());
    std::set<std::string> frameworks;
    for (const auto& [framework_id, tasks] : tasks_) {
      for (const auto& [task_id, task] : tasks) {
        mesos::Task* proto = message.add_tasks();
        proto->set_name(task.info.name());
        *proto->mutable_task_id() = task.info.task_id();
        proto->mutable_framework_id()->set_value(framework_id);
        proto->mutable_slave_id()->set_value(agent_id_);
        proto->set_state(task.state);
        *proto->mutable_resources() = task.info.resources();
        if (frameworks.insert(framework_id).second) {
          *message.add_frameworks() = task.framework;
        }
      }
    }
    process_.send(master_, message);
  }
  registering_ = true;
  scheduleRegistration();
}

void Agent::scheduleRegistration() {
  // Retry with a random delay up to the backoff, doubling up to a minute
  // (as a Mesos agent does), until the master answers.
  static std::mt19937 random{std::random_device{}()};
  auto limit = std::max<long long>(1, backoff_.count());
  auto delay = fakes::Duration(std::uniform_int_distribution<long long>(limit / 2, limit)(random));
  backoff_ = std::min<fakes::Duration>(backoff_ * 2, std::chrono::minutes(1));
  registration_timer_.expires_after(delay);
  registration_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_ && !registered_) registerWithMaster();
  });
}

void Agent::registered(const wire::Upid& from, const std::string& agent_id) {
  if (from.str() != master_.str()) {
    log::warning("ignoring registration answer from ", from.str(), ", not the master ",
                 master_.str());
    return;
  }
  bool first = !registered_;
  registered_ = true;
  registering_ = false;
  registration_timer_.cancel();
  backoff_ = flags_.registration_backoff_factor;
  last_ping_ = Clock::now();
  if (agent_id_ != agent_id) {
    agent_id_ = agent_id;
    writeCheckpoint();
  }
  if (first) {
    log::info("registered with ", master_.str(), " as agent ", agent_id_);
    std::printf("svh-agent registered id=%s\n", agent_id_.c_str());
    std::fflush(stdout);
  }
  for (auto& [framework_id, tasks] : tasks_) {
    for (auto& [task_id, task] : tasks) flushUpdates(task, true);
  }
}

void Agent::ping(const wire::Upid& from, const internal::PingSlaveMessage& message) {
  last_ping_ = Clock::now();
  process_.send(from, internal::PongSlaveMessage());
  if (!message.connected() && registered_) masterLost("the master says this agent is disconnected");
}

void Agent::masterLost(const std::string& why) {
  if (stopped_) return;
  log::info("re-registering: ", why);
  registered_ = false;
  if (!registering_) {
    backoff_ = flags_.registration_backoff_factor;
    scheduleRegistration();
    registering_ = true;
  }
}

void Agent::checkMasterHealth() {
  if (registered_ && ping_timeout_seconds_) {
    auto silent = std::chrono::duration<double>(Clock::now() - last_ping_).count();
    if (silent > *ping_timeout_seconds_) masterLost("no ping from the master for " +
                                                    std::to_string(silent) + "s");
  }
  health_timer_.expires_after(std::chrono::seconds(1));
  health_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) checkMasterHealth();
  });
}

void Agent::checkpointResources(const google::protobuf::RepeatedPtrField<mesos::Resource>& list) {
  Resources next = toV1(list);
  auto total = fakes::applyCheckpointed(advertised_, next);
  if (!total) {
    // Keep the volumes we have: a bad message must not cost data.
    log::error("ignoring checkpointed resources that do not fit this agent: ", total.error());
    return;
  }
  auto changes = syncVolumes(backing(), checkpointed_, next);
  for (const auto& path : changes.created) log::info("created volume ", path.string());
  for (const auto& path : changes.removed) log::info("removed volume ", path.string());
  for (const auto& error : changes.errors) log::error(error);
  checkpointed_ = next;
  writeCheckpoint();
}

// --------------------------------------------------------------------- tasks

void Agent::runTask(internal::RunTaskMessage&& message) {
  std::string framework_id = message.framework().id().value();
  std::string task_id = message.task().task_id().value();
  frameworks_[framework_id] = message.framework();
  if (findTask(framework_id, task_id)) {
    log::warning("ignoring duplicate launch of task ", task_id);
    return;
  }
  Task& task = tasks_[framework_id][task_id];
  task.info = message.task();
  task.framework = message.framework();
  task.container_id = wire::randomUuidString();

  // Every persistent volume the task uses must be one this agent holds
  // (SV-LAUNCH-11).
  Resources wanted = toV1(task.info.resources()).unallocate();
  Resources volumes = wanted.persistentVolumes();
  for (const auto& entry : volumes.entries()) {
    if (!checkpointed_.contains(Resources(entry.resource))) {
      bool partition_aware = false;
      for (const auto& capability : task.framework.capabilities()) {
        partition_aware |= capability.type() == mesos::FrameworkInfo::Capability::PARTITION_AWARE;
      }
      sendStatus(task, partition_aware ? mesos::TASK_DROPPED : mesos::TASK_LOST,
                 "The checkpointed resources being used by the task or task group are unknown "
                 "to the agent",
                 mesos::TaskStatus::REASON_RESOURCES_UNKNOWN);
      return;
    }
  }
  launch(task);
}

void Agent::launch(Task& task) {
  std::string task_id = task.info.task_id().value();
  task.sandbox = flags_.work_dir / "sandboxes" / safeName(task.framework.id().value()) /
                 (safeName(task_id) + "-" + task.container_id.substr(0, 8));
  std::error_code ec;
  std::filesystem::create_directories(task.sandbox, ec);
  if (ec) {
    sendStatus(task, mesos::TASK_FAILED, "cannot create sandbox: " + ec.message(),
               mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    return;
  }

  LaunchSpec spec;
  spec.task_id = task_id;
  spec.sandbox = task.sandbox;
  spec.isolate = isolate_;
  spec.command = task.info.command().value();
  spec.environment = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/",
      "MESOS_SANDBOX=" + task.sandbox.string(),
      "MESOS_DIRECTORY=" + task.sandbox.string(),
      "MESOS_TASK_ID=" + task_id,
      "MESOS_EXECUTOR_ID=" + task_id,
      "MESOS_FRAMEWORK_ID=" + task.framework.id().value(),
      "MESOS_AGENT_ID=" + agent_id_,
      "MESOS_SLAVE_ID=" + agent_id_,
      "MESOS_CONTAINER_ID=" + task.container_id,
  };
  for (const auto& variable : task.info.command().environment().variables()) {
    spec.environment.push_back(variable.name() + "=" + variable.value());
  }

  // Each volume the task names appears at <sandbox>/<container_path>, seen
  // through a view with the mode of the task's own resource (H-RO-3).
  for (const auto& v0 : task.info.resources()) {
    auto resource = wire::evolve<mesos::v1::Resource>(v0);
    if (!fakes::isPersistentVolume(resource) || !resource.disk().has_volume()) continue;
    fakes::upgradeResource(&resource);
    const std::string& container_path = resource.disk().volume().container_path();
    std::filesystem::path relative(container_path);
    if (container_path.empty() || relative.is_absolute() ||
        container_path.find("..") != std::string::npos) {
      log::warning("task ", task_id, ": skipping volume with container_path '", container_path,
                   "'");
      continue;
    }
    auto volume_dir = volumePath(backing(), resource);
    std::filesystem::path source = volume_dir;
    if (disk_) {
      disk::ViewSpec view;
      view.view_id = "v" + std::to_string(next_view_++) + "-" + task.container_id.substr(0, 8);
      view.volume_dir = volume_dir;
      view.mode = resource.disk().volume().mode() == mesos::v1::Volume::RO ? disk::Mode::RO
                                                                           : disk::Mode::RW;
      view.task_id = task_id;
      view.volume_id = resource.disk().persistence().id();
      try {
        source = disk_->addView(view);
      } catch (const disk::DiskError& e) {
        releaseViews(task);
        sendStatus(task, mesos::TASK_FAILED, e.what(),
                   mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
        return;
      }
      task.views.push_back(view.view_id);
    }
    spec.volumes.push_back({source, task.sandbox / relative});
  }

  auto launched = launchTask(spec);
  if (!launched) {
    releaseViews(task);
    sendStatus(task, mesos::TASK_FAILED, "Failed to launch container: " + launched.error(),
               mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    return;
  }
  task.process = *launched;
  task.running = true;
  log::info("task ", task_id, " started (pid ", task.process.pid, ")");
  sendStatus(task, mesos::TASK_STARTING, "");
  sendStatus(task, mesos::TASK_RUNNING, "");
}

void Agent::reap() {
  child_signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec || stopped_) return;
    for (auto& [framework_id, tasks] : tasks_) {
      for (auto& [task_id, task] : tasks) {
        if (!task.running) continue;
        int status = 0;
        if (waitpid(task.process.pid, &status, WNOHANG) == task.process.pid) {
          taskExited(task, taskWaitStatus(task.process, status));
        }
      }
    }
    reap();
  });
}

void Agent::taskExited(Task& task, int wait_status) {
  task.running = false;
  if (task.process.status_fd >= 0) {
    close(task.process.status_fd);
    task.process.status_fd = -1;
  }
  if (task.kill_timer) task.kill_timer->cancel();
  releaseViews(task);
  std::string message = describeWaitStatus(wait_status);
  log::info("task ", task.info.task_id().value(), ": ", message);
  if (task.killing) {
    sendStatus(task, mesos::TASK_KILLED, message);
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    sendStatus(task, mesos::TASK_FINISHED, message);
  } else {
    sendStatus(task, mesos::TASK_FAILED, message);
  }
}

void Agent::killTask(const std::string& framework_id, const std::string& task_id,
                     std::optional<fakes::Duration> grace) {
  Task* task = findTask(framework_id, task_id);
  if (!task) {
    log::info("kill of unknown task ", task_id);
    return;
  }
  if (!task->running) {
    if (!terminal(task->state)) {
      sendStatus(*task, mesos::TASK_KILLED, "Task killed before it was launched",
                 mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
    }
    return;
  }
  task->killing = true;
  ::kill(task->process.pid, SIGTERM);
  // Escalate: SIGKILL to the supervisor ends the whole namespace.
  task->kill_timer = std::make_unique<asio::steady_timer>(
      io_, grace.value_or(flags_.executor_shutdown_grace_period));
  pid_t pid = task->process.pid;
  task->kill_timer->async_wait([this, framework_id, task_id, pid](
                                   const boost::system::error_code& ec) {
    if (ec) return;
    Task* task = findTask(framework_id, task_id);
    if (task && task->running && task->process.pid == pid) ::kill(pid, SIGKILL);
  });
}

void Agent::shutdownFramework(const std::string& framework_id) {
  auto it = tasks_.find(framework_id);
  if (it == tasks_.end()) return;
  for (auto& [task_id, task] : it->second) {
    if (task.running) {
      task.killing = true;
      ::kill(task.process.pid, SIGKILL);
    }
  }
}

void Agent::sendStatus(Task& task, mesos::TaskState state, const std::string& message,
                       std::optional<mesos::TaskStatus::Reason> reason) {
  task.state = state;
  double now = unixNow();
  std::string uuid = wire::randomUuidBytes();
  internal::StatusUpdate update;
  update.mutable_framework_id()->set_value(task.framework.id().value());
  update.mutable_executor_id()->set_value(task.info.task_id().value());
  update.mutable_slave_id()->set_value(agent_id_);
  auto* status = update.mutable_status();
  *status->mutable_task_id() = task.info.task_id();
  status->set_state(state);
  if (!message.empty()) status->set_message(message);
  status->set_source(reason && *reason != mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH &&
                             *reason != mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED
                         ? mesos::TaskStatus::SOURCE_SLAVE
                         : mesos::TaskStatus::SOURCE_EXECUTOR);
  if (reason) status->set_reason(*reason);
  status->mutable_slave_id()->set_value(agent_id_);
  status->mutable_executor_id()->set_value(task.info.task_id().value());
  status->set_timestamp(now);
  status->set_uuid(uuid);
  status->mutable_container_status()->mutable_container_id()->set_value(task.container_id);
  if (task.process.pid > 0) status->mutable_container_status()->set_executor_pid(task.process.pid);
  update.set_timestamp(now);
  update.set_uuid(uuid);
  update.set_latest_state(state);
  task.updates.push_back({update, {}});
  // Every queued update reports the task's latest state to the master.
  for (auto& entry : task.updates) entry.update.set_latest_state(state);
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
  auto interval = std::min<fakes::Duration>(flags_.status_update_retry_interval,
                                           std::chrono::seconds(1));
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
  bool was_terminal = terminal(task->updates.front().update.status().state());
  task->updates.pop_front();
  if (was_terminal && task->updates.empty()) {
    forgetTask(framework_id, task_id);
    return;
  }
  flushUpdates(*task, true);
}

void Agent::releaseViews(Task& task) {
  if (disk_) {
    for (const auto& view : task.views) {
      try {
        disk_->removeView(view);
      } catch (const std::exception& e) {
        log::warning("cannot remove view ", view, ": ", e.what());
      }
    }
  }
  task.views.clear();
}

Agent::Task* Agent::findTask(const std::string& framework_id, const std::string& task_id) {
  auto fw = tasks_.find(framework_id);
  if (fw == tasks_.end()) return nullptr;
  auto it = fw->second.find(task_id);
  return it == fw->second.end() ? nullptr : &it->second;
}

void Agent::forgetTask(const std::string& framework_id, const std::string& task_id) {
  auto fw = tasks_.find(framework_id);
  if (fw == tasks_.end()) return;
  if (auto it = fw->second.find(task_id); it != fw->second.end()) {
    completed_.push_back({framework_id, task_id, it->second.state, it->second.sandbox});
    if (completed_.size() > 1000) completed_.pop_front();
  }
  fw->second.erase(task_id);
  if (fw->second.empty()) tasks_.erase(fw);
}

// --------------------------------------------------------------------- state

void Agent::handleHttp(std::shared_ptr<http::Exchange> exchange) {
  std::string_view target = exchange->request().target();
  std::string path(target.substr(0, target.find('?')));
  using nlohmann::ordered_json;
  auto flags = [&] {
    ordered_json f;
    f["master"] = flags_.master;
    f["work_dir"] = flags_.work_dir.string();
    f["resources"] = flags_.resources;
    f["disk"] = flags_.disk;
    // What H-RO-1 checks look at: whether this agent enforces RO.
    f["isolation"] = disk_ ? "svh/fuse" : "svh/plain";
    f["launcher"] = isolate_ ? "svh/namespaces" : "svh/posix";
    f["ro_enforced"] = disk_ ? "true" : "false";
    return f;
  };
  auto json = [&](const ordered_json& body) {
    exchange->respond(
        http::makeResponse(http::bhttp::status::ok, body.dump(), "application/json"));
  };
  if (path == "/health" || path == "/slave(1)/health") {
    return exchange->respond(http::makeResponse(http::bhttp::status::ok));
  }
  if (path == "/flags" || path == "/slave(1)/flags") return json({{"flags", flags()}});
  if (path == "/state" || path == "/slave(1)/state") {
    ordered_json state;
    state["id"] = agent_id_;
    state["pid"] = process_.self().str();
    state["hostname"] = flags_.hostname;
    state["registered"] = registered_;
    state["flags"] = flags();
    if (!isolation_note_.empty()) state["isolation_note"] = isolation_note_;
    ordered_json volumes = ordered_json::array();
    for (const auto& entry : checkpointed_.persistentVolumes().entries()) {
      volumes.push_back({{"id", entry.resource.disk().persistence().id()},
                         {"role", fakes::reservationRole(entry.resource)},
                         {"shared", entry.resource.has_shared()},
                         {"path", volumePath(backing(), entry.resource).string()}});
    }
    state["volumes"] = volumes;
    ordered_json tasks = ordered_json::array();
    for (const auto& [framework_id, list] : tasks_) {
      for (const auto& [task_id, task] : list) {
        tasks.push_back({{"id", task_id},
                         {"framework_id", framework_id},
                         {"state", mesos::TaskState_Name(task.state)},
                         {"sandbox", task.sandbox.string()},
                         {"pid", task.process.pid}});
      }
    }
    state["tasks"] = tasks;
    ordered_json completed = ordered_json::array();
    for (const auto& task : completed_) {
      completed.push_back({{"id", task.task_id},
                           {"framework_id", task.framework_id},
                           {"state", mesos::TaskState_Name(task.state)},
                           {"sandbox", task.sandbox.string()}});
    }
    state["completed_tasks"] = completed;
    state["trace"] = (flags_.work_dir / "trace.jsonl").string();
    return json(state);
  }
  exchange->respond(http::makeResponse(http::bhttp::status::not_found));
}

void Agent::writeCheckpoint() const {
  nlohmann::ordered_json checkpoint;
  checkpoint["agent_id"] = agent_id_;
  auto resources = nlohmann::ordered_json::array();
  for (const auto& r : checkpointed_.toVector()) resources.push_back(wire::toJson(r));
  checkpoint["checkpointed_resources"] = resources;
  auto dir = flags_.work_dir / "meta";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto temporary = dir / "agent.json.tmp";
  {
    std::ofstream out(temporary);
    out << checkpoint.dump(2) << "\n";
    if (!out) {
      log::error("cannot write checkpoint ", temporary.string());
      return;
    }
  }
  std::filesystem::rename(temporary, dir / "agent.json", ec);
  if (ec) log::error("cannot write checkpoint: ", ec.message());
}

void Agent::readCheckpoint() {
  auto file = flags_.work_dir / "meta" / "agent.json";
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

}  // namespace svh::agent
