// Tasks: command tasks (RunTaskMessage) and task groups (RunTaskGroupMessage)
// run as real processes through svh-task, each volume seen through a view
// with the mode of the task's own resource; kills with a grace period;
// framework shutdown.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <optional>

#include "fakes/agent/agent.hpp"
#include "fakes/agent/agent_support.hpp"
#include "fakes/agent/volumes.hpp"
#include "fakes/common/resource_format.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::agent {

namespace internal = mesos::internal;
using fakes::Resources;

namespace {

constexpr const char* kUnknownResources =
    "The checkpointed resources being used by the task or task group are unknown to the agent";

}  // namespace

bool Agent::usesUnknownVolumes(
    const google::protobuf::RepeatedPtrField<mesos::Resource>& resources) const {
  // Every persistent volume a task uses must be one this agent holds
  // (SV-LAUNCH-11).
  Resources volumes = toV1(resources).unallocate().persistentVolumes();
  for (const auto& entry : volumes.entries()) {
    if (!checkpointed_.contains(Resources(entry.resource))) return true;
  }
  return false;
}

void Agent::runTask(internal::RunTaskMessage&& message) {
  std::string framework_id = message.framework().id().value();
  std::string task_id = message.task().task_id().value();
  if (Task* known = findTask(framework_id, task_id); known && !known->ghost) {
    log::warning("ignoring duplicate launch of task ", task_id);
    return;
  }
  tasks_[framework_id].erase(task_id);
  Task& task = tasks_[framework_id][task_id];
  task.info = message.task();
  task.framework = message.framework();
  task.executor_id = task_id;
  task.container_id = wire::randomUuidString();
  task.sandbox = sandboxRoot() / safeName(framework_id) /
                 (safeName(task_id) + "-" + task.container_id.substr(0, 8));
  if (usesUnknownVolumes(task.info.resources())) {
    finish(task, partitionAware(task.framework) ? mesos::TASK_DROPPED : mesos::TASK_LOST,
           kUnknownResources, mesos::TaskStatus::SOURCE_SLAVE,
           mesos::TaskStatus::REASON_RESOURCES_UNKNOWN);
    return;
  }
  launch(task);
}

// As Mesos's default executor runs a task group: each task a command process
// under the one executor id, TASK_STARTING then TASK_RUNNING for each, and
// when one task fails or is killed, the others of the group are killed
// (src/launcher/default_executor.cpp, waited()). When the last one has
// ended the executor has too, and the master hears so (ExitedExecutorMessage).
void Agent::runTaskGroup(internal::RunTaskGroupMessage&& message) {
  const std::string framework_id = message.framework().id().value();
  const std::string executor_id = message.executor().executor_id().value();
  Executor& executor = executors_[framework_id][executor_id];
  if (executor.container_id.empty()) {
    executor.info = message.executor();
    executor.container_id = wire::randomUuidString();
    executor.sandbox = sandboxRoot() / safeName(framework_id) /
                       (safeName(executor_id) + "-" + executor.container_id.substr(0, 8));
  }
  bool unknown = usesUnknownVolumes(executor.info.resources());
  std::vector<std::string> launched;
  for (const auto& info : message.task_group().tasks()) {
    const std::string& task_id = info.task_id().value();
    if (Task* known = findTask(framework_id, task_id); known && !known->ghost) {
      log::warning("ignoring duplicate launch of task ", task_id);
      continue;
    }
    tasks_[framework_id].erase(task_id);
    Task& task = tasks_[framework_id][task_id];
    task.info = info;
    task.framework = message.framework();
    task.executor_id = executor_id;
    task.in_group = true;
    task.container_id = wire::randomUuidString();
    task.sandbox = executor.sandbox / "tasks" / safeName(task_id);
    executor.live.insert(task_id);
    unknown |= usesUnknownVolumes(info.resources());
    launched.push_back(task_id);
  }
  for (const auto& task_id : launched) {
    Task* task = findTask(framework_id, task_id);
    if (!task || wire::isTerminalState(task->state)) continue;  // killed with its group already
    if (unknown) {
      finish(*task, partitionAware(task->framework) ? mesos::TASK_DROPPED : mesos::TASK_LOST,
             kUnknownResources, mesos::TaskStatus::SOURCE_SLAVE,
             mesos::TaskStatus::REASON_RESOURCES_UNKNOWN);
    } else {
      launch(*task);
    }
  }
}

void Agent::launch(Task& task) {
  const std::string task_id = task.info.task_id().value();
  std::error_code ec;
  std::filesystem::create_directories(task.sandbox, ec);
  if (ec) {
    finish(task, mesos::TASK_FAILED, "Failed to create the sandbox: " + ec.message(),
           mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
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
      "MESOS_EXECUTOR_ID=" + task.executor_id,
      "MESOS_FRAMEWORK_ID=" + task.framework.id().value(),
      "MESOS_AGENT_ID=" + agent_id_,
      "MESOS_SLAVE_ID=" + agent_id_,
      "MESOS_CONTAINER_ID=" + task.container_id,
  };
  for (const auto& variable : task.info.command().environment().variables()) {
    spec.environment.push_back(variable.name() + "=" + variable.value());
  }
  spec.hidden = hiddenFromTasks();

  // SV-LAUNCH-10: the task runs as CommandInfo.user, else as
  // FrameworkInfo.user, and owns its sandbox.
  const std::string user =
      task.info.command().has_user() ? task.info.command().user() : task.framework.user();
  std::optional<TaskUser> owner;
  if (!user.empty()) {
    auto found = lookUpUser(user);
    if (!found) {
      finish(task, mesos::TASK_FAILED, "Failed to launch container: " + found.error(),
             mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
      return;
    }
    owner = *found;
    if (geteuid() == 0) {
      spec.uid = owner->uid;
      spec.gid = owner->gid;
      if (::chown(task.sandbox.c_str(), owner->uid, owner->gid) != 0) {
        finish(task, mesos::TASK_FAILED,
               "Failed to launch container: cannot chown the sandbox to user '" + user +
                   "': " + std::strerror(errno),
               mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
        return;
      }
    } else if (owner->uid != geteuid()) {
      finish(task, mesos::TASK_FAILED,
             "Failed to launch container: the agent does not run as root and cannot run a task "
             "as user '" +
                 user + "'",
             mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
      return;
    }
  }

  // Each volume the task names appears at <sandbox>/<container_path>, seen
  // through a view with the mode of the task's own resource (H-RO-3) and
  // holding at most the volume's size (its quota).
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
    if (owner && geteuid() == 0) giveVolumeTo(task, volume_dir, *owner);
    task.volume_dirs.push_back(volume_dir);
    std::filesystem::path source = volume_dir;
    if (disk_) {
      disk::ViewSpec view;
      view.view_id = "v" + std::to_string(next_view_++) + "-" + task.container_id.substr(0, 8);
      view.volume_dir = volume_dir;
      view.mode = resource.disk().volume().mode() == mesos::v1::Volume::RO ? disk::Mode::RO
                                                                           : disk::Mode::RW;
      if (task.in_group && flags_.faults.has(fakes::Fault::kTaskGroupIgnoresRo)) view.mode = disk::Mode::RW;
      view.task_id = task_id;
      view.volume_id = resource.disk().persistence().id();
      view.quota_bytes = megabytesToBytes(resource.scalar().value());
      try {
        source = disk_->addView(view);
      } catch (const disk::DiskError& e) {
        releaseViews(task);
        finish(task, mesos::TASK_FAILED, e.what(), mesos::TaskStatus::SOURCE_SLAVE,
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
    finish(task, mesos::TASK_FAILED, "Failed to launch container: " + launched.error(),
           mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    return;
  }
  task.process = *launched;
  task.running = true;
  log::info("task ", task_id, " started (pid ", task.process.pid, ")");
  sendStatus(task, mesos::TASK_STARTING, "", mesos::TaskStatus::SOURCE_EXECUTOR);
  sendStatus(task, mesos::TASK_RUNNING, "", mesos::TaskStatus::SOURCE_EXECUTOR);
}

// As Mesos's filesystem isolators do: the volume's root directory goes to
// the task's user and group, but only if no other container uses the volume
// now; otherwise it stays, and the task may find it cannot write.
void Agent::giveVolumeTo(const Task& task, const std::filesystem::path& volume_dir,
                         const TaskUser& user) {
  for (const auto& [framework_id, tasks] : tasks_) {
    for (const auto& [task_id, other] : tasks) {
      if (&other == &task || !other.running) continue;
      if (std::find(other.volume_dirs.begin(), other.volume_dirs.end(), volume_dir) !=
          other.volume_dirs.end()) {
        log::info("Leaving the ownership of the persistent volume at '", volume_dir.string(),
                  "' unchanged because it is in use");
        return;
      }
    }
  }
  struct stat st {};
  if (::lstat(volume_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  if (st.st_uid == user.uid && st.st_gid == user.gid) return;
  log::info("changing the ownership of the persistent volume at '", volume_dir.string(),
            "' to user '", user.name, "' (", user.uid, ":", user.gid, ")");
  if (::lchown(volume_dir.c_str(), user.uid, user.gid) != 0) {
    log::warning("cannot chown ", volume_dir.string(), ": ", std::strerror(errno));
  }
}

std::vector<std::filesystem::path> Agent::hiddenFromTasks() const {
  // What a task must not reach through `..` or an absolute path: the backing
  // store (every volume), the FUSE mount (every task's view), the checkpoint
  // (a forged one would make the next agent delete volumes) and the trace
  // (the record of what tasks did).
  std::vector<std::filesystem::path> hidden = {backing(), metaDir()};
  if (disk_) hidden.push_back(disk_->mountpoint());
  std::error_code ec;
  if (std::filesystem::exists(traceFile(), ec)) hidden.push_back(traceFile());
  return hidden;
}

void Agent::reap() {
  child_signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec || stopped_) return;
    struct Exited {
      std::string framework_id;
      std::string task_id;
      int status;
    };
    std::vector<Exited> exited;
    for (auto& [framework_id, tasks] : tasks_) {
      for (auto& [task_id, task] : tasks) {
        if (!task.running) continue;
        int status = 0;
        if (waitpid(task.process.pid, &status, WNOHANG) == task.process.pid) {
          exited.push_back({framework_id, task_id, taskWaitStatus(task.process, status)});
        }
      }
    }
    for (const auto& [framework_id, task_id, status] : exited) {
      if (Task* task = findTask(framework_id, task_id)) taskExited(*task, status);
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
  if (task.terminating) {
    if (!task.in_group) scheduleGc(task.sandbox);
    task.state = mesos::TASK_KILLED;
    const std::string framework_id = task.framework.id().value();
    const std::string task_id = task.info.task_id().value();
    forgetTask(framework_id, task_id);
    checkpointTasks();
    return;
  }
  mesos::TaskState state = task.killing ? mesos::TASK_KILLED
                           : WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0
                               ? mesos::TASK_FINISHED
                               : mesos::TASK_FAILED;
  finish(task, state, message, mesos::TaskStatus::SOURCE_EXECUTOR);
}

void Agent::finish(Task& task, mesos::TaskState state, const std::string& message,
                   mesos::TaskStatus::Source source,
                   std::optional<mesos::TaskStatus::Reason> reason) {
  sendStatus(task, state, message, source, reason);
  // A command task is its own executor: its sandbox goes now. A task
  // group's sandboxes go with their executor's.
  if (!task.in_group) scheduleGc(task.sandbox);
  if (task.in_group) {
    groupTaskEnded(task.framework.id().value(), task.executor_id, task.info.task_id().value(),
                   state);
  }
}

void Agent::groupTaskEnded(const std::string& framework_id, const std::string& executor_id,
                           const std::string& task_id, mesos::TaskState state) {
  auto find = [&]() -> Executor* {
    auto fw = executors_.find(framework_id);
    if (fw == executors_.end()) return nullptr;
    auto it = fw->second.find(executor_id);
    return it == fw->second.end() ? nullptr : &it->second;
  };
  Executor* executor = find();
  if (!executor) return;
  executor->live.erase(task_id);
  if ((state == mesos::TASK_FAILED || state == mesos::TASK_KILLED) && !executor->killing_group) {
    executor->killing_group = true;
    log::info("killing the task group of executor ", executor_id, ": task ", task_id, " ended in ",
              mesos::TaskState_Name(state));
    // Killing a task that has not started ends it at once, which comes
    // back here: work on a copy, and look the executor up again after.
    std::set<std::string> others = executor->live;
    for (const auto& other : others) killTask(framework_id, other, std::nullopt);
    executor = find();
    if (!executor) return;
  }
  if (!executor->live.empty()) return;
  log::info("executor ", executor_id, " of framework ", framework_id, " has no tasks left");
  scheduleGc(executor->sandbox);
  internal::ExitedExecutorMessage exited;
  exited.mutable_framework_id()->set_value(framework_id);
  exited.mutable_executor_id()->set_value(executor_id);
  exited.set_status(0);
  exited_executors_.push_back(exited);
  executors_[framework_id].erase(executor_id);
  if (executors_[framework_id].empty()) executors_.erase(framework_id);
  sendExitedExecutors();
  checkpointTasks();
}

void Agent::killTask(const std::string& framework_id, const std::string& task_id,
                     std::optional<fakes::Duration> grace) {
  Task* task = findTask(framework_id, task_id);
  if (!task || task->ghost) {
    log::info("kill of unknown task ", task_id);
    return;
  }
  if (!task->running) {
    if (!wire::isTerminalState(task->state)) {
      finish(*task, mesos::TASK_KILLED, "Killed before delivery to the executor",
             mesos::TaskStatus::SOURCE_SLAVE, mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
    }
    return;
  }
  if (task->killing) return;  // already on its way out
  task->killing = true;
  // The kill's own grace period, else the task's kill policy, else the
  // agent's default (the command executor's order).
  if (!grace && task->info.has_kill_policy() && task->info.kill_policy().has_grace_period()) {
    grace = fakes::Duration(task->info.kill_policy().grace_period().nanoseconds());
  }
  terminate(*task, grace.value_or(flags_.executor_shutdown_grace_period));
}

void Agent::terminate(Task& task, fakes::Duration grace) {
  ::kill(task.process.pid, SIGTERM);
  // Escalate: SIGKILL to svh-task ends the whole PID namespace.
  task.kill_timer = std::make_unique<asio::steady_timer>(io_, grace);
  const std::string framework_id = task.framework.id().value();
  const std::string task_id = task.info.task_id().value();
  const pid_t pid = task.process.pid;
  task.kill_timer->async_wait(
      [this, framework_id, task_id, pid](const boost::system::error_code& ec) {
        if (ec) return;
        Task* task = findTask(framework_id, task_id);
        if (task && task->running && task->process.pid == pid) {
          log::info("task ", task_id, " outlived its grace period: SIGKILL");
          ::kill(pid, SIGKILL);
        }
      });
}

// As Mesos's agent does (Slave::shutdownFramework): every task of the
// framework is killed with the executor shutdown grace period, and nothing
// more is reported about them: the master has forgotten the framework, and
// updates for a terminating framework are dropped (Slave::statusUpdate).
void Agent::shutdownFramework(const std::string& framework_id) {
  auto it = tasks_.find(framework_id);
  if (it != tasks_.end()) {
    std::vector<std::string> ids;
    for (const auto& [task_id, task] : it->second) ids.push_back(task_id);
    for (const auto& task_id : ids) {
      Task* task = findTask(framework_id, task_id);
      task->terminating = true;
      task->updates.clear();
      if (!task->running) {
        forgetTask(framework_id, task_id);
      } else if (!task->killing) {
        task->killing = true;
        terminate(*task, flags_.executor_shutdown_grace_period);
      }
    }
  }
  // Their sandboxes go too, once their tasks have ended (sandboxInUse).
  if (auto it = executors_.find(framework_id); it != executors_.end()) {
    for (const auto& [executor_id, executor] : it->second) scheduleGc(executor.sandbox);
  }
  executors_.erase(framework_id);
  log::info("shutting down framework ", framework_id);
  checkpointTasks();
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
  if (auto it = fw->second.find(task_id); it != fw->second.end() && !it->second.ghost) {
    completed_.push_back({framework_id, task_id, it->second.state, it->second.sandbox});
    if (completed_.size() > 1000) completed_.pop_front();
  }
  fw->second.erase(task_id);
  if (fw->second.empty()) tasks_.erase(fw);
}

}  // namespace svh::agent
