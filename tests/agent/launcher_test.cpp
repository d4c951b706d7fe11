// The task launcher (fakes/agent/tasks): each test starts real svh-task
// processes and real shells, as the agent does.

#include "fakes/agent/tasks/launcher.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "harness/cluster/janitor.hpp"
#include "harness/util/eventually.hpp"

namespace svh::agent {
namespace {

namespace fs = std::filesystem;

class Launcher : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/svh-launcher-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    mark_ = "SVH_LAUNCHER_TEST=" + dir_.string();
  }
  void TearDown() override {
    for (pid_t pid : processesMarked()) kill(pid, SIGKILL);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  LaunchSpec spec(const std::string& name, const std::string& command) {
    LaunchSpec s;
    s.task_id = name;
    s.sandbox = dir_ / name;
    fs::create_directories(s.sandbox);
    s.command = command;
    s.environment = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", mark_};
    s.isolate = isolated();
    return s;
  }

  // Runs a task to its end and returns the task's wait status.
  int run(const LaunchSpec& s) {
    auto launched = launchTask(s);
    EXPECT_TRUE(launched) << launched.error();
    if (!launched) return -1;
    int status = 0;
    EXPECT_EQ(waitpid(launched->pid, &status, 0), launched->pid);
    int task_status = taskWaitStatus(*launched, status);
    close(launched->status_fd);
    return task_status;
  }

  // Every process that carries this test's mark in its environment: the
  // tasks and whatever they started.
  std::vector<int> processesMarked() const { return harness::processesWithEnvironment(mark_); }

  template <typename Done>
  static bool eventually(Done done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return util::eventually(done, timeout);
  }

  static std::string readFile(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Namespaces need root; the project's tests run as root (scripts/test),
  // so a test that needs them fails with the reason instead of skipping.
  bool isolated() { return isolationAvailable(&why_not_isolated_); }

  fs::path dir_;
  std::string mark_;
  std::string why_not_isolated_;
};

TEST_F(Launcher, ReportsTheTaskExitStatusAsTheCommandExecutorDoes) {
  int status = run(spec("t", "exit 3"));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(describeWaitStatus(status), "Command exited with status 3");
}

TEST_F(Launcher, RunsTheCommandInItsSandboxWithItsEnvironment) {
  auto s = spec("t", "pwd > where; echo \"$GREETING\" > said");
  s.environment.push_back("GREETING=hello");
  ASSERT_EQ(run(s), 0);
  EXPECT_EQ(readFile(s.sandbox / "where"), s.sandbox.string() + "\n");
  EXPECT_EQ(readFile(s.sandbox / "said"), "hello\n");
}

// The agent gets SIGCHLD whenever one of its tasks ends. A signal arriving
// while a launch waits for svh-task's answer once failed the launch with
// "did not answer within 10s" at once (poll's EINTR taken for a timeout).
TEST_F(Launcher, SignalsArrivingDuringSetUpDoNotFailTheLaunch) {
  struct sigaction action {};
  action.sa_handler = [](int) {};  // no SA_RESTART: poll() gets EINTR
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGCHLD, &action, &previous), 0);
  std::atomic<bool> stop{false};
  pthread_t self = pthread_self();
  std::atomic<int> sent{0};
  std::thread pester([&] {
    while (!stop) {
      pthread_kill(self, SIGCHLD);
      ++sent;
      std::this_thread::yield();
    }
  });
  int failures = 0;
  std::string first_error;
  for (int i = 0; i < 20; ++i) {
    auto launched = launchTask(spec("t" + std::to_string(i), "true"));
    if (!launched) {
      if (failures++ == 0) first_error = launched.error();
      continue;
    }
    int status = 0;
    while (waitpid(launched->pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(launched->status_fd);
  }
  stop = true;
  pester.join();
  sigaction(SIGCHLD, &previous, nullptr);
  EXPECT_GT(sent.load(), 0);
  EXPECT_EQ(failures, 0) << "first error: " << first_error;
}

TEST_F(Launcher, KillingTheLauncherEndsEveryProcessOfTheTask) {
  ASSERT_TRUE(isolated()) << why_not_isolated_;
  auto s = spec("t", "sleep 1000 & sleep 1000 & echo up > started; wait");
  auto launched = launchTask(s);
  ASSERT_TRUE(launched) << launched.error();
  ASSERT_TRUE(eventually([&] { return fs::exists(s.sandbox / "started"); }))
      << "the task did not write 'started'";
  // A sleep that is still between fork and exec may have no environment to
  // read for a moment: wait for all three rather than count once.
  EXPECT_TRUE(eventually([&] { return processesMarked().size() >= 3; }))
      << "the shell and its two sleeps; seen: " << processesMarked().size();
  kill(launched->pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(launched->pid, &status, 0), launched->pid);
  EXPECT_TRUE(eventually([&] { return processesMarked().empty(); }))
      << processesMarked().size() << " processes of the task outlived its launcher";
  close(launched->status_fd);
}

TEST_F(Launcher, TerminationReachesTheShellAndIsReported) {
  auto s = spec("t", "echo up > started; exec sleep 1000");
  auto launched = launchTask(s);
  ASSERT_TRUE(launched) << launched.error();
  ASSERT_TRUE(eventually([&] { return fs::exists(s.sandbox / "started"); }));
  kill(launched->pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(launched->pid, &status, 0), launched->pid);
  int task_status = taskWaitStatus(*launched, status);
  close(launched->status_fd);
  ASSERT_TRUE(WIFSIGNALED(task_status));
  EXPECT_EQ(describeWaitStatus(task_status), "Command terminated with signal Terminated");
}

TEST_F(Launcher, TheVolumeAppearsAtItsContainerPathOnlyInsideTheTask) {
  ASSERT_TRUE(isolated()) << why_not_isolated_;
  fs::create_directories(dir_ / "volume");
  std::ofstream(dir_ / "volume" / "f") << "data\n";
  auto s = spec("t", "cat data/f > seen && echo more > data/g");
  s.volumes.push_back({dir_ / "volume", s.sandbox / "data"});
  ASSERT_EQ(run(s), 0) << readFile(s.sandbox / "stderr");
  EXPECT_EQ(readFile(s.sandbox / "seen"), "data\n");
  EXPECT_EQ(readFile(dir_ / "volume" / "g"), "more\n");
  EXPECT_TRUE(fs::is_empty(s.sandbox / "data")) << "the bind mount leaked out of the task";
}

TEST_F(Launcher, ASetUpFailureIsOneLineNamingWhatFailed) {
  ASSERT_TRUE(isolated()) << why_not_isolated_;
  auto s = spec("t", "true");
  s.volumes.push_back({dir_ / "no-such-volume", s.sandbox / "data"});
  auto launched = launchTask(s);
  ASSERT_FALSE(launched);
  EXPECT_EQ(launched.error().find('\n'), std::string::npos) << launched.error();
  EXPECT_NE(launched.error().find("no-such-volume"), std::string::npos) << launched.error();
  EXPECT_NE(launched.error().find("No such file or directory"), std::string::npos)
      << launched.error();
}

}  // namespace
}  // namespace svh::agent
