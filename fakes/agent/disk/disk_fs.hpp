// DiskFs: the state behind the FUSE handlers (fuse_ops.cpp): the views, the
// volumes they expose, and the inode table.
//
// Inodes. Every object reached through a view is one Inode holding an
// O_PATH|O_NOFOLLOW fd to the backing object; operations use that fd
// (*at(fd, ...), /proc/self/fd/N) and never a path string, so a name swapped
// for a symlink after lookup cannot redirect them. An object seen through
// two views is two inodes (each carries its view, hence its mode), found by
// (view, st_dev, st_ino). Node ids are never reused. The FUSE root
// (FUSE_ROOT_ID) is not in the table: it is the synthetic list of views.
//
// Locks, in the only order they are ever nested (none is held while a
// request does I/O on the backing store):
//   DiskFs::mu_   the disk lock: views_, volumes_, the inode table, nlookup
//   Volume::mu_   one volume's quota accounting (volume.hpp)
//   Trace::mu_    one trace line (trace.hpp)
// In practice no two of them are ever held at once.
#pragma once

#include <fuse_lowlevel.h>  // FUSE_USE_VERSION comes from the build
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fakes/agent/disk/fuse_disk.hpp"
#include "fakes/agent/disk/trace.hpp"
#include "fakes/agent/disk/unique_fd.hpp"
#include "fakes/agent/disk/volume.hpp"

namespace svh::agent::disk {

struct View {
  View(uint64_t serial, const ViewSpec& spec, std::shared_ptr<Volume> volume, UniqueFd dir_fd,
       ino_t dir_ino);

  const uint64_t serial;  // unique per addView, never reused
  const std::string id;
  const Mode mode;
  const std::string task_id;
  const std::string volume_id;
  const std::shared_ptr<Volume> volume;
  const UniqueFd dir_fd;  // O_PATH fd of the volume directory
  const ino_t dir_ino;
  std::atomic<bool> removed{false};
};

struct Inode {
  Inode(UniqueFd fd, std::shared_ptr<View> view, const struct stat& st);

  int fd() const { return fd_.get(); }  // O_PATH|O_NOFOLLOW fd of the backing object

  const std::shared_ptr<View> view;
  const dev_t dev;
  const ino_t ino;
  const mode_t type;     // S_IFMT bits
  uint64_t nlookup = 0;  // guarded by DiskFs::mu_

 private:
  const UniqueFd fd_;
};

class DiskFs {
 public:
  DiskFs(DiskOptions options, std::filesystem::path backing, UniqueFd backing_fd);
  DiskFs(const DiskFs&) = delete;
  DiskFs& operator=(const DiskFs&) = delete;

  const DiskOptions& options() const { return options_; }
  const std::filesystem::path& backing() const { return backing_; }
  int backingFd() const { return backing_fd_.get(); }
  const struct timespec& startTime() const { return start_; }

  // Agent side (FuseDisk). Throw DiskError.
  std::filesystem::path addView(const ViewSpec& spec);
  void removeView(const std::string& view_id);
  std::optional<uint64_t> setQuota(const std::filesystem::path& volume_dir, uint64_t quota_bytes);

  // FUSE side. All return errno values, never throw.
  std::shared_ptr<Inode> inode(fuse_ino_t ino) const;          // null: unknown id
  std::shared_ptr<View> view(std::string_view view_id) const;  // null: none
  struct Listing {
    std::string name;
    ino_t ino;
  };
  std::vector<Listing> listViews() const;
  // Makes (or finds) the inode for the object behind `fd`, just resolved
  // through `view`, counts one lookup, fills *e.
  int entry(const std::shared_ptr<View>& view, UniqueFd fd, fuse_entry_param* e);
  void forget(fuse_ino_t ino, uint64_t nlookup);

  // The path of `at` (joined with `name`) relative to its volume directory,
  // for the trace; "" when tracing is off.
  std::string tracePath(const Inode& at, std::string_view name = {}) const;
  void trace(const Inode& at, std::string_view op, std::string_view name, int error,
             const Inode* to = nullptr, std::string_view to_name = {});
  void hook(std::string_view op, const View& view) const;

  // The session's progress, for FuseDisk::mount to wait on.
  enum class Session { Starting, Serving, Ended };
  void setSession(Session state);
  Session waitServing(std::chrono::milliseconds timeout);

 private:
  // The volume directory `dir` of a view called `what`, opened beneath the
  // backing dir without following symlinks, with its canonical path.
  UniqueFd openVolumeDir(const std::filesystem::path& dir, const std::string& what,
                         std::filesystem::path* canonical) const;

  struct ObjectKey {
    dev_t dev;
    ino_t ino;
    bool operator==(const ObjectKey&) const = default;
  };
  struct ObjectKeyHash {
    size_t operator()(const ObjectKey& k) const noexcept {
      return std::hash<uint64_t>()(k.ino) ^ (std::hash<uint64_t>()(k.dev) << 1);
    }
  };

  const DiskOptions options_;
  const std::filesystem::path backing_;
  const UniqueFd backing_fd_;  // O_PATH
  struct timespec start_ {};
  Trace trace_;

  // The disk lock; see the header comment.
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<View>, std::less<>> views_;
  // By the volume directory's (st_dev, st_ino): a volume destroyed and
  // created again under the same path is a new volume.
  std::map<std::pair<dev_t, ino_t>, std::weak_ptr<Volume>> volumes_;
  std::unordered_map<fuse_ino_t, std::shared_ptr<Inode>> inodes_;
  // Every inode of one backing object, one per view that reached it.
  std::unordered_map<ObjectKey, std::vector<fuse_ino_t>, ObjectKeyHash> by_object_;
  fuse_ino_t next_ino_ = FUSE_ROOT_ID + 1;
  uint64_t next_serial_ = 1;

  std::mutex session_mu_;  // only for session_ below
  std::condition_variable session_cv_;
  Session session_ = Session::Starting;
};

}  // namespace svh::agent::disk
