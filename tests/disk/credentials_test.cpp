// A caller that is not root acts on a volume with its own credentials, as on
// a local filesystem (SPEC SV-LAUNCH-10: a task of another user "may later
// fail with permission errors" on a volume it does not own). The daemon is
// root; each request of such a caller runs with the caller's fs ids on the
// FUSE worker thread, which then becomes root again (caller_creds.hpp).
//
// The callers are children forked from this (root) process that become
// `nobody` and report one errno per step through a pipe.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "disk_test_support.hpp"
#include "fakes/agent/disk/caller_creds.hpp"

namespace svh::agent::disk::test {
namespace {

constexpr gid_t kDirGroup = 4242;  // the group of the set-group-ID directory

struct User {
  uid_t uid;
  gid_t gid;
};

User nobody() {
  const passwd* pw = ::getpwnam("nobody");
  return pw != nullptr ? User{pw->pw_uid, pw->pw_gid} : User{65534, 65534};
}

using Step = std::function<int()>;  // 0 or the errno

int call(long result) {
  return result < 0 ? errno : 0;
}

// Runs `steps` in a child that enters `cwd` and becomes `user` (groups, gid,
// uid, as svh-task does); their results in order. Only system calls run in
// the child: this process has other threads (the FUSE loop's).
std::vector<int> runAs(const User& user, const fs::path& cwd, const std::vector<Step>& steps) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return {};
  }
  const std::string dir = cwd.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    const gid_t gid = user.gid;
    if (::chdir(dir.c_str()) != 0 || ::setgroups(1, &gid) != 0 || ::setgid(user.gid) != 0 ||
        ::setuid(user.uid) != 0) {
      ::_exit(2);
    }
    for (const auto& step : steps) {
      const int r = step();
      if (::write(p[1], &r, sizeof r) != sizeof r) ::_exit(3);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  std::vector<int> out;
  int r = 0;
  while (pid > 0 && ::read(p[0], &r, sizeof r) == sizeof r) out.push_back(r);
  ::close(p[0]);
  int status = 0;
  EXPECT_GT(pid, 0) << "fork: " << std::strerror(errno);
  if (pid > 0) {
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the child acting as uid " << user.uid << " failed to set up or report (status "
        << status << ")";
  }
  return out;
}

struct Expect {
  std::string call;
  int expected;
  Step run;
};

// Runs the rows as `user` and compares each errno with the expected one.
void expectRows(const User& user, const fs::path& cwd, const std::vector<Expect>& rows) {
  std::vector<Step> steps;
  for (const auto& r : rows) steps.push_back(r.run);
  const auto got = runAs(user, cwd, steps);
  ASSERT_EQ(got.size(), rows.size()) << "the child reported only " << got.size() << " steps";
  std::ostringstream table;
  bool all = true;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool same = got[i] == rows[i].expected;
    all = all && same;
    table << rows[i].call << ": expected " << errnoName(rows[i].expected) << ", got "
          << errnoName(got[i]) << (same ? "" : "   <-- MISMATCH") << "\n";
  }
  EXPECT_TRUE(all) << "as uid " << user.uid << ":\n" << table.str();
}

uint64_t effectiveCaps() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return 0;
  return data[0].effective | (static_cast<uint64_t>(data[1].effective) << 32);
}

bool hasCap(uint64_t caps, int cap) {
  return (caps >> cap) & 1;
}

long fsuid() {
  return ::syscall(SYS_setfsuid, -1);
}

std::vector<gid_t> groups() {
  std::vector<gid_t> g(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  g.resize(static_cast<size_t>(std::max(::getgroups(static_cast<int>(g.size()), g.data()), 0)));
  return g;
}

class Credentials : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("v");
    writeFile(vol_ / "f", "root data\n");
    ::chmod((vol_ / "f").c_str(), 0644);
    ::chmod(vol_.c_str(), 0755);
    for (const auto& [dir, mode] :
         {std::pair{"closed", 0755}, {"open", 0777}, {"secret", 0700}, {"sgid", 02777}}) {
      fs::create_directories(vol_ / dir);
      ASSERT_EQ(::chmod((vol_ / dir).c_str(), static_cast<mode_t>(mode)), 0);
    }
    ASSERT_EQ(::chown((vol_ / "sgid").c_str(), 0, kDirGroup), 0) << std::strerror(errno);
    writeFile(vol_ / "closed" / "x", "x\n");
    writeFile(vol_ / "secret" / "inside", "inside\n");
    ASSERT_EQ(::setxattr((vol_ / "f").c_str(), "user.keep", "1", 1, 0), 0) << std::strerror(errno);
  }

  // Mounts with `options` and adds the views "rw" and "ro" of the volume.
  void mountWithViews(DiskOptions options = {}) {
    mountDisk(std::move(options));
    addView("rw", vol_, Mode::RW);
    addView("ro", vol_, Mode::RO);
  }

  struct stat lst(const std::string& name) {
    struct stat st {};
    if (::lstat((vol_ / name).c_str(), &st) != 0) st.st_ino = 0;
    return st;
  }

  fs::path vol_;
};

TEST(AsCaller, DropsAndRestoresTheThreadsFsIdsAndCapabilitiesOnly) {
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root";
  const User who = nobody();
  char dir[] = "/tmp/svh-creds-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr) << std::strerror(errno);
  ASSERT_EQ(::chmod(dir, 0755), 0);
  const std::string file = std::string(dir) + "/f";
  const auto own_groups = groups();
  const uint64_t caps = effectiveCaps();
  ASSERT_TRUE(hasCap(caps, CAP_DAC_OVERRIDE) && hasCap(caps, CAP_CHOWN) && hasCap(caps, CAP_FOWNER))
      << "this test needs root's capabilities";

  // Another thread, started before the switch, keeps root's identity.
  std::promise<void> switched;
  std::promise<std::string> other_seen;
  std::thread other([&] {
    switched.get_future().wait();
    std::ostringstream seen;
    seen << "fsuid " << fsuid() << " groups " << groups().size() << " DAC_OVERRIDE "
         << hasCap(effectiveCaps(), CAP_DAC_OVERRIDE);
    other_seen.set_value(seen.str());
  });
  std::ostringstream expected_other;
  expected_other << "fsuid 0 groups " << own_groups.size() << " DAC_OVERRIDE 1";
  {
    AsCaller as(Caller{who.uid, who.gid, {who.gid}});
    EXPECT_EQ(as.error(), 0);
    EXPECT_EQ(fsuid(), static_cast<long>(who.uid));
    EXPECT_EQ(groups(), std::vector<gid_t>{who.gid});
    const uint64_t now = effectiveCaps();
    for (int cap : {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID}) {
      EXPECT_FALSE(hasCap(now, cap)) << "capability " << cap << " kept under a non-root fsuid";
    }
    EXPECT_TRUE(hasCap(now, CAP_SETUID) && hasCap(now, CAP_SETGID))
        << "the thread could not switch back";
    EXPECT_EQ(call(::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), EACCES)
        << "nobody created a file in a root-owned 0755 directory";
    switched.set_value();
    EXPECT_EQ(other_seen.get_future().get(), expected_other.str())
        << "the switch reached another thread";
  }
  other.join();
  EXPECT_EQ(fsuid(), 0);
  EXPECT_EQ(groups(), own_groups);
  EXPECT_EQ(effectiveCaps(), caps) << "the capabilities did not come back";
  const int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0) << "root cannot create after the switch back: " << std::strerror(errno);
  if (fd >= 0) ::close(fd);
  ::unlink(file.c_str());
  ::rmdir(dir);
}

TEST_F(Credentials, ACallerCreatesOnlyWhereTheModesAllowAndOwnsWhatItMakes) {
  RecordProperty("clauses", "SV-LAUNCH-10");
  mountWithViews();
  if (HasFatalFailure()) return;
  const User who = nobody();
  auto create = [](const char* path) {
    return [path] {
      const int fd = ::open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      return fd < 0 ? errno : ::close(fd);
    };
  };
  expectRows(
      who, mnt_,
      {
          {"create rw/closed/new (root 0755)", EACCES, create("rw/closed/new")},
          {"mkdir rw/closed/d", EACCES, [] { return call(::mkdir("rw/closed/d", 0755)); }},
          {"symlink rw/closed/l", EACCES, [] { return call(::symlink("x", "rw/closed/l")); }},
          {"create rw/open/new (0777)", 0, create("rw/open/new")},
          {"mkdir rw/open/d", 0, [] { return call(::mkdir("rw/open/d", 0755)); }},
          {"symlink rw/open/l", 0, [] { return call(::symlink("x", "rw/open/l")); }},
          {"mkfifo rw/open/p", 0, [] { return call(::mkfifo("rw/open/p", 0644)); }},
          {"link rw/open/new rw/open/hard", 0,
           [] { return call(::link("rw/open/new", "rw/open/hard")); }},
          {"link rw/open/l rw/open/l2 (a symlink)", 0,
           [] { return call(::link("rw/open/l", "rw/open/l2")); }},
          {"rename rw/open/d rw/open/d2", 0,
           [] { return call(::rename("rw/open/d", "rw/open/d2")); }},
          {"create rw/sgid/new (set-group-ID)", 0, create("rw/sgid/new")},
          {"mkdir rw/sgid/d", 0, [] { return call(::mkdir("rw/sgid/d", 0755)); }},
      });
  EXPECT_EQ(lst("closed/new").st_ino, 0u) << "a refused create left a file";
  for (const char* name : {"open/new", "open/d2", "open/l", "open/p"}) {
    const auto st = lst(name);
    EXPECT_EQ(st.st_uid, who.uid) << name << " is not the caller's";
    EXPECT_EQ(st.st_gid, who.gid) << name << " is not in the caller's group";
  }
  for (const char* name : {"sgid/new", "sgid/d"}) {
    const auto st = lst(name);
    EXPECT_EQ(st.st_uid, who.uid) << name << " is not the caller's";
    EXPECT_EQ(st.st_gid, kDirGroup) << name << " did not take the set-group-ID parent's group";
  }
  EXPECT_TRUE(lst("sgid/d").st_mode & S_ISGID) << "a directory in a set-group-ID one lost the bit";
  // A hard link is the object itself, a symlink included (not its target).
  EXPECT_EQ(
      call(::link((mnt_ / "rw" / "open" / "l").c_str(), (mnt_ / "rw" / "open" / "l3").c_str())), 0)
      << "root cannot hard-link a symlink";
  for (const char* name : {"open/hard", "open/l2", "open/l3"}) {
    const std::string original = std::string(name) == "open/hard" ? "open/new" : "open/l";
    EXPECT_EQ(lst(name).st_ino, lst(original).st_ino) << name << " is not a link to " << original;
  }
  // What the task sees through its view is the same.
  struct stat st {};
  ASSERT_EQ(::lstat((mnt_ / "rw" / "open" / "new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, who.uid);
}

TEST_F(Credentials, ACallerCannotChangeWhatItDoesNotOwnOrCannotWrite) {
  RecordProperty("clauses", "SV-LAUNCH-10");
  mountWithViews();
  if (HasFatalFailure()) return;
  const User who = nobody();
  const std::string before = manifest(vol_);
  expectRows(who, mnt_,
             {
                 {"open rw/f O_WRONLY (root 0644)", EACCES,
                  [] { return call(::open("rw/f", O_WRONLY | O_CLOEXEC)); }},
                 {"open rw/f O_RDONLY|O_TRUNC", EACCES,
                  [] { return call(::open("rw/f", O_RDONLY | O_TRUNC | O_CLOEXEC)); }},
                 {"truncate rw/f", EACCES, [] { return call(::truncate("rw/f", 0)); }},
                 {"chmod rw/f", EPERM, [] { return call(::chmod("rw/f", 0666)); }},
                 {"chown rw/f to the caller", EPERM,
                  [who] { return call(::chown("rw/f", who.uid, who.gid)); }},
                 {"utimes rw/f (explicit times)", EPERM,
                  [] {
                    const timespec t[2] = {{1, 0}, {1, 0}};
                    return call(::utimensat(AT_FDCWD, "rw/f", t, 0));
                  }},
                 {"utimes rw/f (now)", EACCES,
                  [] { return call(::utimensat(AT_FDCWD, "rw/f", nullptr, 0)); }},
                 {"setxattr rw/f user.x", EACCES,
                  [] { return call(::setxattr("rw/f", "user.x", "1", 1, 0)); }},
                 {"removexattr rw/f user.keep", EACCES,
                  [] { return call(::removexattr("rw/f", "user.keep")); }},
                 {"unlink rw/closed/x (root 0755 dir)", EACCES,
                  [] { return call(::unlink("rw/closed/x")); }},
                 {"rename rw/closed/x rw/open/x", EACCES,
                  [] { return call(::rename("rw/closed/x", "rw/open/x")); }},
                 {"rmdir rw/secret", EACCES, [] { return call(::rmdir("rw/secret")); }},
                 {"stat rw/secret/inside (root 0700 dir)", EACCES,
                  [] {
                    struct stat st {};
                    return call(::stat("rw/secret/inside", &st));
                  }},
                 {"open rw/secret/inside", EACCES,
                  [] { return call(::open("rw/secret/inside", O_RDONLY | O_CLOEXEC)); }},
                 {"opendir rw/secret", EACCES,
                  [] { return call(::open("rw/secret", O_RDONLY | O_DIRECTORY | O_CLOEXEC)); }},
             });
  EXPECT_EQ(manifest(vol_), before) << "a refused request changed the volume";
  // What the modes allow still works: reading, listing, reading xattrs.
  expectRows(who, mnt_,
             {
                 {"read rw/f", 0,
                  [] {
                    const int fd = ::open("rw/f", O_RDONLY | O_CLOEXEC);
                    if (fd < 0) return errno;
                    char buf[32];
                    const ssize_t n = ::read(fd, buf, sizeof buf);
                    ::close(fd);
                    return n == 10 && std::memcmp(buf, "root data\n", 10) == 0 ? 0 : EIO;
                  }},
                 {"opendir rw/closed", 0,
                  [] {
                    const int fd = ::open("rw/closed", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                    return fd < 0 ? errno : ::close(fd);
                  }},
                 {"getxattr rw/f user.keep", 0,
                  [] {
                    char v[4];
                    return ::getxattr("rw/f", "user.keep", v, sizeof v) == 1 ? 0 : errno;
                  }},
             });
}

TEST_F(Credentials, AccessAnswersForTheCallerAndAnRoViewStillSaysErofs) {
  RecordProperty("clauses", "SV-LAUNCH-10 H-RO-1");
  mountWithViews();
  if (HasFatalFailure()) return;
  expectRows(
      nobody(), mnt_,
      {
          {"access rw/f W_OK (root 0644)", EACCES, [] { return call(::access("rw/f", W_OK)); }},
          {"access rw/f R_OK", 0, [] { return call(::access("rw/f", R_OK)); }},
          {"access rw/closed W_OK", EACCES, [] { return call(::access("rw/closed", W_OK)); }},
          {"access rw/open W_OK", 0, [] { return call(::access("rw/open", W_OK)); }},
          {"chdir rw/secret (root 0700)", EACCES, [] { return call(::chdir("rw/secret")); }},
          {"access ro/f W_OK", EROFS, [] { return call(::access("ro/f", W_OK)); }},
          {"access ro/open W_OK", EROFS, [] { return call(::access("ro/open", W_OK)); }},
          {"access ro/f R_OK", 0, [] { return call(::access("ro/f", R_OK)); }},
          {"create ro/open/new", EROFS,
           [] { return call(::open("ro/open/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)); }},
      });
  // Root's answers are unchanged.
  EXPECT_EQ(call(::access((mnt_ / "rw" / "f").c_str(), W_OK)), 0);
  EXPECT_EQ(call(::access((mnt_ / "ro" / "f").c_str(), W_OK)), EROFS);
}

// Runs `path` (a copy of /bin/true) in a grandchild; 0 or execve's errno.
int exec(const char* path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    char* const argv[] = {const_cast<char*>(path), nullptr};
    char* const envp[] = {nullptr};
    ::execve(path, argv, envp);
    ::_exit(errno);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return ECHILD;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

TEST_F(Credentials, ExecutingTakesTheCallersExecutePermissionNotReadPermission) {
  RecordProperty("clauses", "SV-LAUNCH-10");
  for (const auto& [name, mode] :
       {std::pair{"x-only", 0711}, {"owner-x", 0744}, {"everyone", 0755}}) {
    fs::copy_file("/bin/true", vol_ / name);
    ASSERT_EQ(::chmod((vol_ / name).c_str(), static_cast<mode_t>(mode)), 0);
  }
  mountWithViews();
  if (HasFatalFailure()) return;
  expectRows(nobody(), mnt_,
             {
                 {"exec rw/x-only (root 0711)", 0, [] { return exec("rw/x-only"); }},
                 {"read rw/x-only", EACCES,
                  [] { return call(::open("rw/x-only", O_RDONLY | O_CLOEXEC)); }},
                 {"exec rw/owner-x (root 0744)", EACCES, [] { return exec("rw/owner-x"); }},
                 {"exec rw/everyone (root 0755)", 0, [] { return exec("rw/everyone"); }},
                 {"exec ro/x-only", 0, [] { return exec("ro/x-only"); }},
             });
  EXPECT_EQ(exec((mnt_ / "rw" / "owner-x").c_str()), 0) << "root cannot run a 0744 program";
}

TEST_F(Credentials, RootIsRootAgainOnEveryThreadThatServedANonRootCaller) {
  RecordProperty("clauses", "SV-LAUNCH-10");
  // Every request begins on a worker thread that must be root again: fsuid
  // 0 and the filesystem capabilities back. The hook runs first in every
  // handler that takes a view's node, on the worker thread.
  struct Seen {
    std::mutex mu;
    int phase = 0;                      // 1: nobody's requests, 2: root's
    std::set<pid_t> threads[3];         // worker threads per phase
    std::vector<std::string> not_root;  // requests that began with a wrong identity
  };
  auto seen = std::make_shared<Seen>();
  DiskOptions options;
  options.op_hook = [seen](const OpEvent& e) {
    const long id = fsuid();
    const bool dac = hasCap(effectiveCaps(), CAP_DAC_OVERRIDE);
    std::lock_guard lock(seen->mu);
    seen->threads[seen->phase].insert(static_cast<pid_t>(::gettid()));
    if (id != 0 || !dac) {
      seen->not_root.push_back(std::string(e.op) + " began with fsuid " + std::to_string(id) +
                               (dac ? "" : " and no CAP_DAC_OVERRIDE"));
    }
  };
  mountWithViews(options);
  if (HasFatalFailure()) return;
  constexpr int kCallers = 4;
  constexpr int kEach = 50;

  {
    std::lock_guard lock(seen->mu);
    seen->phase = 1;
  }
  {
    std::vector<std::string> names;
    for (int i = 0; i < kEach; ++i) names.push_back("rw/closed/nobody-" + std::to_string(i));
    std::vector<Expect> rows;
    for (const auto& n : names) {
      rows.push_back({"create " + n, EACCES, [p = n.c_str()] {
                        return call(::open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
                      }});
    }
    std::vector<std::thread> callers;
    for (int c = 0; c < kCallers; ++c) {
      callers.emplace_back([&] { expectRows(nobody(), mnt_, rows); });
    }
    for (auto& t : callers) t.join();
  }

  {
    std::lock_guard lock(seen->mu);
    seen->phase = 2;
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> roots;
  for (int c = 0; c < kCallers; ++c) {
    roots.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        const auto path =
            mnt_ / "rw" / "closed" / ("root-" + std::to_string(c) + "-" + std::to_string(i));
        const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0) {
          ++failures;
          continue;
        }
        ::close(fd);
      }
    });
  }
  for (auto& t : roots) t.join();
  EXPECT_EQ(failures.load(), 0) << "root could not create in its own 0755 directory";
  // What needs root's capabilities, on a file root does not own.
  writeFile(vol_ / "open" / "theirs", "x\n");
  ASSERT_EQ(::chown((vol_ / "open" / "theirs").c_str(), nobody().uid, nobody().gid), 0);
  ASSERT_EQ(::chmod((vol_ / "open" / "theirs").c_str(), 0600), 0);
  const auto theirs = mnt_ / "rw" / "open" / "theirs";
  EXPECT_EQ(call(::chmod(theirs.c_str(), 0640)), 0) << "CAP_FOWNER did not come back";
  EXPECT_EQ(call(::chown(theirs.c_str(), 0, 0)), 0) << "CAP_CHOWN did not come back";
  EXPECT_EQ(readFile(mnt_ / "rw" / "secret" / "inside"), "inside\n");

  std::lock_guard lock(seen->mu);
  EXPECT_TRUE(seen->not_root.empty())
      << seen->not_root.size() << " requests, first: " << seen->not_root.front();
  std::vector<pid_t> both;
  std::set_intersection(seen->threads[1].begin(), seen->threads[1].end(), seen->threads[2].begin(),
                        seen->threads[2].end(), std::back_inserter(both));
  EXPECT_FALSE(both.empty()) << "no worker thread served root after serving nobody ("
                             << seen->threads[1].size() << " and " << seen->threads[2].size()
                             << " threads)";
  RecordProperty("threads_nobody_then_root", static_cast<int>(both.size()));
  std::printf("worker threads: %zu served nobody, %zu served root, %zu both\n",
              seen->threads[1].size(), seen->threads[2].size(), both.size());
  for (int c = 0; c < kCallers; ++c) {
    EXPECT_EQ(lst("closed/root-" + std::to_string(c) + "-0").st_uid, 0u);
  }
}

}  // namespace
}  // namespace svh::agent::disk::test
