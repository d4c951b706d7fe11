// Per-volume quota: all views of a volume share one byte count; a request
// that would go past the quota fails with ENOSPC and stores nothing past it.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <numeric>

#include "disk_test_support.hpp"

namespace svh::agent::disk::test {
namespace {

constexpr uint64_t kQuota = 64 * 1024;

class Quota : public DiskTest {
 protected:
  void SetUp() override {
    DiskTest::SetUp();
    if (HasFatalFailure()) return;
    vol_ = makeVolume("v1");
    writeFile(vol_ / "existing", std::string(16 * 1024, 'e'));  // counted from the start
    mountDisk();
    a_ = addView("a", vol_, Mode::RW, kQuota);
    b_ = addView("b", vol_, Mode::RW, kQuota);
  }

  uint64_t stored() {
    uint64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(vol_)) {
      if (e.is_regular_file()) total += e.file_size();
    }
    return total;
  }
  // Writes `size` bytes at the end of `path` in one write(2); returns what
  // write returned, or -errno.
  ssize_t append(const fs::path& path, size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return -errno;
    const std::string data(size, 'x');
    const ssize_t n = ::write(fd, data.data(), data.size());
    const ssize_t result = n < 0 ? -errno : n;
    ::close(fd);
    return result;
  }

  fs::path vol_, a_, b_;
};

TEST_F(Quota, WritesStopAtTheQuota) {
  EXPECT_EQ(append(a_ / "one", 40 * 1024), 40 * 1024);
  // 56 KiB used: a 16 KiB write stores the 8 KiB that fit, like a full disk.
  EXPECT_EQ(append(a_ / "two", 16 * 1024), 8 * 1024);
  EXPECT_EQ(append(a_ / "two", 1), -ENOSPC);
  EXPECT_EQ(append(b_ / "three", 1), -ENOSPC) << "the second view of the volume shares the count";
  EXPECT_EQ(stored(), kQuota);
  EXPECT_EQ(::truncate((a_ / "two").c_str(), 1 << 20), -1);
  EXPECT_EQ(errno, ENOSPC);
  const int fd = ::open((a_ / "two").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::fallocate(fd, 0, 0, 1 << 20), -1);
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(::pwrite(fd, "y", 1, 100), 1) << "overwriting inside the file needs no room";
  ::close(fd);
  EXPECT_EQ(stored(), kQuota) << "nothing may be stored past the quota";
}

TEST_F(Quota, FreeingSpaceMakesRoomAgain) {
  ASSERT_EQ(append(a_ / "one", 48 * 1024), 48 * 1024);
  EXPECT_EQ(append(b_ / "two", 1), -ENOSPC);
  ASSERT_EQ(::unlink((b_ / "one").c_str()), 0);
  EXPECT_EQ(append(b_ / "two", 48 * 1024), 48 * 1024);
  ASSERT_EQ(::truncate((a_ / "two").c_str(), 1024), 0);
  EXPECT_EQ(append(a_ / "three", 47 * 1024), 47 * 1024);
  EXPECT_EQ(stored(), kQuota);
}

TEST_F(Quota, AnUnlinkedOpenFileKeepsCountingUntilClosed) {
  const int fd = ::open((a_ / "tmp").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  const std::string chunk(32 * 1024, 'z');
  ASSERT_EQ(::write(fd, chunk.data(), chunk.size()), 32 * 1024);
  ASSERT_EQ(::unlink((a_ / "tmp").c_str()), 0);
  // 16 KiB existing + 32 KiB held by the open file: 16 KiB left, not 48.
  EXPECT_EQ(::write(fd, chunk.data(), chunk.size()), 16 * 1024);
  EXPECT_EQ(append(a_ / "other", 1), -ENOSPC);
  ::close(fd);
  EXPECT_EQ(append(a_ / "other", 48 * 1024), 48 * 1024) << "closing gave the space back";
}

TEST_F(Quota, StatfsShowsTheQuota) {
  struct statvfs sv {};
  ASSERT_EQ(::statvfs(a_.c_str(), &sv), 0);
  EXPECT_EQ(sv.f_blocks * sv.f_frsize, kQuota);
  EXPECT_LE(sv.f_bavail * sv.f_frsize, kQuota - 16 * 1024);
}

TEST_F(Quota, ViewsOfOneVolumeMustAgreeOnItsQuota) {
  EXPECT_THROW(addView("c", vol_, Mode::RW, kQuota * 2), DiskError);
  EXPECT_NO_THROW(addView("d", vol_, Mode::RO));  // no quota given: the volume's applies
}

// A resize (GROW_VOLUME, SHRINK_VOLUME) reaches views already in use, and
// views added later must ask for the new size.
TEST_F(Quota, ANewQuotaAppliesToViewsInUseAndToLaterOnes) {
  ASSERT_EQ(append(a_ / "one", 40 * 1024), 40 * 1024);
  EXPECT_EQ(disk_->setQuota(vol_, 2 * kQuota), 56u * 1024) << "the usage of the volume in use";
  EXPECT_EQ(append(b_ / "two", 64 * 1024), 64 * 1024) << "the grown quota did not apply";
  EXPECT_THROW(addView("old-size", vol_, Mode::RW, kQuota), DiskError);
  EXPECT_NO_THROW(addView("new-size", vol_, Mode::RW, 2 * kQuota));

  // Below the usage (120 KiB): nothing is removed, nothing can grow, and
  // freeing enough makes room again.
  EXPECT_EQ(disk_->setQuota(vol_, 32 * 1024), 120u * 1024);
  EXPECT_EQ(stored(), 120u * 1024) << "a smaller quota removed data";
  EXPECT_EQ(append(a_ / "one", 1), -ENOSPC);
  ASSERT_EQ(::unlink((a_ / "two").c_str()), 0);
  ASSERT_EQ(::unlink((a_ / "one").c_str()), 0);
  EXPECT_EQ(append(a_ / "three", 16 * 1024), 16 * 1024);
  EXPECT_EQ(append(a_ / "three", 1), -ENOSPC);
}

TEST_F(Quota, ANewQuotaForAVolumeNoViewUsesIsLeftToTheNextView) {
  auto idle = makeVolume("idle");
  EXPECT_EQ(disk_->setQuota(idle, kQuota), std::nullopt);
  EXPECT_THROW(disk_->setQuota(tmp_ / "elsewhere", kQuota), DiskError);
  auto unlimited = makeVolume("unlimited");
  addView("u", unlimited, Mode::RW);
  EXPECT_THROW(disk_->setQuota(unlimited, kQuota), DiskError)
      << "a volume measured by nobody cannot be given a quota in use";
}

}  // namespace
}  // namespace svh::agent::disk::test
