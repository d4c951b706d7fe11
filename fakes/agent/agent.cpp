#include "fakes/agent/agent.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "fakes/agent/agent_support.hpp"
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

Agent::Agent(asio::io_context& io, AgentFlags flags)
    : io_(io),
      flags_(std::move(flags)),
      process_(io, flags_.ip, flags_.port, "slave(1)"),
      backoff_(flags_.registration_backoff_factor),
      registration_timer_(io),
      health_timer_(io),
      retry_timer_(io),
      gc_timer_(io),
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
  // Mesos's agent refuses to recover in this case too (Slave::recover), with
  // much the same words.
  auto total = fakes::applyCheckpointed(advertised_, checkpointed_);
  if (!total) {
    const std::string checkpoint = (metaDir() / "agent.json").string();
    throw AgentStartError(3, "checkpointed resources " + checkpointed_.str() +
                                 " are incompatible with agent resources " + advertised_.str() +
                                 " (--resources): " + total.error() + "; fix --resources or " +
                                 "remove " + checkpoint);
  }

  std::string why;
  isolate_ = isolationAvailable(&why);
  if (!isolate_) isolation_note_ = why;
  if (flags_.disk == "fuse") {
    if (!disk::fuseAvailable(&why)) {
      throw AgentStartError(
          3, "FUSE is not available (" + why + "); use --disk=plain to run without RO enforcement");
    }
    disk::DiskOptions options;
    options.backing = backing();
    options.mountpoint = flags_.work_dir / "mnt";
    options.trace_file = flags_.work_dir / "trace.jsonl";
    options.faults = flags_.faults;
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
  if (flags_.faults.has(fakes::Fault::kRestartWipesVolumes)) syncVolumes(backing(), checkpointed_, {});
  syncVolumes(backing(), Resources(), checkpointed_);
  std::filesystem::create_directories(metaDir(), ec);
  if (ec) throw AgentStartError(3, "cannot create " + metaDir().string() + ": " + ec.message());
  recoverTasks();
  scheduleLeftoverSandboxes();

  installHandlers();
  process_.onHttp([this](std::shared_ptr<http::Exchange> exchange) { handleHttp(exchange); });
  process_.onExited([this](const std::string& address) {
    if (address == master_.host + ":" + std::to_string(master_.port)) {
      masterLost("connection to the master broke");
    }
  });
}

Agent::~Agent() {
  stop();
}

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
  gc_timer_.cancel();
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
        if (registered(from, m.slave_id().value())) reconcile(m);
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
  process_.on<internal::RunTaskGroupMessage>(
      [this](const wire::Upid&, const std::string&, internal::RunTaskGroupMessage&& m) {
        runTaskGroup(std::move(m));
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
    // RESIZE_VOLUME: GROW_VOLUME and SHRINK_VOLUME reach this agent as new
    // checkpointed resources (a master sends ApplyOperationMessage only to
    // agents with RESOURCE_PROVIDER; Master::_apply), see checkpointResources.
    for (auto type :
         {mesos::SlaveInfo::Capability::MULTI_ROLE, mesos::SlaveInfo::Capability::HIERARCHICAL_ROLE,
          mesos::SlaveInfo::Capability::RESERVATION_REFINEMENT,
          mesos::SlaveInfo::Capability::RESIZE_VOLUME}) {
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
    // Every task this agent runs or still reports on, and the executors of
    // task groups (command tasks have none: the master keeps no executor
    // for them, so they carry no executor_id either).
    std::map<std::string, const mesos::FrameworkInfo*> frameworks;
    for (const auto& [framework_id, tasks] : tasks_) {
      for (const auto& [task_id, task] : tasks) {
        if (task.ghost || task.terminating) continue;
        mesos::Task* proto = message.add_tasks();
        proto->set_name(task.info.name());
        *proto->mutable_task_id() = task.info.task_id();
        proto->mutable_framework_id()->set_value(framework_id);
        proto->mutable_slave_id()->set_value(agent_id_);
        proto->set_state(task.state);
        *proto->mutable_resources() = task.info.resources();
        if (task.in_group) proto->mutable_executor_id()->set_value(task.executor_id);
        if (!task.updates.empty()) {
          const auto& latest = task.updates.back().update;
          proto->set_status_update_state(latest.status().state());
          proto->set_status_update_uuid(latest.uuid());
        }
        frameworks.emplace(framework_id, &task.framework);
      }
    }
    for (const auto& [framework_id, executors] : executors_) {
      for (const auto& [executor_id, executor] : executors) {
        auto it = tasks_.find(framework_id);
        if (it == tasks_.end() || it->second.empty()) continue;
        *message.add_executor_infos() = executor.info;
        message.mutable_executor_infos()->rbegin()->mutable_framework_id()->set_value(framework_id);
        frameworks.emplace(framework_id, &it->second.begin()->second.framework);
      }
    }
    for (const auto& [framework_id, framework] : frameworks) *message.add_frameworks() = *framework;
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

bool Agent::registered(const wire::Upid& from, const std::string& agent_id) {
  if (from.str() != master_.str()) {
    log::warning("ignoring registration answer from ", from.str(), ", not the master ",
                 master_.str());
    return false;
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
  sendExitedExecutors();
  return true;
}

void Agent::reconcile(const internal::SlaveReregisteredMessage& message) {
  // Tasks the master knows and this agent does not are reported so that the
  // master forgets them: TASK_DROPPED to partition-aware frameworks,
  // TASK_LOST to the others (Slave::reregistered; PROTOCOL.md 5.5 (8)).
  for (const auto& reconcile : message.reconciliations()) {
    const std::string& framework_id = reconcile.framework_id().value();
    for (const auto& status : reconcile.statuses()) {
      const std::string& task_id = status.task_id().value();
      if (findTask(framework_id, task_id)) continue;
      log::info("reconciling task ", task_id, " of framework ", framework_id,
                ": task unknown to the agent");
      Task& ghost = tasks_[framework_id][task_id];
      ghost.ghost = true;
      *ghost.info.mutable_task_id() = status.task_id();
      if (reconcile.has_framework()) ghost.framework = reconcile.framework();
      ghost.framework.mutable_id()->set_value(framework_id);
      // A master older than 1.1 sends no FrameworkInfo: not partition-aware.
      bool aware = reconcile.has_framework() && partitionAware(reconcile.framework());
      sendStatus(ghost, aware ? mesos::TASK_DROPPED : mesos::TASK_LOST,
                 "Reconciliation: task unknown to the agent", mesos::TaskStatus::SOURCE_SLAVE,
                 mesos::TaskStatus::REASON_RECONCILIATION);
    }
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
    if (silent > *ping_timeout_seconds_)
      masterLost("no ping from the master for " + std::to_string(silent) + "s");
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
  auto changes = syncVolumes(backing(), checkpointed_, next, flags_.faults);
  for (const auto& path : changes.created) log::info("created volume ", path.string());
  for (const auto& path : changes.removed) log::info("removed volume ", path.string());
  for (const auto& resized : changes.resized) resizeVolume(resized);
  for (const auto& error : changes.errors) log::error(error);
  checkpointed_ = next;
  writeCheckpoint();
}

// GROW_VOLUME or SHRINK_VOLUME: the data stays where it is; what changes is
// the quota the FUSE disk enforces, now for views that use the volume (their
// files may still be open) and later for new ones, which ask for the new
// size. Shrinking below the usage deletes nothing: as under a Mesos agent's
// disk/xfs hard limit, writes that would grow the volume fail (ENOSPC here)
// until enough is removed.
void Agent::resizeVolume(const VolumeChanges::Resized& resized) {
  log::info("volume ", resized.id, " at ", resized.path.string(), " resized from ",
            resized.before_mb, " MB to ", resized.after_mb, " MB");
  if (!disk_) return;
  const auto bytes = megabytesToBytes(resized.after_mb);
  try {
    auto usage = disk_->setQuota(resized.path, bytes);
    if (usage && *usage > bytes) {
      log::warning("volume ", resized.id, " holds ", *usage, " bytes, more than its new size of ",
                   bytes, ": nothing is removed, and writes that would grow it fail with ENOSPC");
    }
  } catch (const disk::DiskError& e) {
    log::error("cannot apply the new size of volume ", resized.id, ": ", e.what());
  }
}

}  // namespace svh::agent
