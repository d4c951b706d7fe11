#pragma once
// Starts one task as a real process tree that cannot outlive the agent and
// sees its volumes at <sandbox>/<container_path>.
//
// With isolation (root), the task runs in its own mount and PID namespaces:
// a small supervisor is PID 1 there, bind-mounts each volume view into the
// sandbox (so `..` from a volume leads to the sandbox, as with Mesos's
// filesystem/linux isolator), forwards termination signals to the task's
// process group and reports the task's wait status through a pipe. When the
// supervisor dies (the agent was killed: PR_SET_PDEATHSIG), the kernel kills
// everything in the namespace, and the bind mounts vanish with it, so nothing
// a task started or mounted can be left behind.
//
// Without isolation (not root), the task is a plain child in its own session
// and volumes are symlinks; that mode is reported, never silently used.

#include <sys/types.h>

#include <filesystem>
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
  bool isolate = true;
};

struct LaunchedTask {
  pid_t pid = -1;      // the supervisor (isolated) or the shell (not isolated)
  int status_fd = -1;  // read end: the task's wait status (isolated only)
  bool isolated = false;
};

// Whether namespaces can be used here (root with CAP_SYS_ADMIN).
bool isolationAvailable(std::string* why);

Result<LaunchedTask> launchTask(const LaunchSpec& spec);

// After `pid` was reaped with `supervisor_status`, the task's own wait
// status: read from the status pipe when isolated, else the same value.
int taskWaitStatus(const LaunchedTask& task, int supervisor_status);

// "Command exited with status N" / "Command terminated with signal Terminated"
// (the command executor's messages, recorded from Mesos 1.12).
std::string describeWaitStatus(int status);

}  // namespace svh::agent
