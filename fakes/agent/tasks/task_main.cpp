// svh-task: starts one task for svh-agent, the way Mesos's agent uses a
// separate "mesos-containerizer launch" process. Setting up namespaces and
// mounts needs fork() and friends, which are only safe in a process with one
// thread; the agent has several (FUSE), so it spawns this small program
// instead and talks to it through two pipes:
//
//   fd 3  sync:   "K" once the shell runs, or a one-line error, then closed
//   fd 4  status: the shell's 4-byte wait status when it ends
//
// Process tree (isolated):
//   svh-task (agent's child)                  forwards TERM/INT/... inward
//     supervisor: PID 1 of a new PID ns       forwards to the shell's group,
//       /bin/sh -c <command>                  reports its wait status
// Each level dies with its parent (PR_SET_PDEATHSIG), and when PID 1 dies
// the kernel kills everything left in the namespace, so nothing a task
// started outlives the agent. The volume bind mounts live in the task's own
// mount namespace and vanish with it.
//
// Confinement (isolated tasks run as root and see the host's filesystem):
// once the volumes are bound, each path the agent asks to hide (its backing
// store, its FUSE mount point, its checkpoint and trace) is covered, in the
// task's namespace only, by an empty read-only tmpfs (a file by /dev/null),
// so `data/../../..` leads nowhere near another task's view or the backing
// store. The task gets a /proc of its own PID namespace, so
// /proc/<agent pid>/root is no way round, and loses CAP_SYS_ADMIN (it can
// neither unmount the covers nor enter another namespace) and
// CAP_DAC_READ_SEARCH (open_by_handle_at reaches any inode of a filesystem
// whatever covers its path) from its bounding and inheritable sets, so no
// program it runs gets them back.
//
// Usage: svh-task '<json spec>' (written by launcher.cpp; not for people).

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

constexpr int kSyncFd = 3;
constexpr int kStatusFd = 4;
constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

[[noreturn]] void fail(const std::string& what, int error = 0) {
  std::string line = what;
  if (error != 0) line += std::string(": ") + std::strerror(error);
  [[maybe_unused]] auto written = write(kSyncFd, line.data(), line.size());
  _exit(1);
}

void noop(int) {}

// Blocks the forwarded signals and SIGCHLD (taken with sigwaitinfo), with a
// handler installed: a PID 1 only receives signals it handles.
sigset_t takeSignals(sigset_t* original) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, original);
  struct sigaction action {};
  action.sa_handler = noop;
  for (int sig : kForwarded) sigaction(sig, &action, nullptr);
  sigaction(SIGCHLD, &action, nullptr);
  return set;
}

struct Spec {
  pid_t parent = 0;
  std::string sandbox;
  std::string command;
  std::vector<std::string> environment;
  std::vector<std::pair<std::string, std::string>> mounts;
  std::vector<std::string> hide;
  bool isolate = true;
  // Who the shell runs as; -1: as svh-task (the agent's user).
  long uid = -1;
  long gid = -1;
};

Spec parse(const char* text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) fail("svh-task: the task spec is not JSON");
  Spec spec;
  try {
    spec.parent = json.at("parent").get<pid_t>();
    spec.sandbox = json.at("sandbox").get<std::string>();
    spec.command = json.at("command").get<std::string>();
    spec.environment = json.at("environment").get<std::vector<std::string>>();
    for (const auto& mount : json.at("mounts")) {
      spec.mounts.emplace_back(mount.at("source").get<std::string>(),
                               mount.at("target").get<std::string>());
    }
    spec.hide = json.value("hide", std::vector<std::string>{});
    spec.isolate = json.at("isolate").get<bool>();
    spec.uid = json.value("uid", -1L);
    spec.gid = json.value("gid", -1L);
  } catch (const std::exception& e) {
    fail(std::string("svh-task: bad task spec: ") + e.what());
  }
  return spec;
}

// Covers `path` in this mount namespace: a directory with an empty
// read-only tmpfs, a file with /dev/null bound read-only.
void hide(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) fail("cannot hide " + path + " from the task", errno);
  if (S_ISDIR(st.st_mode)) {
    if (mount("svh-hidden", path.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=4k,mode=0555") != 0) {
      fail("cannot hide " + path + " from the task", errno);
    }
    return;
  }
  if (mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
      mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    fail("cannot hide " + path + " from the task", errno);
  }
}

// Capabilities no task keeps: see the confinement note at the top.
constexpr int kDropped[] = {CAP_SYS_ADMIN, CAP_DAC_READ_SEARCH};

void dropCapabilities() {
  for (int capability : kDropped) {
    if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) {
      fail("cannot drop capability " + std::to_string(capability) + " from the task", errno);
    }
  }
  // As root, a program gets its inheritable set back on exec whatever the
  // bounding set says, and the ambient set is part of it.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) fail("cannot read the task's capabilities", errno);
  for (int capability : kDropped) {
    data[CAP_TO_INDEX(capability)].inheritable &= ~CAP_TO_MASK(capability);
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    fail("cannot drop the task's inheritable capabilities", errno);
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

[[noreturn]] void execShell(const Spec& spec, const sigset_t& original) {
  for (int sig : kForwarded) signal(sig, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigprocmask(SIG_SETMASK, &original, nullptr);
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (chdir(spec.sandbox.c_str()) != 0) _exit(127);
  int in = open("/dev/null", O_RDONLY);
  int out = open((spec.sandbox + "/stdout").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int err = open((spec.sandbox + "/stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  close_range(3, ~0U, 0);
  // The task's user (SV-LAUNCH-10), last: its stdout and stderr are the
  // agent's to create. Only the user's primary group, as the agent does
  // not look up supplementary ones.
  if (spec.uid >= 0) {
    const auto gid = static_cast<gid_t>(spec.gid);
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(static_cast<uid_t>(spec.uid)) != 0) {
      dprintf(2, "svh-task: cannot run as uid %ld gid %ld: %s\n", spec.uid, spec.gid,
              std::strerror(errno));
      _exit(127);
    }
  }
  std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                             const_cast<char*>(spec.command.c_str()), nullptr};
  std::vector<char*> envp;
  for (const auto& entry : spec.environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  execve("/bin/sh", argv.data(), envp.data());
  _exit(127);
}

[[noreturn]] void supervise(const Spec& spec) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (spec.isolate) {
    // PID 1 of the new namespace mounts the /proc that shows it.
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
      fail("cannot mount the task's /proc", errno);
    }
    dropCapabilities();
  }
  sigset_t original;
  sigset_t signals = takeSignals(&original);
  pid_t shell = fork();
  if (shell < 0) fail("cannot start the task", errno);
  if (shell == 0) execShell(spec, original);
  setpgid(shell, shell);
  [[maybe_unused]] auto ok = write(kSyncFd, "K", 1);
  close(kSyncFd);
  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&signals, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(-shell, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == shell) {
        [[maybe_unused]] auto written = write(kStatusFd, &status, sizeof status);
        // As PID 1, leaving kills whatever the task left running.
        _exit(0);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Keep stdin/out/err and our two pipes; nothing else of the agent's.
  close_range(kStatusFd + 1, ~0U, 0);
  if (argc != 2) fail("usage: svh-task '<json spec>' (started by svh-agent)");
  Spec spec = parse(argv[1]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != spec.parent) _exit(1);  // the agent died before prctl

  if (spec.isolate) {
    if (unshare(CLONE_NEWNS) != 0) fail("cannot create the task's mount namespace", errno);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      fail("cannot make the task's mounts private", errno);
    }
    for (const auto& [source, target] : spec.mounts) {
      if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        fail("cannot bind-mount " + source + " at " + target, errno);
      }
    }
    for (const auto& path : spec.hide) hide(path);
    if (unshare(CLONE_NEWPID) != 0) fail("cannot create the task's PID namespace", errno);
  }

  sigset_t original;
  sigset_t signals = takeSignals(&original);
  pid_t supervisor = fork();  // PID 1 of the new namespace when isolated
  if (supervisor < 0) fail("cannot start the task supervisor", errno);
  if (supervisor == 0) {
    sigprocmask(SIG_SETMASK, &original, nullptr);
    supervise(spec);
  }
  close(kSyncFd);
  close(kStatusFd);
  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&signals, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(supervisor, sig);
      continue;
    }
    int status = 0;
    if (waitpid(supervisor, &status, WNOHANG) == supervisor) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
  }
}
