// What a symlink inside a volume can and cannot do.
//
// Guaranteed: FUSE never operates outside the view's volume directory. It
// resolves one name at a time with O_NOFOLLOW relative to the parent's fd,
// never resolves "..", and an inode stays bound to the object it was looked
// up as: swapping a directory for a symlink behind a task's back does not
// redirect requests through that directory. readlink returns the link text.
//
// Not FUSE's business: a task that follows a symlink ("cat vol/etc/passwd"
// with etc -> /etc) is resolved by the kernel in the task's own mount
// namespace, outside FUSE; what it reaches there is whatever that namespace
// shows (confine tasks with a chroot/pivot_root for that).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

class SymlinkEscape : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    outside_ = tmp_ / "outside";
    fs::create_directories(outside_);
    writeFile(outside_ / "secret", "secret\n");
    vol_ = makeVolume("v1");
    fs::create_symlink("/etc", vol_ / "etc");
    fs::create_symlink("../..", vol_ / "up");
    fs::create_symlink(outside_, vol_ / "abs");
    fs::create_directories(vol_ / "d");
    mountDisk();
    rw_ = addView("rw", vol_, Mode::RW);
  }
  fs::path outside_, vol_, rw_;
};

TEST_F(SymlinkEscape, ReadlinkReturnsTheLinkText) {
  EXPECT_EQ(fs::read_symlink(rw_ / "etc"), "/etc");
  EXPECT_EQ(fs::read_symlink(rw_ / "up"), "../..");
  EXPECT_EQ(fs::read_symlink(rw_ / "abs"), outside_);
  struct stat st {};
  ASSERT_EQ(::lstat((rw_ / "up").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // Making such links is allowed: they are only text.
  EXPECT_EQ(::symlink("/", (rw_ / "root").c_str()), 0);
}

TEST_F(SymlinkEscape, DotDotOfAViewIsTheListOfViewsNotTheBackingDir) {
  struct stat up {
  }, root{}, backing_parent{};
  ASSERT_EQ(::stat((rw_ / "..").c_str(), &up), 0);
  ASSERT_EQ(::stat(mnt_.c_str(), &root), 0);
  ASSERT_EQ(::stat(vol_.parent_path().c_str(), &backing_parent), 0);
  EXPECT_EQ(up.st_dev, root.st_dev);
  EXPECT_EQ(up.st_ino, root.st_ino);
  EXPECT_NE(up.st_ino, backing_parent.st_ino);
  EXPECT_FALSE(fs::exists(rw_ / ".." / "v1")) << "the backing store's volume names must not show";
}

TEST_F(SymlinkEscape, ADirectorySwappedForASymlinkDoesNotRedirectFuse) {
  // A task holds the directory open; then (outside FUSE) the directory is
  // moved aside and a symlink to a directory outside the volume takes its
  // name. Requests through the open directory stay with the directory.
  const int dfd = ::open((rw_ / "d").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  fs::rename(vol_ / "d", vol_ / "d-real");
  fs::create_symlink(outside_, vol_ / "d");
  ASSERT_EQ(::mkdirat(dfd, "x", 0755), 0) << std::strerror(errno);
  const int f = ::openat(dfd, "y", O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(f, 0) << std::strerror(errno);
  ::close(f);
  ::close(dfd);
  EXPECT_TRUE(fs::is_directory(vol_ / "d-real" / "x"));
  EXPECT_TRUE(fs::exists(vol_ / "d-real" / "y"));
  EXPECT_FALSE(fs::exists(outside_ / "x"));
  EXPECT_FALSE(fs::exists(outside_ / "y"));
  // A fresh lookup of "d" now finds the symlink, reported as a symlink.
  EXPECT_TRUE(fs::is_symlink(rw_ / "d"));
}

TEST_F(SymlinkEscape, TracedPathsStayInsideTheVolume) {
  ::mkdir((rw_ / "d" / "sub").c_str(), 0755);
  writeFile(rw_ / "d" / "sub" / "file", "x");
  ::unlink((rw_ / "up").c_str());
  for (const auto& line : traceLines(trace_)) {
    const auto path = nlohmann::json::parse(line)["path"].get<std::string>();
    EXPECT_TRUE(path.empty() || (path[0] != '/' && path.rfind("..", 0) != 0)) << line;
  }
}

}  // namespace
}  // namespace svh::agent::disk::test
