#pragma once
// Removing a directory tree that a task had in its hands (a sandbox) without
// ever touching anything outside it (SPEC H-DATA-5). In Mesos, the sandbox
// GC once deleted live volume data: a volume mount left in a sandbox was
// crossed by the recursive delete a week later (MESOS-7366, then MESOS-8830).
// Here:
//  * unmountUnder() first detaches every mount at or below the tree in this
//    (the agent's) mount namespace, as Mesos's GC does since MESOS-8830;
//  * removeTree() then works one directory at a time through file
//    descriptors (openat/unlinkat, O_NOFOLLOW): a symlink is unlinked,
//    never followed, whether it names a file, a directory or a volume's
//    backing directory; and it never descends into a directory on another
//    mount (mount id from statx, so a bind mount of the same filesystem is
//    seen too): such a directory, and the dirs above it, are left in place
//    and reported instead.
// A task's own bind mounts live in its private mount namespace and vanish
// with it; these are the second and third lines of defence.

#include <filesystem>
#include <string>
#include <vector>

namespace svh::agent {

// Detaches the mounts at or below `dir` (deepest first). Returns one line per
// mount that could not be detached; empty when none is left.
std::vector<std::string> unmountUnder(const std::filesystem::path& dir);

// Removes `dir` and everything below it as described above; a `dir` that is
// itself a symlink is unlinked, and a missing one is nothing to do. Returns
// one line per object that could not be removed; empty when all is gone.
std::vector<std::string> removeTree(const std::filesystem::path& dir);

}  // namespace svh::agent
