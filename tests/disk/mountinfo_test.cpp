// Pure parts of the disk: mountinfo parsing and quota arithmetic.
#include "fakes/agent/disk/mountinfo.hpp"

#include <gtest/gtest.h>
#include <linux/falloc.h>

#include "fakes/agent/disk/volume.hpp"

namespace svh::agent::disk {
namespace {

TEST(MountInfo, ParsesFieldsAndUndoesEscapes) {
  const auto table = parseMountInfo(
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "61 27 0:52 / /tmp/with\\040space/mnt rw,nosuid,nodev shared:1 master:2 - fuse.svh svh-disk "
      "rw,user_id=0\n"
      "garbage line\n"
      "62 61 0:53 / /tmp/with\\040space/mnt rw - fuse.svh svh-disk rw\n");
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table[1].mount_id, 61u);
  EXPECT_EQ(table[1].major, 0u);
  EXPECT_EQ(table[1].minor, 52u);
  EXPECT_EQ(table[1].mount_point, "/tmp/with space/mnt");
  EXPECT_EQ(table[1].fs_type, "fuse.svh");
  EXPECT_EQ(table[1].source, "svh-disk");
  const auto top = findMount(table, "/tmp/with space/mnt/");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->mount_id, 62u) << "the mount on top wins";
  EXPECT_FALSE(findMount(table, "/tmp"));
}

TEST(QuotaArithmetic, FallocateSizes) {
  EXPECT_EQ(Volume::fallocateSize(0, 0, 100, 10), 100);
  EXPECT_EQ(Volume::fallocateSize(0, 0, 5, 10), 10);
  EXPECT_EQ(Volume::fallocateSize(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 5, 10), 10);
  EXPECT_EQ(Volume::fallocateSize(FALLOC_FL_KEEP_SIZE, 0, 5, 10), 10);
  EXPECT_EQ(Volume::fallocateSize(FALLOC_FL_KEEP_SIZE, 0, 50, 10), std::nullopt)
      << "preallocation past EOF is invisible in st_size";
  EXPECT_EQ(Volume::fallocateSize(FALLOC_FL_INSERT_RANGE, 0, 4096, 8192), 12288);
  EXPECT_EQ(Volume::fallocateSize(FALLOC_FL_COLLAPSE_RANGE, 0, 4096, 8192), 4096);
  EXPECT_EQ(Volume::fallocateSize(0x400, 0, 1, 1), std::nullopt);
}

}  // namespace
}  // namespace svh::agent::disk
