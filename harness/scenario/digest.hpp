#pragma once
// The content digest of a volume on an agent's backing store: one line per
// entry (path, type, mode, owner, size, mtime, a hash of a file's bytes, a
// symlink's target, user xattrs), sorted. Two digests are equal iff nothing
// a task could change through the volume changed (atime aside), and when
// they differ, the lines say what did.

#include <filesystem>
#include <string>

namespace svh::harness {

std::string contentDigest(const std::filesystem::path& dir);

}  // namespace svh::harness
