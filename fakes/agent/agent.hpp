#pragma once
// svh-agent: a Mesos agent for shared persistent volumes. It speaks the
// agent protocol (PROTOCOL.md 5.5) to any master, serves volumes from its
// FUSE disk with each task's own access mode, and runs tasks as real
// processes. Everything but the FUSE threads runs on one io_context.
//
// The class is split by concern:
//   agent.cpp          start/stop, registration, the master's messages
//   agent_tasks.cpp    launching, killing and reaping tasks; task groups
//   agent_updates.cpp  status update streams (retry until acknowledged)
//   agent_recovery.cpp the task checkpoint and what a restart makes of it
//   agent_gc.cpp       removing the sandboxes of ended tasks after --gc_delay
//   agent_state.cpp    /state, /flags, /health

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "fakes/agent/agent_support.hpp"
#include "fakes/agent/disk/fuse_disk.hpp"
#include "fakes/agent/tasks/launcher.hpp"
#include "fakes/agent/volumes.hpp"
#include "fakes/common/duration.hpp"
#include "fakes/common/resources.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "harness/http/libprocess.hpp"
#include "mesos/internal/messages.pb.h"

namespace svh::agent {

namespace asio = http::asio;

struct AgentFlags {
  std::string master;  // host:port of the master
  std::string ip = "127.0.0.1";
  std::uint16_t port = 5051;
  std::string hostname;
  std::filesystem::path work_dir;
  std::string resources = "cpus:4;mem:4096;disk:4096;ports:[31000-32000]";
  std::string disk = "fuse";  // fuse | plain
  fakes::Duration registration_backoff_factor = std::chrono::seconds(1);
  fakes::Duration status_update_retry_interval = std::chrono::seconds(10);
  fakes::Duration executor_shutdown_grace_period = std::chrono::seconds(3);
  // How long an ended task's sandbox stays (Mesos's --gc_delay, default 1weeks).
  fakes::Duration gc_delay = std::chrono::hours(24 * 7);
  fakes::Faults faults;  // seeded faults (fakes/common/seeded_faults.hpp)
};

// Why the agent cannot start, with the exit code it should end with
// (2 bad flags, 3 environment).
class AgentStartError : public std::runtime_error {
 public:
  AgentStartError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code(exit_code) {}
  int exit_code;
};

class Agent {
 public:
  Agent(asio::io_context& io, AgentFlags flags);  // throws AgentStartError
  ~Agent();

  void start();
  // Kills every task, removes their views and unmounts the disk. The task
  // checkpoint stays: a restarted agent reports those tasks.
  void stop();
  std::uint16_t port() const { return process_.port(); }
  const wire::Upid& self() const { return process_.self(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct StatusEntry {
    mesos::internal::StatusUpdate update;
    Clock::time_point last_sent{};
  };

  struct Task {
    mesos::TaskInfo info;
    mesos::FrameworkInfo framework;
    // The command task's own id, or the executor of its task group.
    std::string executor_id;
    bool in_group = false;  // launched by RunTaskGroupMessage
    // Only an update stream: a task the master listed that this agent did
    // not know (reconciliation); it never runs and is never reported.
    bool ghost = false;
    std::string container_id;
    std::filesystem::path sandbox;
    std::vector<std::string> views;
    // The backing directories of the volumes it uses (whether another task
    // still uses a volume decides its ownership, SV-LAUNCH-10).
    std::vector<std::filesystem::path> volume_dirs;
    LaunchedTask process;
    bool running = false;      // the process exists
    bool killing = false;      // a kill was requested
    bool terminating = false;  // its framework was shut down: no more updates
    mesos::TaskState state = mesos::TASK_STAGING;
    std::deque<StatusEntry> updates;  // unacknowledged, in order; head in flight
    std::unique_ptr<asio::steady_timer> kill_timer;
  };

  // The executor of a task group: its tasks run as command processes under
  // its id, as Mesos's default executor runs them.
  struct Executor {
    mesos::ExecutorInfo info;
    std::string container_id;
    std::filesystem::path sandbox;
    std::set<std::string> live;  // its tasks that have not ended
    bool killing_group = false;  // one task failed or was killed: the rest go too
  };

  // protocol (agent.cpp)
  void installHandlers();
  void registerWithMaster();
  void scheduleRegistration();
  // False if `from` is not the master (the answer is ignored).
  bool registered(const wire::Upid& from, const std::string& agent_id);
  void reconcile(const mesos::internal::SlaveReregisteredMessage& message);
  void ping(const wire::Upid& from, const mesos::internal::PingSlaveMessage& message);
  void checkpointResources(const google::protobuf::RepeatedPtrField<mesos::Resource>& resources);
  void resizeVolume(const VolumeChanges::Resized& resized);
  void masterLost(const std::string& why);
  void checkMasterHealth();

  // tasks (agent_tasks.cpp)
  void runTask(mesos::internal::RunTaskMessage&& message);
  void runTaskGroup(mesos::internal::RunTaskGroupMessage&& message);
  // Whether `resources` name a persistent volume this agent does not hold.
  bool usesUnknownVolumes(
      const google::protobuf::RepeatedPtrField<mesos::Resource>& resources) const;
  void launch(Task& task);
  void reap();
  void taskExited(Task& task, int wait_status);
  // The task ended (or never started) in terminal `state`: report it, then
  // what its task group does about it.
  void finish(Task& task, mesos::TaskState state, const std::string& message,
              mesos::TaskStatus::Source source,
              std::optional<mesos::TaskStatus::Reason> reason = std::nullopt);
  void groupTaskEnded(const std::string& framework_id, const std::string& executor_id,
                      const std::string& task_id, mesos::TaskState state);
  void killTask(const std::string& framework_id, const std::string& task_id,
                std::optional<fakes::Duration> grace);
  void terminate(Task& task, fakes::Duration grace);
  void shutdownFramework(const std::string& framework_id);
  void releaseViews(Task& task);
  std::vector<std::filesystem::path> hiddenFromTasks() const;
  // Hands the volume at `volume_dir` to the task's user unless another
  // running task uses it (SV-LAUNCH-10, without --volume_gid_range).
  void giveVolumeTo(const Task& task, const std::filesystem::path& volume_dir,
                    const TaskUser& user);
  Task* findTask(const std::string& framework_id, const std::string& task_id);
  void forgetTask(const std::string& framework_id, const std::string& task_id);

  // status updates (agent_updates.cpp)
  void sendStatus(Task& task, mesos::TaskState state, const std::string& message,
                  mesos::TaskStatus::Source source,
                  std::optional<mesos::TaskStatus::Reason> reason = std::nullopt);
  void flushUpdates(Task& task, bool force);
  void retryUpdates();
  void acknowledge(const mesos::internal::StatusUpdateAcknowledgementMessage& message);
  void sendExitedExecutors();

  // checkpoint and recovery (agent_recovery.cpp)
  void writeCheckpoint() const;
  void readCheckpoint();
  void checkpointTasks() const;
  void recoverTasks();

  // sandbox garbage collection (agent_gc.cpp)
  using WallClock = std::chrono::system_clock;
  // Removes `sandbox` at `due` (default: --gc_delay from now).
  void scheduleGc(const std::filesystem::path& sandbox,
                  std::optional<WallClock::time_point> due = std::nullopt);
  // Sandboxes found on disk at start (left by an earlier run): each goes
  // --gc_delay after it last changed, unless a task the agent knows is in it.
  void scheduleLeftoverSandboxes();
  void armGcTimer();
  void collectGarbage();
  bool sandboxInUse(const std::filesystem::path& sandbox) const;

  // state (agent_state.cpp)
  void handleHttp(std::shared_ptr<http::Exchange> exchange);

  std::filesystem::path backing() const { return flags_.work_dir / "disk"; }
  std::filesystem::path metaDir() const { return flags_.work_dir / "meta"; }
  std::filesystem::path traceFile() const { return flags_.work_dir / "trace.jsonl"; }
  std::filesystem::path sandboxRoot() const { return flags_.work_dir / "sandboxes"; }

  asio::io_context& io_;
  AgentFlags flags_;
  fakes::Resources advertised_;    // from --resources
  fakes::Resources checkpointed_;  // dynamic reservations and volumes, as the master says
  std::unique_ptr<disk::FuseDisk> disk_;
  bool isolate_ = true;
  std::string isolation_note_;
  http::Process process_;
  wire::Upid master_;
  std::string agent_id_;
  bool registered_ = false;
  bool registering_ = false;
  fakes::Duration backoff_;
  std::optional<double> ping_timeout_seconds_;
  Clock::time_point last_ping_ = Clock::now();
  asio::steady_timer registration_timer_;
  asio::steady_timer health_timer_;
  asio::steady_timer retry_timer_;
  asio::steady_timer gc_timer_;
  asio::signal_set child_signals_;
  // framework id -> task id -> task
  std::map<std::string, std::map<std::string, Task>> tasks_;
  // framework id -> executor id -> the executor of a task group
  std::map<std::string, std::map<std::string, Executor>> executors_;
  // Executors of task groups that ended, for the master to release their
  // resources; sent once registered (Mesos sends them unreliably too).
  std::deque<mesos::internal::ExitedExecutorMessage> exited_executors_;
  // Tasks whose terminal update was acknowledged: still listed in /state
  // with their sandboxes (kept, like Mesos's completed executors).
  struct CompletedTask {
    std::string framework_id;
    std::string task_id;
    mesos::TaskState state;
    std::filesystem::path sandbox;
  };
  std::deque<CompletedTask> completed_;
  // Sandboxes waiting for removal, and when they go.
  std::map<std::filesystem::path, WallClock::time_point> gc_scheduled_;
  // Sandboxes the GC removed (the latest 1000), for /state.
  std::deque<std::filesystem::path> gc_removed_;
  int next_view_ = 0;
  bool stopped_ = false;
};

}  // namespace svh::agent
