#include "fakes/agent/tasks/launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

extern char** environ;

namespace svh::agent {

namespace {

// Setting up a task takes milliseconds; this only bounds a launcher that
// got stuck (a FUSE lookup that is never answered, say).
constexpr std::chrono::seconds kSetUpTimeout{10};

// svh-task lives next to svh-agent.
std::filesystem::path taskLauncher() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::current_path() : self.parent_path()) / "svh-task";
}

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
  // Both ends above fd 4, so that the launcher's dup2 onto 3 and 4 cannot
  // clobber one pipe with the other.
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = aboveFour(fds[0]);
    write = aboveFour(fds[1]);
    return read >= 0 && write >= 0;
  }
  static int aboveFour(int fd) {
    if (fd > 4) return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 5);
    close(fd);
    return moved;
  }
  int release() { return std::exchange(read, -1); }
};

}  // namespace

bool isolationAvailable(std::string* why) {
  if (geteuid() != 0) {
    if (why) *why = "not running as root: tasks cannot get their own mount namespace";
    return false;
  }
  return true;
}

Result<LaunchedTask> launchTask(const LaunchSpec& spec) {
  auto program = taskLauncher();
  if (access(program.c_str(), X_OK) != 0) {
    return Error{"the task launcher " + program.string() + " is missing"};
  }
  nlohmann::json plan;
  plan["parent"] = getpid();
  plan["sandbox"] = spec.sandbox.string();
  plan["command"] = spec.command;
  plan["environment"] = spec.environment;
  plan["isolate"] = spec.isolate;
  if (spec.uid) {
    plan["uid"] = *spec.uid;
    plan["gid"] = spec.gid;
  }
  plan["mounts"] = nlohmann::json::array();
  plan["hide"] = nlohmann::json::array();
  if (spec.isolate) {
    for (const auto& path : spec.hidden) plan["hide"].push_back(path.string());
  }
  for (const auto& volume : spec.volumes) {
    std::error_code ec;
    if (spec.isolate) {
      std::filesystem::create_directories(volume.target, ec);
      if (ec) return Error{"cannot create " + volume.target.string() + ": " + ec.message()};
      plan["mounts"].push_back({{"source", volume.source.string()},
                                {"target", volume.target.string()}});
    } else {
      std::filesystem::create_directories(volume.target.parent_path(), ec);
      std::filesystem::create_directory_symlink(volume.source, volume.target, ec);
      if (ec) return Error{"cannot link " + volume.target.string() + ": " + ec.message()};
    }
  }

  Pipe sync;
  Pipe status;
  if (!sync.open() || !status.open()) return Error{std::string("pipe: ") + strerror(errno)};

  // posix_spawn is the safe way to start a program from a multi-threaded
  // process; the launcher gets the pipes as fds 3 and 4.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sync.write, 3);
  posix_spawn_file_actions_adddup2(&actions, status.write, 4);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigfillset(&defaults);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETSID);
  std::string spec_text = plan.dump();
  std::string name = "svh-task";
  char* argv[] = {name.data(), spec_text.data(), nullptr};
  LaunchedTask launched;
  int error = posix_spawn(&launched.pid, program.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return Error{"cannot start " + program.string() + ": " + strerror(error)};
  close(std::exchange(sync.write, -1));
  close(std::exchange(status.write, -1));

  // "K" once the shell runs, a one-line error if setting up failed, end of
  // file if the launcher died. The agent gets SIGCHLD whenever another task
  // ends, so poll() is retried on EINTR against one deadline.
  std::string answer;
  char buffer[512];
  const auto deadline = std::chrono::steady_clock::now() + kSetUpTimeout;
  while (answer != "K") {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    struct pollfd poll_fd {sync.read, POLLIN, 0};
    int ready = poll(&poll_fd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      answer = std::string("cannot wait for the task launcher: ") + strerror(errno);
      break;
    }
    if (ready == 0) {
      answer = "the task launcher did not report the task started within " +
               std::to_string(kSetUpTimeout.count()) + "s";
      break;
    }
    ssize_t n = read(sync.read, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  if (answer != "K") {
    kill(launched.pid, SIGKILL);
    waitpid(launched.pid, nullptr, 0);
    return Error{answer.empty() ? "the task launcher exited during set-up" : answer};
  }
  launched.status_fd = status.release();
  return launched;
}

int taskWaitStatus(const LaunchedTask& task, int launcher_status) {
  int status = 0;
  if (task.status_fd >= 0) {
    ssize_t n = read(task.status_fd, &status, sizeof status);
    if (n == static_cast<ssize_t>(sizeof status)) return status;
  }
  // The launcher was killed (SIGKILL on a kill escalation) and the task with
  // it: report how the launcher ended.
  return launcher_status;
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return "Command exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("Command terminated with signal ") + strsignal(WTERMSIG(status));
  }
  return "Command terminated";
}

}  // namespace svh::agent
