#pragma once
// Starts one task as a real process tree that cannot outlive the agent and
// sees its volumes at <sandbox>/<container_path>. The agent spawns svh-task
// (task_main.cpp) for it: setting up namespaces needs fork() in the child,
// and a child of the multi-threaded agent inherits libc locks (malloc's,
// say) that another agent thread may hold at that moment, so only
// async-signal-safe calls are allowed there; a fresh single-threaded
// program has no such limit. svh-task gives the task its own mount and
// PID namespaces, bind-mounts each volume view into the sandbox (so `..`
// from a volume leads to the sandbox, as with Mesos's filesystem/linux
// isolator), hides the agent's own directories from the task, gives it its
// own /proc and takes CAP_SYS_ADMIN from it (task_main.cpp says why),
// forwards termination signals and reports the task's wait status through a
// pipe. When the agent dies, the whole tree dies with it
// and the bind mounts vanish with the namespace.
//
// Without isolation (not root), the task runs without namespaces and
// volumes are symlinks; that mode is reported, never silently used.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/util/result.hpp"

namespace svh::agent {

struct VolumeMount {
  std::filesystem::path source;  // the FUSE view (or backing dir for --disk=plain)
  std::filesystem::path target;  // <sandbox>/<container_path>
};

struct LaunchSpec {
  std::string task_id;
  std::filesystem::path sandbox;  // exists; stdout/stderr files go here
  std::string command;            // run as /bin/sh -c <command>
  std::vector<std::string> environment;  // "NAME=value"
  std::vector<VolumeMount> volumes;
  // Paths the task must not reach (the agent's backing store, FUSE mount
  // point, checkpoint, trace): covered in its mount namespace once the
  // volumes are bound. Each must exist.
  std::vector<std::filesystem::path> hidden;
  bool isolate = true;
  // Who the task runs as (SV-LAUNCH-10); unset: as the agent.
  std::optional<uid_t> uid;
  gid_t gid = 0;
};

struct LaunchedTask {
  pid_t pid = -1;      // svh-task: signal it to signal the task
  int status_fd = -1;  // read end: the task's wait status
};

// Whether namespaces can be used here (root with CAP_SYS_ADMIN).
bool isolationAvailable(std::string* why);

Result<LaunchedTask> launchTask(const LaunchSpec& spec);

// After svh-task was reaped with `launcher_status`, the task's own wait
// status (from the status pipe; the launcher's if the task never reported).
int taskWaitStatus(const LaunchedTask& task, int launcher_status);

// "Command exited with status N" / "Command terminated with signal Terminated"
// (the command executor's messages, recorded from Mesos 1.12).
std::string describeWaitStatus(int status);

}  // namespace svh::agent
