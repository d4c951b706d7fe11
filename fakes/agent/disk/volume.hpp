// Volume: one volume directory of the backing store, shared by every view
// that exposes it, and the quota accounting of its bytes.
//
// Usage is the sum of st_size over the volume's regular files, each inode
// once, where a file unlinked while open through a view keeps counting until
// its last close (so an open-unlinked file cannot be used to get past the
// quota). It is measured by walking the directory when the first view of
// the volume is added, then kept current by every size-changing request,
// measured with fstat before and after rather than predicted.
//
// A request that would leave the volume above its quota is refused with
// ENOSPC before it stores anything; a write (or copy_file_range) that crosses
// the quota stores the bytes that fit and returns a short count, as a full
// disk does, so the next one gets ENOSPC. Usage is apparent size, not
// allocated blocks: fallocate(FALLOC_FL_KEEP_SIZE) past end of file, which
// would allocate space that st_size does not show, is refused with
// EOPNOTSUPP on a volume with a quota.
//
// The quota of a volume that has one can change while views use it (the
// master resized the volume, SPEC 1.11): setQuota. A quota below the usage
// removes nothing: requests that would grow the volume fail with ENOSPC until
// enough is deleted, as with a hard disk quota.
//
// Without a quota every method just runs the request: no lock, no fstat.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

namespace svh::agent::disk {

class Volume {
 public:
  Volume(std::filesystem::path dir, std::optional<uint64_t> quota, uint64_t usage);

  const std::filesystem::path& dir() const { return dir_; }
  std::optional<uint64_t> quota() const;
  uint64_t usage() const;
  // Replaces the quota of a volume that has one; false (nothing changed)
  // for a volume without a quota, whose usage was never measured.
  bool setQuota(uint64_t bytes);

  // Each call below runs one request; `act` performs the system call and
  // returns its result or -errno. They return what `act` returned, or -errno
  // if accounting refused the request.

  // write/copy_file_range of up to `size` bytes at `offset` of the open file
  // `fd` (O_APPEND honoured); act(n) writes the first n bytes.
  ssize_t write(int fd, uint64_t offset, size_t size, const std::function<ssize_t(size_t)>& act);
  // truncate/fallocate of the file behind `fd` (any fd, O_PATH too);
  // new_size(size_before) is the size the request will leave, or -errno.
  int resize(int fd, const std::function<int64_t(uint64_t)>& new_size,
             const std::function<int()>& act);
  // unlink, or rename over an existing name: `act` removes dirfd/name.
  int remove(int dirfd, const char* name, const std::function<int()>& act);
  // open/create; act() returns the new fd. `before` fills in the file as it
  // was (returns false if it did not exist), to account an O_TRUNC.
  int open(const std::function<bool(struct stat&)>& before, const std::function<int()>& act);
  // The last thing done with an fd that open() returned.
  void release(int fd);

  // The st_size that fallocate(mode, offset, length) leaves a file of `size`
  // bytes with; nullopt for a mode whose effect st_size does not show.
  static std::optional<int64_t> fallocateSize(int mode, int64_t offset, int64_t length,
                                              uint64_t size);

 private:
  using Key = std::pair<dev_t, ino_t>;
  uint64_t room() const;     // requires mu_
  void grow(int64_t delta);  // requires mu_

  const std::filesystem::path dir_;
  // Whether the volume has a quota at all: fixed, so the requests of a
  // volume without one never take the lock.
  const bool limited_;
  // The volume lock: held for the whole of one size-changing request on a
  // volume with a quota (measure, check, act, measure). FUSE threads take it
  // with no other lock held and take no other lock under it.
  mutable std::mutex mu_;
  uint64_t quota_;           // guarded by mu_; meaningful when limited_
  uint64_t usage_;           // guarded by mu_
  std::map<Key, int> open_;  // regular files open through views; guarded by mu_
};

// Apparent bytes of the regular files under dirfd (each inode once; symlinks
// are not followed). Returns -errno on failure.
int64_t measureUsage(int dirfd);

}  // namespace svh::agent::disk
