// Mount table reading (/proc/<pid>/mountinfo, see proc(5)). Used to find out
// whether a path is a mount point, which device a FUSE mount has, and where
// fusectl is mounted; the tests use it to wait for a mount to go away.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace svh::agent::disk {

struct MountEntry {
  uint64_t mount_id = 0;
  uint64_t parent_id = 0;
  unsigned major = 0;
  unsigned minor = 0;
  std::string root;         // path inside the mounted filesystem
  std::string mount_point;  // octal escapes (\040 ...) undone
  std::string fs_type;      // "fuse.svh", "ext4", ...
  std::string source;
};

// Parses mountinfo text; malformed lines are skipped.
std::vector<MountEntry> parseMountInfo(std::string_view text);
// The calling process's mount table; empty if it cannot be read.
std::vector<MountEntry> readMountInfo(const std::filesystem::path& file = "/proc/self/mountinfo");
// The topmost mount at exactly `mount_point` (compared as text), if any.
std::optional<MountEntry> findMount(const std::vector<MountEntry>& table,
                                    const std::filesystem::path& mount_point);

}  // namespace svh::agent::disk
