// Several views of one volume (a shared volume used by several tasks):
// writes through one are visible through the others at once (H-DATA-1,
// H-RO-2), each view keeps its own mode (H-RO-3), and nothing moves between
// views (EXDEV).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

class SharedViews : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("shared");
    mountDisk();
    writer_ = addView("writer", vol_, Mode::RW);
    reader_ = addView("reader", vol_, Mode::RO);
  }
  fs::path vol_, writer_, reader_;
};

TEST_F(SharedViews, ReaderSeesEveryWriteAtOnce) {
  RecordProperty("clauses", "H-DATA-1 H-RO-2 H-RO-3");
  writeFile(writer_ / "log", "first\n");
  EXPECT_EQ(readFile(reader_ / "log"), "first\n");
  // A reader that keeps the file open sees overwrites of the same size too
  // (its cached pages are dropped as soon as GETATTR shows a change).
  const int in = ::open((reader_ / "log").c_str(), O_RDONLY);
  ASSERT_GE(in, 0);
  const int out = ::open((writer_ / "log").c_str(), O_WRONLY);
  ASSERT_GE(out, 0);
  char buf[16];
  int stale = 0;
  for (int i = 0; i < 300; ++i) {
    char text[7];
    std::snprintf(text, sizeof text, "%05d\n", i);
    ASSERT_EQ(::pwrite(out, text, 6, 0), 6);
    const ssize_t n = ::pread(in, buf, sizeof buf, 0);
    ASSERT_EQ(n, 6);
    if (std::string(buf, 6) != text) ++stale;
  }
  EXPECT_EQ(stale, 0) << "reads through the RO view returned data older than the last write";
  ::close(in);
  ::close(out);
  // Names appear and disappear at once too.
  fs::create_directories(writer_ / "dir");
  EXPECT_TRUE(fs::is_directory(reader_ / "dir"));
  fs::remove(writer_ / "log");
  EXPECT_FALSE(fs::exists(reader_ / "log"));
  // And the reader still cannot write.
  EXPECT_EQ(::mkdir((reader_ / "mine").c_str(), 0755), -1);
  EXPECT_EQ(errno, EROFS);
}

TEST_F(SharedViews, WritesThroughTheBackingStoreAndOtherViewsAgree) {
  RecordProperty("clauses", "H-DATA-1");
  auto second = addView("writer2", vol_, Mode::RW);
  writeFile(writer_ / "a", "from writer\n");
  EXPECT_EQ(readFile(vol_ / "a"), "from writer\n") << "not in the backing store";
  {
    const int fd = ::open((second / "a").c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "from writer2\n", 13), 13);
    ::close(fd);
  }
  EXPECT_EQ(readFile(reader_ / "a"), "from writer\nfrom writer2\n");
  EXPECT_EQ(readFile(vol_ / "a"), "from writer\nfrom writer2\n");
}

TEST_F(SharedViews, NothingMovesOrLinksBetweenViews) {
  auto other_vol = makeVolume("other");
  auto other = addView("other", other_vol, Mode::RW);
  auto writer2 = addView("writer2", vol_, Mode::RW);
  writeFile(writer_ / "f", "x");
  // Different volumes, and even two views of the same volume: to a task they
  // are different mounts, so the answer is EXDEV, as the kernel gives for
  // bind mounts.
  for (const auto& target : {other, writer2}) {
    EXPECT_EQ(::rename((writer_ / "f").c_str(), (target / "f").c_str()), -1) << target;
    EXPECT_EQ(errno, EXDEV) << target;
    EXPECT_EQ(::link((writer_ / "f").c_str(), (target / "g").c_str()), -1) << target;
    EXPECT_EQ(errno, EXDEV) << target;
  }
  EXPECT_TRUE(fs::exists(vol_ / "f"));
  EXPECT_FALSE(fs::exists(other_vol / "f"));
  EXPECT_FALSE(fs::exists(vol_ / "g"));
}

TEST_F(SharedViews, TheRootListsViewsAndRefusesChanges) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(mnt_)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"reader", "writer"}));
  EXPECT_EQ(::mkdir((mnt_ / "new").c_str(), 0755), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rmdir(writer_.c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rename(writer_.c_str(), (mnt_ / "renamed").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::open((mnt_ / "file").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::chmod(mnt_.c_str(), 0777), -1);
  EXPECT_EQ(errno, EPERM);
}

// Regression: a readdir reply used to be sent while its handle was still
// locked, so a closedir racing with it freed the handle under the unlock.
TEST_F(SharedViews, ConcurrentListingAndClosingIsSafe) {
  for (int i = 0; i < 200; ++i) writeFile(vol_ / ("f" + std::to_string(i)), "");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const fs::path dir = t % 3 == 0 ? mnt_ : (t % 2 ? writer_ : reader_);
      for (int i = 0; i < 300; ++i) {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) {
          ++failures;
          continue;
        }
        int n = 0;
        while (::readdir(d) != nullptr && ++n < 3 + (i % 50)) {
        }
        ::closedir(d);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(fs::exists(writer_ / "f0")) << "the disk still serves after the storm";
}

}  // namespace
}  // namespace svh::agent::disk::test
