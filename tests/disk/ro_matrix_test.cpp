// H-RO-1 through the FUSE disk: in an RO view every mutating system call
// fails, reads work, and the volume's content is byte-for-byte unchanged.
// One row per call, pjdfstest style: expected errno, observed errno.
//
// Rows marked "kernel" cannot reach FUSE at all: no writable fd of a file in
// an RO view can be obtained (open for writing fails with EROFS), so the
// kernel refuses write/ftruncate/fallocate/copy_file_range/shared writable
// mmap on the best fd a task can get, exactly as on a read-only bind mount.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <sstream>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

struct Row {
  std::string call;
  int expected;
  std::string refused_by;    // "fuse" or "kernel"
  std::function<int()> run;  // returns 0 or the errno
};

class RoMatrix : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("shared1");
    writeFile(vol_ / "f", "original\n");
    fs::create_directories(vol_ / "d");
    writeFile(vol_ / "d" / "g", "inner\n");
    fs::create_directories(vol_ / "e");
    fs::create_symlink("f", vol_ / "l");
    ASSERT_EQ(::setxattr((vol_ / "f").c_str(), "user.keep", "1", 1, 0), 0) << std::strerror(errno);
    other_ = makeVolume("other");
    writeFile(other_ / "x", "from another volume\n");
    mountDisk();
    ro_ = addView("ro", vol_, Mode::RO);
    rw_ = addView("rw-other", other_, Mode::RW);
  }

  fs::path vol_, other_, ro_, rw_;
};

std::string table(const std::vector<Row>& rows, const std::vector<int>& observed) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-46s %-8s %-9s %s\n", "call", "refuser", "expected",
                "observed");
  out << line;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::snprintf(line, sizeof line, "%-46s %-8s %-9s %s%s\n", rows[i].call.c_str(),
                  rows[i].refused_by.c_str(), errnoName(rows[i].expected).c_str(),
                  errnoName(observed[i]).c_str(),
                  observed[i] == rows[i].expected ? "" : "   <-- MISMATCH");
    out << line;
  }
  return out.str();
}

TEST_F(RoMatrix, EveryMutatingCallFailsAndNothingChanges) {
  RecordProperty("clauses", "H-RO-1 H-RO-3");
  const std::string before = manifest(vol_);
  std::map<std::string, std::string> paths;  // stable storage for the c_str()s
  const auto p = [&](const char* name) {
    return paths.try_emplace(name, (ro_ / name).string()).first->second.c_str();
  };
  const int rdonly = ::open(p("f"), O_RDONLY);
  ASSERT_GE(rdonly, 0) << "an RO view must open files for reading: " << std::strerror(errno);
  const int src = ::open((rw_ / "x").c_str(), O_RDONLY);
  ASSERT_GE(src, 0);
  struct timespec times[2] = {{1, 0}, {1, 0}};

  const std::vector<Row> rows = {
      {"open(f, O_WRONLY)", EROFS, "fuse", [&] { return errOf(::open(p("f"), O_WRONLY)); }},
      {"open(f, O_RDWR)", EROFS, "fuse", [&] { return errOf(::open(p("f"), O_RDWR)); }},
      {"open(f, O_WRONLY|O_APPEND)", EROFS, "fuse",
       [&] { return errOf(::open(p("f"), O_WRONLY | O_APPEND)); }},
      {"open(f, O_RDONLY|O_TRUNC)", EROFS, "fuse",
       [&] { return errOf(::open(p("f"), O_RDONLY | O_TRUNC)); }},
      {"open(new, O_CREAT|O_WRONLY)", EROFS, "fuse",
       [&] { return errOf(::open(p("new"), O_CREAT | O_WRONLY, 0644)); }},
      {"open(new, O_CREAT|O_EXCL|O_RDONLY)", EROFS, "fuse",
       [&] { return errOf(::open(p("new"), O_CREAT | O_EXCL | O_RDONLY, 0644)); }},
      {"open(., O_TMPFILE|O_WRONLY)", EOPNOTSUPP, "fuse",
       [&] { return errOf(::open(p("."), O_TMPFILE | O_WRONLY, 0644)); }},
      {"mknod(new, S_IFREG)", EROFS, "fuse",
       [&] { return errOf(::mknod(p("new"), S_IFREG | 0644, 0)); }},
      {"mknod(new, S_IFIFO)", EROFS, "fuse",
       [&] { return errOf(::mknod(p("new"), S_IFIFO | 0644, 0)); }},
      {"mkdir(new)", EROFS, "fuse", [&] { return errOf(::mkdir(p("new"), 0755)); }},
      {"rmdir(e) (empty)", EROFS, "fuse", [&] { return errOf(::rmdir(p("e"))); }},
      {"rmdir(d) (not empty)", EROFS, "fuse", [&] { return errOf(::rmdir(p("d"))); }},
      {"unlink(f)", EROFS, "fuse", [&] { return errOf(::unlink(p("f"))); }},
      {"unlink(l) (symlink)", EROFS, "fuse", [&] { return errOf(::unlink(p("l"))); }},
      {"symlink(f, new)", EROFS, "fuse", [&] { return errOf(::symlink("f", p("new"))); }},
      {"link(f, new)", EROFS, "fuse", [&] { return errOf(::link(p("f"), p("new"))); }},
      {"link(other RW view/x, new) (into)", EROFS, "fuse",
       [&] { return errOf(::link((rw_ / "x").c_str(), p("new"))); }},
      {"rename(f, f2) (within)", EROFS, "fuse", [&] { return errOf(::rename(p("f"), p("f2"))); }},
      {"rename(f, d/g) (over a file)", EROFS, "fuse",
       [&] { return errOf(::rename(p("f"), p("d/g"))); }},
      {"renameat2(f, d, RENAME_EXCHANGE)", EROFS, "fuse",
       [&] { return errOf(::renameat2(AT_FDCWD, p("f"), AT_FDCWD, p("d"), RENAME_EXCHANGE)); }},
      {"rename(f, other RW view/f) (out of)", EROFS, "fuse",
       [&] { return errOf(::rename(p("f"), (rw_ / "f").c_str())); }},
      {"rename(other RW view/x, x) (into)", EROFS, "fuse",
       [&] { return errOf(::rename((rw_ / "x").c_str(), p("x"))); }},
      {"truncate(f, 0)", EROFS, "fuse", [&] { return errOf(::truncate(p("f"), 0)); }},
      {"truncate(f, 1 MiB)", EROFS, "fuse", [&] { return errOf(::truncate(p("f"), 1 << 20)); }},
      {"chmod(f, 0600)", EROFS, "fuse", [&] { return errOf(::chmod(p("f"), 0600)); }},
      {"chmod(view root, 0700)", EROFS, "fuse", [&] { return errOf(::chmod(p("."), 0700)); }},
      {"chown(f, 0, 0) (same owner)", EROFS, "fuse", [&] { return errOf(::chown(p("f"), 0, 0)); }},
      {"chown(f, 1, 1)", EROFS, "fuse", [&] { return errOf(::chown(p("f"), 1, 1)); }},
      {"lchown(l, 1, 1)", EROFS, "fuse", [&] { return errOf(::lchown(p("l"), 1, 1)); }},
      {"utimensat(f, {1,1})", EROFS, "fuse",
       [&] { return errOf(::utimensat(AT_FDCWD, p("f"), times, 0)); }},
      {"utimensat(f, NULL) (touch)", EROFS, "fuse",
       [&] { return errOf(::utimensat(AT_FDCWD, p("f"), nullptr, 0)); }},
      {"utimensat(l, AT_SYMLINK_NOFOLLOW)", EROFS, "fuse",
       [&] { return errOf(::utimensat(AT_FDCWD, p("l"), times, AT_SYMLINK_NOFOLLOW)); }},
      {"setxattr(f, user.new)", EROFS, "fuse",
       [&] { return errOf(::setxattr(p("f"), "user.new", "v", 1, 0)); }},
      {"setxattr(f, user.keep) (replace)", EROFS, "fuse",
       [&] { return errOf(::setxattr(p("f"), "user.keep", "2", 1, XATTR_REPLACE)); }},
      {"removexattr(f, user.keep)", EROFS, "fuse",
       [&] { return errOf(::removexattr(p("f"), "user.keep")); }},
      {"access(f, W_OK)", EROFS, "fuse", [&] { return errOf(::access(p("f"), W_OK)); }},
      {"access(d, W_OK)", EROFS, "fuse", [&] { return errOf(::access(p("d"), W_OK)); }},
      {"ftruncate(O_RDONLY fd, 0)", EINVAL, "kernel",
       [&] { return errOf(::ftruncate(rdonly, 0)); }},
      {"write(O_RDONLY fd)", EBADF, "kernel", [&] { return errOf(::write(rdonly, "x", 1)); }},
      {"pwrite(O_RDONLY fd)", EBADF, "kernel", [&] { return errOf(::pwrite(rdonly, "x", 1, 0)); }},
      {"fallocate(O_RDONLY fd, 0, 0, 1 MiB)", EBADF, "kernel",
       [&] { return errOf(::fallocate(rdonly, 0, 0, 1 << 20)); }},
      {"fallocate(O_RDONLY fd, PUNCH_HOLE)", EBADF, "kernel",
       [&] {
         return errOf(::fallocate(rdonly, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4));
       }},
      {"copy_file_range(RW file -> O_RDONLY fd)", EBADF, "kernel",
       [&] { return errOf(::copy_file_range(src, nullptr, rdonly, nullptr, 4, 0)); }},
      {"mmap(PROT_WRITE, MAP_SHARED, O_RDONLY fd)", EACCES, "kernel",
       [&] {
         void* m = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0);
         if (m == MAP_FAILED) return errno;
         ::munmap(m, 4096);
         return 0;
       }},
  };
  std::vector<int> observed;
  for (const auto& row : rows) observed.push_back(row.run());
  ::close(rdonly);
  ::close(src);

  const std::string report = table(rows, observed);
  std::printf("%s", report.c_str());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(errnoName(observed[i]), errnoName(rows[i].expected)) << rows[i].call;
  }
  EXPECT_EQ(manifest(vol_), before) << "the RO volume changed:\n" << report;
  EXPECT_EQ(readFile(other_ / "x"), "from another volume\n")
      << "the RW side of into/out-of moves changed";
}

TEST_F(RoMatrix, ReadingWorks) {
  RecordProperty("clauses", "H-RO-1");
  const std::string before = manifest(vol_);
  EXPECT_EQ(readFile(ro_ / "f"), "original\n");
  EXPECT_EQ(readFile(ro_ / "d" / "g"), "inner\n");
  struct stat st {};
  EXPECT_EQ(::stat((ro_ / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 9);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(ro_)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"f", "d", "e", "l"}));
  EXPECT_EQ(fs::read_symlink(ro_ / "l"), "f");
  EXPECT_EQ(readFile(ro_ / "l"), "original\n") << "following a symlink inside the volume";
  char value[8] = {};
  EXPECT_EQ(::getxattr((ro_ / "f").c_str(), "user.keep", value, sizeof value), 1);
  EXPECT_EQ(std::string(value), "1");
  char names_buf[256];
  const ssize_t len = ::listxattr((ro_ / "f").c_str(), names_buf, sizeof names_buf);
  ASSERT_GT(len, 0);
  EXPECT_NE(std::string(names_buf, static_cast<size_t>(len)).find("user.keep"), std::string::npos);
  struct statvfs sv {};
  EXPECT_EQ(::statvfs(ro_.c_str(), &sv), 0);
  EXPECT_EQ(::access((ro_ / "f").c_str(), R_OK), 0);
  // O_CREAT on an existing name creates nothing, so it is a plain open.
  const int fd = ::open((ro_ / "f").c_str(), O_RDONLY | O_CREAT, 0644);
  EXPECT_GE(fd, 0) << std::strerror(errno);
  void* shared = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(shared, MAP_FAILED) << std::strerror(errno);
  EXPECT_EQ(std::string(static_cast<char*>(shared), 9), "original\n");
  ::munmap(shared, 4096);
  // A private writable mapping is a copy: writing it changes nothing.
  void* priv = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ASSERT_NE(priv, MAP_FAILED) << std::strerror(errno);
  static_cast<char*>(priv)[0] = 'X';
  ::munmap(priv, 4096);
  EXPECT_EQ(::fsync(fd), 0);
  ::close(fd);
  EXPECT_EQ(manifest(vol_), before);
}

}  // namespace
}  // namespace svh::agent::disk::test
