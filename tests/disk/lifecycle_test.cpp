// Mounting, views, and teardown that cannot leak or hang.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "disk_test_support.hpp"
#include "fakes/agent/disk/mountinfo.hpp"

extern char** environ;

namespace svh::agent::disk::test {
namespace {

using Clock = std::chrono::steady_clock;

class Lifecycle : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("v1");
    writeFile(vol_ / "f", "data\n");
  }
  fs::path vol_;
};

TEST_F(Lifecycle, FuseIsAvailableHere) {
  std::string why;
  EXPECT_TRUE(fuseAvailable(&why)) << why;
}

TEST_F(Lifecycle, MountAndUnmountLeaveNothingBehind) {
  mountDisk();
  auto view = addView("v", vol_, Mode::RW);
  EXPECT_EQ(readFile(view / "f"), "data\n");
  const auto entry = findMount(readMountInfo(), mnt_);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->fs_type, "fuse.svh");
  disk_->unmount();
  EXPECT_FALSE(isMounted(mnt_));
  disk_->unmount();  // idempotent
  EXPECT_THROW(addView("w", vol_, Mode::RW), DiskError);
  disk_.reset();
  // A new disk can mount at the same place.
  mountDisk();
  EXPECT_EQ(readFile(addView("v", vol_, Mode::RO) / "f"), "data\n");
}

TEST_F(Lifecycle, MountRefusesBadPlacesWithActionableMessages) {
  mountDisk();
  auto expectError = [&](DiskOptions options, const std::string& words) {
    try {
      FuseDisk::mount(options);
      ADD_FAILURE() << "mount succeeded; expected an error mentioning '" << words << "'";
    } catch (const DiskError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    }
  };
  expectError({.backing = backing_, .mountpoint = mnt_}, "is busy");
  expectError({.backing = tmp_ / "missing", .mountpoint = tmp_ / "m2"},
              "is not an existing directory");
  expectError({.backing = backing_, .mountpoint = backing_ / "inner"},
              "must not contain each other");
  expectError({.backing = backing_, .mountpoint = tmp_ / "m3", .trace_file = tmp_ / "no" / "t"},
              "trace file");
  EXPECT_TRUE(mountsUnder(tmp_).size() == 1) << "a failed mount left a mount behind";
}

TEST_F(Lifecycle, AddViewRefusesBadViews) {
  mountDisk();
  addView("v", vol_, Mode::RW);
  fs::create_directories(tmp_ / "elsewhere");
  fs::create_symlink(vol_, backing_ / "volumes" / "roles" / "eng" / "link");
  writeFile(backing_ / "volumes" / "roles" / "eng" / "file", "");
  auto expectError = [&](ViewSpec spec, const std::string& words) {
    try {
      disk_->addView(spec);
      ADD_FAILURE() << "addView succeeded; expected an error mentioning '" << words << "'";
    } catch (const DiskError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expectError({.view_id = "v", .volume_dir = vol_}, "already exists");
  expectError({.view_id = "a/b", .volume_dir = vol_}, "invalid view id");
  expectError({.view_id = "..", .volume_dir = vol_}, "invalid view id");
  expectError({.view_id = "", .volume_dir = vol_}, "invalid view id");
  expectError({.view_id = "x", .volume_dir = tmp_ / "elsewhere"}, "not inside the backing dir");
  expectError({.view_id = "x", .volume_dir = backing_}, "not inside the backing dir");
  expectError({.view_id = "x", .volume_dir = vol_ / ".." / ".." / ".." / ".." / ".."},
              "not inside");
  expectError({.view_id = "x", .volume_dir = "relative/path"}, "absolute");
  expectError({.view_id = "x", .volume_dir = backing_ / "volumes" / "nope"}, "does not exist");
  expectError({.view_id = "x", .volume_dir = backing_ / "volumes" / "roles" / "eng" / "file"},
              "not a directory");
  EXPECT_THROW(disk_->removeView("never-added"), DiskError);
}

TEST_F(Lifecycle, RemoveViewMakesThePathDisappearAndRevokesAccess) {
  mountDisk();
  auto view = addView("v", vol_, Mode::RW);
  const int open_file = ::open((view / "f").c_str(), O_RDWR);
  ASSERT_GE(open_file, 0);
  const int open_dir = ::open(view.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(open_dir, 0);
  disk_->removeView("v");
  struct stat st {};
  EXPECT_EQ(::stat(view.c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_TRUE(fs::is_empty(mnt_));
  // Whatever still holds the view (an open file, a bind mount in a task's
  // namespace) gets ESTALE, and nothing reaches the volume any more.
  char buf[8];
  EXPECT_EQ(::read(open_file, buf, sizeof buf), -1);
  EXPECT_EQ(errno, ESTALE);
  EXPECT_EQ(::write(open_file, "zz", 2), -1);
  EXPECT_EQ(::mkdirat(open_dir, "late", 0755), -1);
  EXPECT_EQ(errno, ESTALE);
  ::close(open_file);
  ::close(open_dir);
  EXPECT_EQ(readFile(vol_ / "f"), "data\n");
  EXPECT_FALSE(fs::exists(vol_ / "late"));
  // The same id can be used again, for a new view with its own mode.
  auto again = addView("v", vol_, Mode::RO);
  EXPECT_EQ(readFile(again / "f"), "data\n");
  EXPECT_EQ(::unlink((again / "f").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
}

TEST_F(Lifecycle, UnmountWithAnOpenFileCompletesPromptly) {
  mountDisk();
  auto view = addView("v", vol_, Mode::RW);
  const int fd = ::open((view / "f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  const int cwd_holder = ::open(view.c_str(), O_RDONLY | O_DIRECTORY);
  const auto start = Clock::now();
  disk_->unmount();
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_FALSE(isMounted(mnt_));
  char buf[8];
  EXPECT_EQ(::read(fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, ENOTCONN) << "the connection was aborted: the holder gets ENOTCONN";
  ::close(fd);
  ::close(cwd_holder);
}

TEST_F(Lifecycle, UnmountWithAStuckRequestCompletesWithinItsDeadline) {
  // A request handler that never returns on its own (a stuck backing store)
  // must not hang the teardown.
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false;
    bool open = false;
  };
  auto gate = std::make_shared<Gate>();  // outlives the test: the stuck thread uses it
  DiskOptions options;
  options.unmount_timeout = 300ms;
  options.op_hook = [gate](const OpEvent& e) {
    if (e.op != "getattr" || e.view_id != "stuck") return;
    std::unique_lock lock(gate->mu);
    gate->entered = true;
    gate->cv.notify_all();
    gate->cv.wait(lock, [&] { return gate->open; });
  };
  mountDisk(options);
  auto view = addView("stuck", vol_, Mode::RW);
  auto client = std::async(std::launch::async, [&] {
    struct stat st {};
    return ::stat((view / "f").c_str(), &st) == 0 ? 0 : errno;
  });
  // However this test ends, open the gate first (this is destroyed before
  // `client`, whose destructor waits for the stat to return).
  struct OpenGate {
    std::shared_ptr<Gate> gate;
    ~OpenGate() {
      {
        std::lock_guard lock(gate->mu);
        gate->open = true;
      }
      gate->cv.notify_all();
    }
  } open_gate_on_exit{gate};
  {
    std::unique_lock lock(gate->mu);
    ASSERT_TRUE(gate->cv.wait_for(lock, 10s, [&] { return gate->entered; }))
        << "the stat never reached the FUSE handler";
  }
  const auto start = Clock::now();
  disk_->unmount();
  EXPECT_LT(Clock::now() - start, 5s) << "unmount hung on a stuck request";
  EXPECT_FALSE(isMounted(mnt_));
  ASSERT_EQ(client.wait_for(10s), std::future_status::ready)
      << "the client stuck in FUSE was not released by the abort";
  // The kernel ends requests in flight at the abort with ECONNABORTED and
  // refuses later ones with ENOTCONN.
  const int err = client.get();
  EXPECT_TRUE(err == ECONNABORTED || err == ENOTCONN) << errnoName(err);
}

// Waits for process `pid` (any, not only a child) to exit; true if it did.
bool waitGone(pid_t pid, std::chrono::milliseconds deadline) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return errno == ESRCH;
  pollfd p{pidfd, POLLIN, 0};
  const bool gone = ::poll(&p, 1, static_cast<int>(deadline.count())) == 1;
  ::close(pidfd);
  return gone;
}

// Reaps every child of this process (orphans come to us as subreaper).
void reapChildren(std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  for (;;) {
    const pid_t pid = ::waitpid(-1, nullptr, WNOHANG);
    if (pid < 0) return;  // ECHILD: none left
    if (pid == 0) {
      ASSERT_LT(Clock::now(), end) << "children of this test did not exit";
      // Block until one of them changes state, bounded by the deadline.
      siginfo_t info{};
      ::waitid(P_ALL, 0, &info, WEXITED | WNOWAIT);
    }
  }
}

TEST_F(Lifecycle, AKilledDaemonLeavesNoMountEvenWhileItsTasksRun) {
  RecordProperty("clauses", "H-DATA-5");
  // Orphans (the helper's task and its unmount guard) come to this process,
  // so they can be reaped instead of lingering as zombies.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  const std::string helper = SVH_DISK_MOUNT_CHILD;
  std::vector<std::string> words = {helper, backing_.string(), mnt_.string(), vol_.string()};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, helper.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);

  std::string line;
  pollfd p{out[0], POLLIN, 0};
  while (line.find('\n') == std::string::npos && ::poll(&p, 1, 15000) == 1) {
    char buf[64];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int task = 0;
  ASSERT_EQ(std::sscanf(line.c_str(), "ready %d", &task), 1)
      << "the helper did not report ready within 15 s; it said: '" << line << "'";
  ASSERT_TRUE(isMounted(mnt_));

  ASSERT_EQ(::kill(child, SIGKILL), 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const bool unmounted = waitFor(10s, [&] { return !isMounted(mnt_); });
  const bool task_alive = ::kill(task, 0) == 0;
  ::kill(task, SIGKILL);
  EXPECT_TRUE(unmounted) << "the mount of the SIGKILLed daemon was still in "
                            "/proc/self/mountinfo after 10 s";
  EXPECT_TRUE(task_alive)
      << "the task should have outlived the daemon for this test to mean anything";
  EXPECT_TRUE(waitGone(task, 10s));
  reapChildren(10s);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace svh::agent::disk::test
