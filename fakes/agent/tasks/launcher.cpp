#include "fakes/agent/tasks/launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace svh::agent {

namespace {

// Everything the child needs, prepared before clone(): after it, the child
// of a multi-threaded agent may only make async-signal-safe calls.
struct ChildPlan {
  std::string sandbox;
  std::string stdout_path;
  std::string stderr_path;
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<std::pair<std::string, std::string>> mounts;
  int sync_fd = -1;    // write end: "K" when the task started, else an error text
  int status_fd = -1;  // write end: the task's wait status (4 bytes)
  bool isolate = true;
};

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void report(int fd, const char* what, int error) {
  char buffer[512];
  std::size_t length = 0;
  auto append = [&](const char* text) {
    while (*text && length + 1 < sizeof buffer) buffer[length++] = *text++;
  };
  append(what);
  if (error != 0) {
    append(": ");
    append(strerror(error));  // NOLINT: only the child's own thread runs here
  }
  [[maybe_unused]] auto ignored = write(fd, buffer, length);
}

void noop(int) {}

void closeAllExcept(int a, int b) {
  int low = std::min(a, b);
  int high = std::max(a, b);
  if (low > 3) close_range(3, low - 1, 0);
  if (high > low + 1) close_range(low + 1, high - 1, 0);
  close_range(high + 1, ~0U, 0);
}

// Runs the shell; never returns.
[[noreturn]] void execTask(const ChildPlan& plan, const sigset_t& original_mask) {
  for (int sig : kSignals) signal(sig, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  if (chdir(plan.sandbox.c_str()) != 0) _exit(127);
  int in = open("/dev/null", O_RDONLY);
  int out = open(plan.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int err = open(plan.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  close_range(3, ~0U, 0);
  execve("/bin/sh", plan.argv.data(), plan.envp.data());
  _exit(127);
}

// PID 1 of the task's namespaces.
int supervise(void* arg) {
  auto& plan = *static_cast<ChildPlan*>(arg);
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The agent waits on the sync pipe until we answer; if it was killed
  // right after clone(), before PR_SET_PDEATHSIG took effect, the pipe has
  // no reader any more and we stop here.
  struct pollfd agent_alive {plan.sync_fd, POLLOUT, 0};
  if (poll(&agent_alive, 1, 0) < 0 || (agent_alive.revents & (POLLERR | POLLHUP))) _exit(1);
  setsid();
  // Keep only our two pipes: the agent's sockets and files are not the task's.
  closeAllExcept(plan.sync_fd, plan.status_fd);

  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    report(plan.sync_fd, "cannot make the task's mounts private", errno);
    _exit(1);
  }
  for (const auto& [source, target] : plan.mounts) {
    if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      int error = errno;
      report(plan.sync_fd, "cannot bind-mount the volume into the sandbox", error);
      _exit(1);
    }
  }

  sigset_t handled, original;
  sigemptyset(&handled);
  for (int sig : kSignals) sigaddset(&handled, sig);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_BLOCK, &handled, &original);
  // PID 1 only receives signals it has a handler for; the handler is never
  // run (the signals stay blocked and are taken with sigwaitinfo).
  struct sigaction action {};
  action.sa_handler = noop;
  for (int sig : kSignals) sigaction(sig, &action, nullptr);
  sigaction(SIGCHLD, &action, nullptr);

  pid_t task = fork();
  if (task < 0) {
    report(plan.sync_fd, "cannot fork the task", errno);
    _exit(1);
  }
  if (task == 0) {
    setpgid(0, 0);
    execTask(plan, original);
  }
  setpgid(task, task);
  [[maybe_unused]] auto ok = write(plan.sync_fd, "K", 1);
  close(plan.sync_fd);

  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&handled, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(-task, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == task) {
        [[maybe_unused]] auto written = write(plan.status_fd, &status, sizeof status);
        // Leaving PID 1 kills whatever the task left running.
        _exit(0);
      }
    }
  }
}

}  // namespace

bool isolationAvailable(std::string* why) {
  if (geteuid() != 0) {
    if (why) *why = "not running as root: tasks cannot get their own mount namespace";
    return false;
  }
  return true;
}

Result<LaunchedTask> launchTask(const LaunchSpec& spec) {
  ChildPlan plan;
  plan.sandbox = spec.sandbox.string();
  plan.stdout_path = (spec.sandbox / "stdout").string();
  plan.stderr_path = (spec.sandbox / "stderr").string();
  plan.argv_storage = {"sh", "-c", spec.command};
  plan.env_storage = spec.environment;
  for (auto& arg : plan.argv_storage) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  for (auto& var : plan.env_storage) plan.envp.push_back(var.data());
  plan.envp.push_back(nullptr);
  plan.isolate = spec.isolate;

  for (const auto& volume : spec.volumes) {
    std::error_code ec;
    if (spec.isolate) {
      std::filesystem::create_directories(volume.target, ec);
      if (ec) return Error{"cannot create " + volume.target.string() + ": " + ec.message()};
      plan.mounts.emplace_back(volume.source.string(), volume.target.string());
    } else {
      std::filesystem::create_directories(volume.target.parent_path(), ec);
      std::filesystem::create_directory_symlink(volume.source, volume.target, ec);
      if (ec) return Error{"cannot link " + volume.target.string() + ": " + ec.message()};
    }
  }

  int sync[2];
  int status[2];
  if (pipe2(sync, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno)};
  if (pipe2(status, O_CLOEXEC) != 0) {
    close(sync[0]);
    close(sync[1]);
    return Error{std::string("pipe: ") + strerror(errno)};
  }
  plan.sync_fd = sync[1];
  plan.status_fd = status[1];

  LaunchedTask launched;
  if (spec.isolate) {
    constexpr std::size_t kStack = 1 << 20;
    void* stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return Error{std::string("mmap: ") + strerror(errno)};
    launched.pid = clone(supervise, static_cast<char*>(stack) + kStack,
                         CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, &plan);
    int clone_error = errno;
    munmap(stack, kStack);
    if (launched.pid < 0) {
      close(sync[0]);
      close(sync[1]);
      close(status[0]);
      close(status[1]);
      return Error{std::string("cannot start the task in its own namespaces: ") +
                   strerror(clone_error)};
    }
    launched.isolated = true;
  } else {
    sigset_t all, original;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &original);
    launched.pid = fork();
    if (launched.pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setsid();
      execTask(plan, original);
    }
    sigprocmask(SIG_SETMASK, &original, nullptr);
  }
  close(sync[1]);
  close(status[1]);

  // Wait for the supervisor's answer: "K" once the shell is forked; text if
  // setting up failed; nothing if it died.
  std::string answer;
  if (spec.isolate) {
    char buffer[512];
    struct pollfd poll_fd {sync[0], POLLIN, 0};
    while (true) {
      int ready = poll(&poll_fd, 1, 10000);
      if (ready <= 0) {
        answer = "the task supervisor did not start within 10s";
        break;
      }
      ssize_t n = read(sync[0], buffer, sizeof buffer);
      if (n <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(n));
      if (answer == "K") break;
    }
  } else {
    answer = "K";
  }
  close(sync[0]);
  if (answer != "K") {
    if (launched.pid > 0) {
      kill(launched.pid, SIGKILL);
      waitpid(launched.pid, nullptr, 0);
    }
    close(status[0]);
    return Error{answer.empty() ? "the task supervisor exited during set-up" : answer};
  }
  if (launched.isolated) {
    launched.status_fd = status[0];
  } else {
    close(status[0]);
  }
  return launched;
}

int taskWaitStatus(const LaunchedTask& task, int supervisor_status) {
  if (!task.isolated) return supervisor_status;
  int status = 0;
  ssize_t n = read(task.status_fd, &status, sizeof status);
  if (n == static_cast<ssize_t>(sizeof status)) return status;
  // The supervisor itself was killed (SIGKILL on a kill escalation): the
  // task died with it.
  return supervisor_status;
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return "Command exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("Command terminated with signal ") + strsignal(WTERMSIG(status));
  }
  return "Command terminated";
}

}  // namespace svh::agent
