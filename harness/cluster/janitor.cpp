#include "harness/cluster/janitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/cluster/cluster.hpp"
#include "harness/util/eventually.hpp"

namespace svh::harness {

namespace {

int g_pipe = -1;  // write end, held by svharness only

bool readEnvironmentHas(int pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string variable;
  while (std::getline(in, variable, '\0')) {
    if (variable == entry) return true;
  }
  return false;
}

[[noreturn]] void janitorMain(int read_fd) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(sig, SIG_IGN);
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  close_range(3, read_fd - 1, 0);
  close_range(read_fd + 1, ~0U, 0);

  std::set<std::string> dirs;
  std::string buffer;
  char chunk[4096];
  while (true) {
    ssize_t n = read(read_fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        if (line.rfind("+", 0) == 0) dirs.insert(line.substr(1));
        if (line.rfind("-", 0) == 0) dirs.erase(line.substr(1));
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // svharness is gone
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) continue;
    // The fakes got SIGTERM when svharness died; give them time to unmount
    // and exit, then force what is left.
    bool exited =
        util::eventually([&] { return processesOfRun(dir).empty(); }, std::chrono::seconds(15));
    if (!exited) {
      for (int pid : processesOfRun(dir)) ::kill(pid, SIGKILL);
      util::eventually([&] { return processesOfRun(dir).empty(); }, std::chrono::seconds(5));
    }
    for (const auto& mount : mountsUnder(dir)) umount2(mount.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir, ec);
  }
  _exit(0);
}

}  // namespace

void startJanitor() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;  // no janitor: normal cleanup still runs
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    close(fds[1]);
    setsid();  // not in the terminal's process group: Ctrl-C is svharness's
    janitorMain(fds[0]);
  }
  close(fds[0]);
  g_pipe = fds[1];
}

void janitorWatch(const std::filesystem::path& dir) {
  if (g_pipe < 0) return;
  std::string line = "+" + dir.string() + "\n";
  [[maybe_unused]] auto written = write(g_pipe, line.data(), line.size());
}

std::vector<int> processesOfRun(const std::filesystem::path& dir) {
  return processesWithEnvironment(std::string(kRunDirEnv) + "=" + dir.string());
}

std::vector<int> processesWithEnvironment(const std::string& entry) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = item.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    int pid = std::stoi(name);
    if (pid == getpid()) continue;
    if (readEnvironmentHas(pid, entry)) pids.push_back(pid);
  }
  return pids;
}

}  // namespace svh::harness
