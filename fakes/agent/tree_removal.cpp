#include "fakes/agent/tree_removal.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fakes/agent/disk/mountinfo.hpp"
#include "fakes/agent/disk/unique_fd.hpp"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

namespace svh::agent {

namespace {

using disk::UniqueFd;

// Each level holds one open directory: deeper trees are left and reported.
constexpr int kMaxDepth = 512;

// What identifies the mount an object is on: the mount id where the kernel
// gives one (5.8+), else only the device, which does not tell a bind mount
// of the same filesystem apart.
struct MountOf {
  bool has_id = false;
  uint64_t id = 0;
  dev_t dev = 0;
  bool operator==(const MountOf&) const = default;
};

// Of `name` in `dirfd` (the object itself when name is ""), without
// following a symlink. -errno on failure.
int mountOf(int dirfd, const char* name, MountOf* out, mode_t* type = nullptr) {
  struct statx stx {};
  const int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);
  if (::statx(dirfd, name, flags, STATX_TYPE | STATX_MNT_ID, &stx) != 0) return -errno;
  out->has_id = (stx.stx_mask & STATX_MNT_ID) != 0;
  out->id = out->has_id ? stx.stx_mnt_id : 0;
  out->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  if (type) *type = stx.stx_mode & S_IFMT;
  return 0;
}

class Remover {
 public:
  std::vector<std::string> problems;

  // Removes the entry `name` of the open directory `dirfd` (`dir` for
  // messages), which is on mount `mount`.
  void entry(int dirfd, const std::filesystem::path& dir, const std::string& name,
             const MountOf& mount, int depth) {
    const auto path = dir / name;
    MountOf here;
    mode_t type = 0;
    if (int err = mountOf(dirfd, name.c_str(), &here, &type); err != 0) {
      if (err != -ENOENT) problem(path, "cannot stat", -err);
      return;
    }
    if (type != S_IFDIR) {
      if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
        problem(path, "cannot unlink", errno);
      }
      return;
    }
    UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOTDIR || errno == ELOOP) {
        // It stopped being a directory since the statx: unlink what is there.
        if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
          problem(path, "cannot unlink", errno);
        }
      } else if (errno != ENOENT) {
        problem(path, "cannot open", errno);
      }
      return;
    }
    // Checked on the open directory itself: what was looked up above could
    // have been swapped since.
    if (mountOf(fd.get(), "", &here) != 0 || !(here == mount)) {
      problem(path, "is on another mount (a mount point): left in place, not descended into");
      return;
    }
    if (depth >= kMaxDepth) {
      problem(path, "is more than " + std::to_string(kMaxDepth) + " levels deep: left in place");
      return;
    }
    const std::size_t before = problems.size();
    for (const auto& child : names(fd.get(), path)) entry(fd.get(), path, child, mount, depth + 1);
    fd.reset();
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT &&
        problems.size() == before) {
      problem(path, "cannot remove directory", errno);
    }
  }

  void problem(const std::filesystem::path& path, const std::string& what, int err = 0) {
    problems.push_back(path.string() + ": " + what +
                       (err ? std::string(": ") + std::strerror(err) : ""));
  }

 private:
  // The entries of the directory `fd` (read through a duplicate: fdopendir
  // takes its fd).
  std::vector<std::string> names(int fd, const std::filesystem::path& path) {
    std::vector<std::string> out;
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR* dp = copy >= 0 ? ::fdopendir(copy) : nullptr;
    if (dp == nullptr) {
      problem(path, "cannot list", errno);
      if (copy >= 0) ::close(copy);
      return out;
    }
    ::rewinddir(dp);
    while (dirent* d = ::readdir(dp)) {
      const std::string_view name = d->d_name;
      if (name != "." && name != "..") out.emplace_back(name);
    }
    ::closedir(dp);
    return out;
  }
};

}  // namespace

std::vector<std::string> unmountUnder(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto root = std::filesystem::weakly_canonical(dir, ec).string();
  if (ec) return {dir.string() + ": cannot resolve: " + ec.message()};
  std::vector<std::string> targets;
  for (const auto& mount : disk::readMountInfo()) {
    if (mount.mount_point == root || mount.mount_point.rfind(root + "/", 0) == 0) {
      targets.push_back(mount.mount_point);
    }
  }
  std::vector<std::string> problems;
  // The table lists mounts in the order they were made: undo the latest first.
  for (auto it = targets.rbegin(); it != targets.rend(); ++it) {
    if (::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
        errno != ENOENT) {
      problems.push_back(*it + ": cannot unmount: " + std::strerror(errno));
    }
  }
  return problems;
}

std::vector<std::string> removeTree(const std::filesystem::path& dir) {
  Remover remover;
  const auto path = dir.lexically_normal();
  if (!path.has_filename() || path.filename() == "..") {
    remover.problem(dir, "is not a path to a directory entry");
    return remover.problems;
  }
  UniqueFd parent(::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent) {
    if (errno != ENOENT) remover.problem(path.parent_path(), "cannot open", errno);
    return remover.problems;
  }
  MountOf mount;
  if (int err = mountOf(parent.get(), "", &mount); err != 0) {
    remover.problem(path.parent_path(), "cannot stat", -err);
    return remover.problems;
  }
  remover.entry(parent.get(), path.parent_path(), path.filename().string(), mount, 0);
  return remover.problems;
}

}  // namespace svh::agent
