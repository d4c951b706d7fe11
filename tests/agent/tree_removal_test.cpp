// removeTree and unmountUnder (fakes/agent/tree_removal.hpp): what the
// sandbox GC uses so that removing a sandbox never reaches volume data
// (H-DATA-5, MESOS-7366): symlinks are unlinked, never followed, mounts are
// never crossed. Needs root (bind mounts, unreadable directories).

#include "fakes/agent/tree_removal.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/cluster/cluster.hpp"

namespace svh::agent {
namespace {

namespace fs = std::filesystem;

class TreeRemoval : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "these tests need root (bind mounts)";
    char pattern[] = "/tmp/svh-tree-removal-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    tree_ = dir_ / "sandbox";
    outside_ = dir_ / "volume";
    fs::create_directories(tree_);
    fs::create_directories(outside_ / "sub");
    write(outside_ / "data", "precious\n");
    write(outside_ / "sub" / "more", "also precious\n");
  }

  void TearDown() override {
    auto mounts = harness::mountsUnder(dir_);
    EXPECT_TRUE(mounts.empty()) << "a mount was left: " << mounts.front();
    for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void expectOutsideIntact() {
    EXPECT_EQ(read(outside_ / "data"), "precious\n");
    EXPECT_EQ(read(outside_ / "sub" / "more"), "also precious\n");
  }
  static std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }

  fs::path dir_, tree_, outside_;
};

TEST_F(TreeRemoval, RemovesEverythingBelowEvenWhatNobodyMayRead) {
  fs::create_directories(tree_ / "a" / "b" / "c");
  write(tree_ / "a" / "b" / "c" / "f", "x");
  write(tree_ / "top", "y");
  chmod((tree_ / "a" / "b" / "c" / "f").c_str(), 0);
  chmod((tree_ / "a" / "b" / "c").c_str(), 0);
  chmod((tree_ / "a").c_str(), 0);
  EXPECT_EQ(joined(removeTree(tree_)), "");
  EXPECT_FALSE(fs::exists(tree_));
}

// H-DATA-5: symlinks into the volume, to a file, to a directory, relative
// and dangling, are unlinked; what they point at stays.
TEST_F(TreeRemoval, SymlinksAreUnlinkedNeverFollowed) {
  fs::create_directories(tree_ / "nested");
  fs::create_directory_symlink(outside_, tree_ / "to-volume");
  fs::create_symlink(outside_ / "data", tree_ / "to-file");
  fs::create_directory_symlink("../../volume/sub", tree_ / "nested" / "relative");
  fs::create_symlink(dir_ / "nothing", tree_ / "dangling");
  EXPECT_EQ(joined(removeTree(tree_)), "");
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree_)));
  expectOutsideIntact();
}

TEST_F(TreeRemoval, ATreeThatIsItselfASymlinkLosesOnlyTheLink) {
  fs::remove(tree_);
  fs::create_directory_symlink(outside_, tree_);
  EXPECT_EQ(joined(removeTree(tree_)), "");
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree_)));
  expectOutsideIntact();
}

// The MESOS-7366 case: the volume is still mounted in the sandbox. Without
// unmounting first, removeTree refuses to cross into it and says so.
TEST_F(TreeRemoval, AMountInsideIsNeverCrossed) {
  fs::create_directories(tree_ / "data");
  write(tree_ / "stdout", "out");
  ASSERT_EQ(mount(outside_.c_str(), (tree_ / "data").c_str(), nullptr, MS_BIND, nullptr), 0)
      << strerror(errno);
  auto problems = removeTree(tree_);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_NE(problems.front().find((tree_ / "data").string() + ": is on another mount"),
            std::string::npos)
      << problems.front();
  expectOutsideIntact();
  EXPECT_FALSE(fs::exists(tree_ / "stdout")) << "what was not under the mount should be gone";
  umount2((tree_ / "data").c_str(), MNT_DETACH);
}

TEST_F(TreeRemoval, UnmountingFirstLetsTheTreeGoAndLeavesTheVolume) {
  fs::create_directories(tree_ / "data");
  fs::create_directories(tree_ / "deep" / "er");
  ASSERT_EQ(mount(outside_.c_str(), (tree_ / "data").c_str(), nullptr, MS_BIND, nullptr), 0);
  // Two mounts stacked on one point, and one deeper down.
  ASSERT_EQ(mount(outside_.c_str(), (tree_ / "data").c_str(), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ(mount(outside_.c_str(), (tree_ / "deep" / "er").c_str(), nullptr, MS_BIND, nullptr), 0);
  EXPECT_EQ(joined(unmountUnder(tree_)), "");
  EXPECT_TRUE(harness::mountsUnder(tree_).empty());
  EXPECT_EQ(joined(removeTree(tree_)), "");
  EXPECT_FALSE(fs::exists(tree_));
  expectOutsideIntact();
}

TEST_F(TreeRemoval, AMissingTreeIsNothingToDo) {
  EXPECT_EQ(joined(removeTree(dir_ / "never-was")), "");
  EXPECT_EQ(joined(removeTree(dir_ / "no" / "parent")), "");
  EXPECT_EQ(joined(unmountUnder(dir_ / "never-was")), "");
}

}  // namespace
}  // namespace svh::agent
