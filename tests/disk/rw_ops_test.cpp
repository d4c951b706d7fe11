// The RW counterpart of the RO matrix: through an RW view every mutating call
// succeeds and the backing store shows its effect at once.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

struct Step {
  std::string call;
  std::function<int()> run;            // 0 or the errno
  std::function<std::string()> check;  // "" or what the backing store shows instead
};

class RwOps : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("v1");
    writeFile(vol_ / "f", "original\n");
    fs::create_directories(vol_ / "d");
    writeFile(vol_ / "d" / "g", "inner\n");
    fs::create_directories(vol_ / "e");
    fs::create_symlink("f", vol_ / "l");
    ASSERT_EQ(::setxattr((vol_ / "f").c_str(), "user.keep", "1", 1, 0), 0) << std::strerror(errno);
    mountDisk();
    rw_ = addView("rw", vol_, Mode::RW);
  }

  struct stat lst(const char* name) {
    struct stat st {};
    ::lstat((vol_ / name).c_str(), &st);
    return st;
  }
  std::string expectFile(const char* name, const std::string& content) {
    const auto text = readFile(vol_ / name);
    return text == content ? "" : std::string(name) + " holds '" + text + "'";
  }
  std::string expectMissing(const char* name) {
    return fs::exists(fs::symlink_status(vol_ / name)) ? std::string(name) + " still exists" : "";
  }

  fs::path vol_, rw_;
};

TEST_F(RwOps, EveryMutatingCallWorksAndReachesTheBackingStore) {
  RecordProperty("clauses", "H-RO-2 H-DATA-1");
  std::map<std::string, std::string> paths;  // stable storage for the c_str()s
  const auto p = [&](const char* name) {
    return paths.try_emplace(name, (rw_ / name).string()).first->second.c_str();
  };
  int fd = -1;
  struct timespec times[2] = {{1000, 0}, {2000, 0}};
  const std::vector<Step> steps = {
      {"open(f, O_WRONLY|O_TRUNC) + write",
       [&] {
         fd = ::open(p("f"), O_WRONLY | O_TRUNC);
         if (fd < 0) return errno;
         const int err = errOf(::write(fd, "rewritten\n", 10));
         ::close(fd);
         return err;
       },
       [&] { return expectFile("f", "rewritten\n"); }},
      {"open(f, O_WRONLY|O_APPEND) + write",
       [&] {
         fd = ::open(p("f"), O_WRONLY | O_APPEND);
         if (fd < 0) return errno;
         const int err = errOf(::write(fd, "more\n", 5));
         ::close(fd);
         return err;
       },
       [&] { return expectFile("f", "rewritten\nmore\n"); }},
      {"open(f, O_RDWR) + pwrite",
       [&] {
         fd = ::open(p("f"), O_RDWR);
         if (fd < 0) return errno;
         const int err = errOf(::pwrite(fd, "R", 1, 0));
         ::close(fd);
         return err;
       },
       [&] { return expectFile("f", "Rewritten\nmore\n"); }},
      {"open(new, O_CREAT|O_EXCL, 0640)",
       [&] {
         fd = ::open(p("new"), O_CREAT | O_EXCL | O_WRONLY, 0640);
         if (fd < 0) return errno;
         ::close(fd);
         return 0;
       },
       [&] {
         // The caller's umask was applied by the kernel; FUSE adds nothing.
         const mode_t mask = ::umask(0);
         ::umask(mask);
         const auto st = lst("new");
         return S_ISREG(st.st_mode) && (st.st_mode & 0777) == (0640 & ~mask)
                    ? ""
                    : "new has mode " + std::to_string(st.st_mode & 0777);
       }},
      {"mknod(fifo, S_IFIFO)", [&] { return errOf(::mknod(p("fifo"), S_IFIFO | 0600, 0)); },
       [&] { return S_ISFIFO(lst("fifo").st_mode) ? "" : "no fifo"; }},
      {"mkdir(dir2, 0750)", [&] { return errOf(::mkdir(p("dir2"), 0750)); },
       [&] {
         const auto st = lst("dir2");
         return S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750 ? "" : "dir2 wrong";
       }},
      {"rmdir(e)", [&] { return errOf(::rmdir(p("e"))); }, [&] { return expectMissing("e"); }},
      {"symlink(../outside, s)", [&] { return errOf(::symlink("../outside", p("s"))); },
       [&] {
         return fs::read_symlink(vol_ / "s") == "../outside" ? "" : "s has the wrong target";
       }},
      {"link(f, f-link)", [&] { return errOf(::link(p("f"), p("f-link"))); },
       [&] {
         return lst("f").st_ino == lst("f-link").st_ino && lst("f").st_nlink == 2
                    ? ""
                    : "not a hard link";
       }},
      {"unlink(f-link)", [&] { return errOf(::unlink(p("f-link"))); },
       [&] { return expectMissing("f-link"); }},
      {"rename(new, d/new2)", [&] { return errOf(::rename(p("new"), p("d/new2"))); },
       [&] { return fs::exists(vol_ / "d" / "new2") ? expectMissing("new") : "d/new2 missing"; }},
      {"rename(d/new2, d/g) (replace)", [&] { return errOf(::rename(p("d/new2"), p("d/g"))); },
       [&] { return expectFile("d/g", ""); }},
      {"renameat2(f, l, RENAME_EXCHANGE)",
       [&] { return errOf(::renameat2(AT_FDCWD, p("f"), AT_FDCWD, p("l"), RENAME_EXCHANGE)); },
       [&] {
         return S_ISLNK(lst("f").st_mode) && S_ISREG(lst("l").st_mode) ? "" : "not exchanged";
       }},
      {"renameat2(l, f, RENAME_EXCHANGE) (back)",
       [&] { return errOf(::renameat2(AT_FDCWD, p("l"), AT_FDCWD, p("f"), RENAME_EXCHANGE)); },
       [&] { return S_ISREG(lst("f").st_mode) ? "" : "not exchanged back"; }},
      {"renameat2(f, d, RENAME_NOREPLACE) fails EEXIST",
       [&] {
         const int err = errOf(::renameat2(AT_FDCWD, p("f"), AT_FDCWD, p("d"), RENAME_NOREPLACE));
         return err == EEXIST ? 0 : (err == 0 ? -1 : err);
       },
       [&] { return expectFile("f", "Rewritten\nmore\n"); }},
      {"truncate(f, 3)", [&] { return errOf(::truncate(p("f"), 3)); },
       [&] { return expectFile("f", "Rew"); }},
      {"ftruncate(fd, 5)",
       [&] {
         fd = ::open(p("f"), O_WRONLY);
         const int err = fd < 0 ? errno : errOf(::ftruncate(fd, 5));
         if (fd >= 0) ::close(fd);
         return err;
       },
       [&] { return expectFile("f", std::string("Rew\0\0", 5)); }},
      {"fallocate(fd, 0, 0, 64 KiB)",
       [&] {
         fd = ::open(p("f"), O_WRONLY);
         const int err = fd < 0 ? errno : errOf(::fallocate(fd, 0, 0, 65536));
         if (fd >= 0) ::close(fd);
         return err;
       },
       [&] { return lst("f").st_size == 65536 ? "" : "size " + std::to_string(lst("f").st_size); }},
      {"copy_file_range(src -> f)",
       [&] {
         writeFile(vol_ / "src", "copied!");
         const int in = ::open(p("src"), O_RDONLY);
         const int out = ::open(p("f"), O_WRONLY);
         loff_t off_out = 0;
         const int err =
             in < 0 || out < 0 ? errno : errOf(::copy_file_range(in, nullptr, out, &off_out, 7, 0));
         ::close(in);
         ::close(out);
         return err;
       },
       [&] { return readFile(vol_ / "f").substr(0, 7) == "copied!" ? "" : "not copied"; }},
      {"mmap(MAP_SHARED, PROT_WRITE) + msync",
       [&] {
         fd = ::open(p("f"), O_RDWR);
         if (fd < 0) return errno;
         void* m = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
         if (m == MAP_FAILED) {
           const int err = errno;
           ::close(fd);
           return err;
         }
         std::memcpy(m, "MAPPED", 6);
         const int err = errOf(::msync(m, 4096, MS_SYNC));
         ::munmap(m, 4096);
         ::close(fd);
         return err;
       },
       [&] {
         return readFile(vol_ / "f").substr(0, 7) == "MAPPED!" ? "" : "mapping not written back";
       }},
      {"chmod(f, 0600)", [&] { return errOf(::chmod(p("f"), 0600)); },
       [&] { return (lst("f").st_mode & 07777) == 0600 ? "" : "mode not changed"; }},
      {"chmod(view root, 0711)", [&] { return errOf(::chmod(p("."), 0711)); },
       [&] {
         struct stat st {};
         ::stat(vol_.c_str(), &st);
         return (st.st_mode & 07777) == 0711 ? "" : "root mode not changed";
       }},
      {"chown(f, 1, 2)", [&] { return errOf(::chown(p("f"), 1, 2)); },
       [&] {
         const auto st = lst("f");
         return st.st_uid == 1 && st.st_gid == 2 ? "" : "owner not changed";
       }},
      {"lchown(l, 3, 4)", [&] { return errOf(::lchown(p("l"), 3, 4)); },
       [&] {
         const auto st = lst("l");
         return st.st_uid == 3 && st.st_gid == 4 && lst("f").st_uid == 1 ? ""
                                                                         : "symlink owner wrong";
       }},
      {"utimensat(f, {1000, 2000})", [&] { return errOf(::utimensat(AT_FDCWD, p("f"), times, 0)); },
       [&] {
         const auto st = lst("f");
         return st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 2000 ? "" : "times not set";
       }},
      {"utimensat(l, AT_SYMLINK_NOFOLLOW)",
       [&] { return errOf(::utimensat(AT_FDCWD, p("l"), times, AT_SYMLINK_NOFOLLOW)); },
       [&] { return lst("l").st_mtim.tv_sec == 2000 ? "" : "symlink times not set"; }},
      {"setxattr(f, user.new, v)", [&] { return errOf(::setxattr(p("f"), "user.new", "v", 1, 0)); },
       [&] {
         char v[8] = {};
         return ::getxattr((vol_ / "f").c_str(), "user.new", v, sizeof v) == 1 && v[0] == 'v'
                    ? ""
                    : "xattr user.new not set";
       }},
      {"removexattr(f, user.keep)", [&] { return errOf(::removexattr(p("f"), "user.keep")); },
       [&] {
         return ::getxattr((vol_ / "f").c_str(), "user.keep", nullptr, 0) < 0 && errno == ENODATA
                    ? ""
                    : "user.keep still there";
       }},
      {"access(f, W_OK)", [&] { return errOf(::access(p("f"), W_OK)); },
       [] { return std::string(); }},
      {"unlink(f)", [&] { return errOf(::unlink(p("f"))); }, [&] { return expectMissing("f"); }},
      {"rmdir(d) (not empty) fails ENOTEMPTY",
       [&] {
         const int err = errOf(::rmdir(p("d")));
         return err == ENOTEMPTY ? 0 : (err == 0 ? -1 : err);
       },
       [&] { return fs::exists(vol_ / "d") ? "" : "d removed"; }},
  };
  for (const auto& step : steps) {
    const int err = step.run();
    EXPECT_EQ(errnoName(err), "0") << step.call;
    if (err == 0) {
      const std::string problem = step.check();
      EXPECT_EQ(problem, "") << step.call;
    }
  }
}

TEST_F(RwOps, StatfsAndListingsMatchTheBackingStore) {
  struct statvfs through {
  }, direct{};
  ASSERT_EQ(::statvfs(rw_.c_str(), &through), 0);
  ASSERT_EQ(::statvfs(vol_.c_str(), &direct), 0);
  EXPECT_EQ(through.f_blocks, direct.f_blocks);
  EXPECT_EQ(through.f_frsize, direct.f_frsize);
  std::set<std::string> a, b;
  for (const auto& e : fs::directory_iterator(rw_)) a.insert(e.path().filename().string());
  for (const auto& e : fs::directory_iterator(vol_)) b.insert(e.path().filename().string());
  EXPECT_EQ(a, b);
  // Large directories come back whole across several readdir replies.
  for (int i = 0; i < 1500; ++i)
    writeFile(vol_ / "d" / ("file-with-a-long-name-" + std::to_string(i)), "");
  size_t count = 0;
  for (const auto& e : fs::directory_iterator(rw_ / "d"))
    count += e.path().filename().string().rfind("file-with", 0) == 0;
  EXPECT_EQ(count, 1500u);
}

}  // namespace
}  // namespace svh::agent::disk::test
