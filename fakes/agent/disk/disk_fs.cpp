#include "fakes/agent/disk/disk_fs.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace svh::agent::disk {
namespace {

// Why `id` cannot name a view, or "" if it can.
std::string viewIdProblem(const std::string& id) {
  if (id.empty()) return "it is empty";
  if (id.size() > NAME_MAX) return "it is longer than " + std::to_string(NAME_MAX) + " bytes";
  if (id == "." || id == "..") return "it is a dot entry";
  if (id.find('/') != std::string::npos) return "it contains '/'";
  if (id.find('\0') != std::string::npos) return "it contains a NUL byte";
  return "";
}

// Opens the directory `rel` below `base` one component at a time without
// following symlinks. Returns an O_PATH fd or -errno.
int openDirBeneath(int base, const std::filesystem::path& rel) {
  UniqueFd fd(::fcntl(base, F_DUPFD_CLOEXEC, 0));
  if (!fd) return -errno;
  for (const auto& part : rel) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return -EXDEV;
    UniqueFd next(::openat(fd.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return -errno;
    fd = std::move(next);
  }
  return fd.release();
}

}  // namespace

View::View(uint64_t serial, const ViewSpec& spec, std::shared_ptr<Volume> volume, UniqueFd dir_fd,
           ino_t dir_ino)
    : serial(serial),
      id(spec.view_id),
      mode(spec.mode),
      task_id(spec.task_id),
      volume_id(spec.volume_id),
      volume(std::move(volume)),
      dir_fd(std::move(dir_fd)),
      dir_ino(dir_ino) {}

Inode::Inode(UniqueFd fd, std::shared_ptr<View> view, const struct stat& st)
    : view(std::move(view)),
      dev(st.st_dev),
      ino(st.st_ino),
      type(st.st_mode & S_IFMT),
      fd_(std::move(fd)) {}

DiskFs::DiskFs(DiskOptions options, std::filesystem::path backing, UniqueFd backing_fd)
    : options_(std::move(options)),
      backing_(std::move(backing)),
      backing_fd_(std::move(backing_fd)),
      trace_(options_.trace_file) {
  ::clock_gettime(CLOCK_REALTIME, &start_);
}

std::filesystem::path DiskFs::addView(const ViewSpec& spec) {
  if (auto problem = viewIdProblem(spec.view_id); !problem.empty()) {
    throw DiskError("invalid view id '" + spec.view_id + "': " + problem +
                    " (a view id is one path component)");
  }
  std::filesystem::path canon;
  UniqueFd fd = openVolumeDir(spec.volume_dir, "of view '" + spec.view_id + "'", &canon);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw DiskError("cannot stat volume dir " + spec.volume_dir.string() + ": " +
                    std::strerror(errno));
  }
  const std::pair key{st.st_dev, st.st_ino};

  std::shared_ptr<Volume> volume;
  {
    std::lock_guard lock(mu_);
    if (auto it = views_.find(spec.view_id); it != views_.end()) {
      throw DiskError("view '" + spec.view_id + "' already exists (task '" + it->second->task_id +
                      "', volume '" + it->second->volume_id + "'); remove it first");
    }
    if (auto it = volumes_.find(key); it != volumes_.end()) volume = it->second.lock();
  }
  if (volume && spec.quota_bytes && volume->quota() != spec.quota_bytes) {
    throw DiskError("view '" + spec.view_id + "' asks for a quota of " +
                    std::to_string(*spec.quota_bytes) + " bytes on " + canon.string() +
                    ", which other views use with " +
                    (volume->quota() ? std::to_string(*volume->quota()) + " bytes" : "no quota") +
                    "; all views of a volume must agree");
  }
  if (!volume) {
    uint64_t usage = 0;
    if (spec.quota_bytes) {
      const int64_t measured = measureUsage(fd.get());
      if (measured < 0) {
        throw DiskError("cannot measure the usage of volume dir " + canon.string() + ": " +
                        std::strerror(static_cast<int>(-measured)));
      }
      usage = static_cast<uint64_t>(measured);
    }
    volume = std::make_shared<Volume>(canon, spec.quota_bytes, usage);
  }

  std::lock_guard lock(mu_);
  if (views_.count(spec.view_id) != 0) {  // lost a race with another addView
    throw DiskError("view '" + spec.view_id + "' already exists; remove it first");
  }
  if (auto it = volumes_.find(key); it != volumes_.end()) {
    if (auto existing = it->second.lock()) volume = existing;
  }
  volumes_[key] = volume;
  views_[spec.view_id] =
      std::make_shared<View>(next_serial_++, spec, volume, std::move(fd), st.st_ino);
  return options_.mountpoint / spec.view_id;
}

UniqueFd DiskFs::openVolumeDir(const std::filesystem::path& dir, const std::string& what,
                              std::filesystem::path* canonical) const {
  if (!dir.is_absolute()) {
    throw DiskError("volume dir '" + dir.string() + "' " + what +
                    " must be an absolute path inside the backing dir " + backing_.string());
  }
  std::error_code ec;
  const auto canon = std::filesystem::weakly_canonical(dir, ec);
  const auto rel = canon.lexically_relative(backing_);
  if (ec || rel.empty() || rel == "." || *rel.begin() == "..") {
    throw DiskError("volume dir " + dir.string() + " " + what + " is not inside the backing dir " +
                    backing_.string());
  }
  const int opened = openDirBeneath(backing_fd_.get(), rel);
  if (opened < 0) {
    const int err = -opened;
    std::string why = err == ENOENT ? "does not exist"
                      : (err == ENOTDIR || err == ELOOP)
                          ? "is not a directory (symlinks are not followed)"
                          : std::strerror(err);
    throw DiskError("volume dir " + dir.string() + " " + what + " " + why);
  }
  *canonical = canon;
  return UniqueFd(opened);
}

std::optional<uint64_t> DiskFs::setQuota(const std::filesystem::path& volume_dir,
                                         uint64_t quota_bytes) {
  std::filesystem::path canon;
  UniqueFd fd = openVolumeDir(volume_dir, "to resize", &canon);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw DiskError("cannot stat volume dir " + volume_dir.string() + ": " + std::strerror(errno));
  }
  std::shared_ptr<Volume> volume;
  {
    std::lock_guard lock(mu_);
    if (auto it = volumes_.find({st.st_dev, st.st_ino}); it != volumes_.end()) {
      volume = it->second.lock();
    }
  }
  if (!volume) return std::nullopt;
  if (!volume->setQuota(quota_bytes)) {
    throw DiskError("volume dir " + canon.string() +
                    " is in use by views without a quota; it cannot be given one");
  }
  return volume->usage();
}

void DiskFs::removeView(const std::string& view_id) {
  std::lock_guard lock(mu_);
  auto it = views_.find(view_id);
  if (it == views_.end()) throw DiskError("there is no view '" + view_id + "' to remove");
  it->second->removed = true;
  views_.erase(it);
  // Drop volumes no view uses any more (inodes of removed views may still
  // hold one; then a new view of that volume continues its accounting).
  std::erase_if(volumes_, [](const auto& v) { return v.second.expired(); });
}

std::shared_ptr<Inode> DiskFs::inode(fuse_ino_t ino) const {
  std::lock_guard lock(mu_);
  auto it = inodes_.find(ino);
  return it == inodes_.end() ? nullptr : it->second;
}

std::shared_ptr<View> DiskFs::view(std::string_view view_id) const {
  std::lock_guard lock(mu_);
  auto it = views_.find(view_id);
  return it == views_.end() ? nullptr : it->second;
}

std::vector<DiskFs::Listing> DiskFs::listViews() const {
  std::lock_guard lock(mu_);
  std::vector<Listing> out;
  out.reserve(views_.size());
  for (const auto& [id, v] : views_) out.push_back({id, v->dir_ino});
  return out;
}

int DiskFs::entry(const std::shared_ptr<View>& view, UniqueFd fd, fuse_entry_param* e) {
  struct stat st {};
  if (::fstatat(fd.get(), "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  {
    std::lock_guard lock(mu_);
    auto& ids = by_object_[{st.st_dev, st.st_ino}];
    auto same = std::find_if(ids.begin(), ids.end(),
                             [&](fuse_ino_t id) { return inodes_.at(id)->view == view; });
    if (same != ids.end()) {
      // The table already has this object for this view; `fd` is closed.
      ++inodes_.at(*same)->nlookup;
      e->ino = *same;
    } else {
      auto in = std::make_shared<Inode>(std::move(fd), view, st);
      in->nlookup = 1;
      const fuse_ino_t id = next_ino_++;
      inodes_.emplace(id, std::move(in));
      ids.push_back(id);
      e->ino = id;
    }
  }
  e->generation = 0;
  e->attr = st;
  e->attr_timeout = 0;
  e->entry_timeout = 0;
  return 0;
}

void DiskFs::forget(fuse_ino_t ino, uint64_t nlookup) {
  std::shared_ptr<Inode> last;  // closed after the lock is released
  std::lock_guard lock(mu_);
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return;
  auto& in = it->second;
  in->nlookup -= std::min(nlookup, in->nlookup);
  if (in->nlookup > 0) return;
  auto obj = by_object_.find({in->dev, in->ino});
  if (obj != by_object_.end()) {
    std::erase(obj->second, ino);
    if (obj->second.empty()) by_object_.erase(obj);
  }
  last = std::move(in);
  inodes_.erase(it);
}

std::string DiskFs::tracePath(const Inode& at, std::string_view name) const {
  if (!trace_.enabled()) return {};
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", at.fd());
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(proc, buf, sizeof buf);
  std::string rel = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("?");
  const std::string& root = at.view->volume->dir().native();
  if (rel == root) {
    rel = ".";
  } else if (rel.size() > root.size() && rel.compare(0, root.size(), root) == 0 &&
             rel[root.size()] == '/') {
    rel.erase(0, root.size() + 1);
  }
  if (!name.empty()) rel = rel == "." ? std::string(name) : rel + "/" + std::string(name);
  return rel;
}

void DiskFs::trace(const Inode& at, std::string_view op, std::string_view name, int error,
                   const Inode* to, std::string_view to_name) {
  if (!trace_.enabled()) return;
  const std::string path = tracePath(at, name);
  const std::string to_path = to != nullptr ? tracePath(*to, to_name) : std::string();
  const View& v = *at.view;
  trace_.write({v.task_id, v.volume_id, v.id, op, path, to_path, error});
}

void DiskFs::hook(std::string_view op, const View& view) const {
  if (!options_.op_hook) return;
  try {
    options_.op_hook(OpEvent{op, view.id});
  } catch (...) {
    // A hook is a test or fault injector; it cannot fail a request.
  }
}

void DiskFs::setSession(Session state) {
  std::lock_guard lock(session_mu_);
  if (session_ != Session::Ended) session_ = state;
  session_cv_.notify_all();
}

DiskFs::Session DiskFs::waitServing(std::chrono::milliseconds timeout) {
  std::unique_lock lock(session_mu_);
  session_cv_.wait_for(lock, timeout, [this] { return session_ != Session::Starting; });
  return session_;
}

}  // namespace svh::agent::disk
