#include "fakes/agent/disk/volume.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace svh::agent::disk {

Volume::Volume(std::filesystem::path dir, std::optional<uint64_t> quota, uint64_t usage)
    : dir_(std::move(dir)), limited_(quota.has_value()), quota_(quota.value_or(0)), usage_(usage) {}

std::optional<uint64_t> Volume::quota() const {
  if (!limited_) return std::nullopt;
  std::lock_guard lock(mu_);
  return quota_;
}

uint64_t Volume::usage() const {
  std::lock_guard lock(mu_);
  return usage_;
}

bool Volume::setQuota(uint64_t bytes) {
  if (!limited_) return false;
  std::lock_guard lock(mu_);
  quota_ = bytes;
  return true;
}

uint64_t Volume::room() const {
  return usage_ >= quota_ ? 0 : quota_ - usage_;
}

void Volume::grow(int64_t delta) {
  if (delta < 0 && static_cast<uint64_t>(-delta) > usage_) {
    usage_ = 0;
  } else {
    usage_ += static_cast<uint64_t>(delta);
  }
}

ssize_t Volume::write(int fd, uint64_t offset, size_t size,
                      const std::function<ssize_t(size_t)>& act) {
  if (!limited_) return act(size);
  std::lock_guard lock(mu_);
  struct stat before {};
  if (::fstat(fd, &before) != 0) return -errno;
  const int flags = ::fcntl(fd, F_GETFL);
  const uint64_t old_size = static_cast<uint64_t>(before.st_size);
  const uint64_t start = (flags >= 0 && (flags & O_APPEND)) ? old_size : offset;
  const uint64_t limit = old_size + room();  // the largest size this file may reach
  size_t n = size;
  if (start + size > old_size && start + size > limit) {
    if (start >= limit) return -ENOSPC;
    n = static_cast<size_t>(limit - start);
  }
  const ssize_t result = act(n);
  struct stat after {};
  if (::fstat(fd, &after) == 0) grow(after.st_size - before.st_size);
  return result;
}

int Volume::resize(int fd, const std::function<int64_t(uint64_t)>& new_size,
                   const std::function<int()>& act) {
  if (!limited_) return act();
  std::lock_guard lock(mu_);
  struct stat before {};
  if (::fstat(fd, &before) != 0) return -errno;
  const uint64_t old_size = static_cast<uint64_t>(before.st_size);
  const int64_t predicted = new_size(old_size);
  if (predicted < 0) return static_cast<int>(predicted);
  if (static_cast<uint64_t>(predicted) > old_size &&
      static_cast<uint64_t>(predicted) - old_size > room()) {
    return -ENOSPC;
  }
  const int result = act();
  struct stat after {};
  if (::fstat(fd, &after) == 0) grow(after.st_size - before.st_size);
  return result;
}

int Volume::remove(int dirfd, const char* name, const std::function<int()>& act) {
  if (!limited_) return act();
  std::lock_guard lock(mu_);
  struct stat victim {};
  const bool frees = ::fstatat(dirfd, name, &victim, AT_SYMLINK_NOFOLLOW) == 0 &&
                     S_ISREG(victim.st_mode) && victim.st_nlink == 1 &&
                     open_.count({victim.st_dev, victim.st_ino}) == 0;
  const int result = act();
  if (result == 0 && frees) grow(-victim.st_size);
  return result;
}

int Volume::open(const std::function<bool(struct stat&)>& before, const std::function<int()>& act) {
  if (!limited_) return act();
  std::lock_guard lock(mu_);
  struct stat old {};
  const bool existed = before(old);
  const int fd = act();
  if (fd < 0) return fd;
  struct stat now {};
  if (::fstat(fd, &now) == 0 && S_ISREG(now.st_mode)) {
    const bool same = existed && old.st_dev == now.st_dev && old.st_ino == now.st_ino;
    grow(now.st_size - (same ? old.st_size : 0));
    ++open_[{now.st_dev, now.st_ino}];
  }
  return fd;
}

void Volume::release(int fd) {
  if (!limited_) return;
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return;
  auto it = open_.find({st.st_dev, st.st_ino});
  if (it == open_.end()) return;
  if (--it->second > 0) return;
  open_.erase(it);
  if (st.st_nlink == 0) grow(-st.st_size);  // it was unlinked while open: gone now
}

std::optional<int64_t> Volume::fallocateSize(int mode, int64_t offset, int64_t length,
                                             uint64_t size) {
  const auto old_size = static_cast<int64_t>(size);
  const int64_t end = offset + length;
  switch (mode) {
    case 0:
    case FALLOC_FL_ZERO_RANGE:
      return std::max(old_size, end);
    case FALLOC_FL_KEEP_SIZE:
    case FALLOC_FL_KEEP_SIZE | FALLOC_FL_ZERO_RANGE:
      // Blocks past EOF would be allocated without st_size showing them.
      if (end > old_size) return std::nullopt;
      return old_size;
    case FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE:
      return old_size;
    case FALLOC_FL_INSERT_RANGE:
      return old_size + length;
    case FALLOC_FL_COLLAPSE_RANGE:
      return std::max<int64_t>(0, old_size - length);
    default:
      return std::nullopt;
  }
}

namespace {

int64_t walk(int dirfd, std::set<std::pair<dev_t, ino_t>>& seen) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR* dp = ::fdopendir(fd);
  if (dp == nullptr) {
    const int err = errno;
    ::close(fd);
    return -err;
  }
  int64_t total = 0;
  while (dirent* d = ::readdir(dp)) {
    const std::string_view name = d->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
    if (S_ISREG(st.st_mode)) {
      if (seen.insert({st.st_dev, st.st_ino}).second) total += st.st_size;
    } else if (S_ISDIR(st.st_mode)) {
      int sub = ::openat(fd, d->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      const int64_t part = walk(sub, seen);
      ::close(sub);
      if (part < 0) {
        ::closedir(dp);
        return part;
      }
      total += part;
    }
  }
  ::closedir(dp);
  return total;
}

}  // namespace

int64_t measureUsage(int dirfd) {
  std::set<std::pair<dev_t, ino_t>> seen;
  return walk(dirfd, seen);
}

}  // namespace svh::agent::disk
