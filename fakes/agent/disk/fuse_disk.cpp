#include "fakes/agent/disk/fuse_disk.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "fakes/agent/disk/disk_fs.hpp"
#include "fakes/agent/disk/fuse_connection.hpp"
#include "fakes/agent/disk/fuse_ops.hpp"
#include "fakes/agent/disk/mount_guard.hpp"
#include "fakes/agent/disk/mountinfo.hpp"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

namespace svh::agent::disk {
namespace {

constexpr std::chrono::seconds kHandshakeTimeout{10};

void warn(const std::string& line) {
  std::fprintf(stderr, "disk %s\n", line.c_str());
}

// libfuse reports through one process-wide log function. Messages go to
// stderr, except on a thread that is collecting them for an error message.
thread_local std::string* libfuse_capture = nullptr;

void libfuseLog(enum fuse_log_level, const char* fmt, va_list ap) {
  char text[1024];
  std::vsnprintf(text, sizeof text, fmt, ap);
  if (libfuse_capture != nullptr) {
    std::string_view t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
    if (!libfuse_capture->empty() && !t.empty()) *libfuse_capture += "; ";
    *libfuse_capture += t;
    return;
  }
  std::fprintf(stderr, "disk libfuse: %s", text);
}

class LibfuseMessages {
 public:
  LibfuseMessages() {
    static std::once_flag once;
    std::call_once(once, [] { fuse_set_log_func(libfuseLog); });
    libfuse_capture = &text_;
  }
  ~LibfuseMessages() { libfuse_capture = nullptr; }
  std::string text() const { return text_.empty() ? "libfuse gave no reason" : text_; }

 private:
  std::string text_;
};

// Each inode the kernel holds costs one O_PATH fd, so allow as many as the
// hard limit permits.
void raiseFdLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

bool inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

// The FUSE session loop and what it serves, owned jointly by FuseDisk and the
// loop thread: if a request handler is stuck past the unmount deadline the
// thread is detached and cleans up by itself once the handler returns.
struct Loop {
  Loop(std::shared_ptr<DiskFs> fs, fuse_session* se) : fs(std::move(fs)), se(se) {}
  ~Loop() {  // runs before fs is destroyed: fs is the session's userdata
    // With the connection gone this only closes the fd and frees libfuse's
    // copy of the mountpoint; with it alive it would umount by path, which
    // could hit a newer mount at the same place, so it is skipped.
    if (fuseConnectionEnded(fuse_session_fd(se))) fuse_session_unmount(se);
    fuse_session_destroy(se);
  }

  const std::shared_ptr<DiskFs> fs;
  fuse_session* const se;
  std::thread thread;
  std::mutex mu;  // only for finished
  std::condition_variable cv;
  bool finished = false;

  static void run(std::shared_ptr<Loop> self) {
    fuse_loop_config* config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(config, 0);
    fuse_loop_cfg_set_max_threads(config, 16);
    fuse_session_loop_mt(self->se, config);
    fuse_loop_cfg_destroy(config);
    self->fs->setSession(DiskFs::Session::Ended);
    std::lock_guard lock(self->mu);
    self->finished = true;
    self->cv.notify_all();
  }
};

}  // namespace

struct FuseDisk::Impl {
  std::filesystem::path mountpoint;
  std::chrono::milliseconds unmount_timeout{};
  std::shared_ptr<DiskFs> fs;
  std::unique_ptr<MountGuard> guard;
  std::shared_ptr<Loop> loop;  // null once unmounted
  uint32_t connection = 0;
  // The lifecycle lock: serializes addView/removeView/unmount against each
  // other on the agent's side; FUSE threads never take it.
  std::mutex mu;

  void unmount();
};

std::string_view toString(Mode mode) {
  return mode == Mode::RO ? "RO" : "RW";
}

bool fuseAvailable(std::string* why) {
  auto fail = [why](std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return false;
  };
  if (::geteuid() != 0) {
    return fail(
        "the FUSE disk needs root (it mounts with allow_other and unmounts after a "
        "crash); this process runs as uid " +
        std::to_string(::geteuid()));
  }
  std::ifstream filesystems("/proc/filesystems");
  std::stringstream text;
  text << filesystems.rdbuf();
  if (text.str().find("\tfuse\n") == std::string::npos) {
    return fail(
        "the kernel has no FUSE filesystem (no 'fuse' in /proc/filesystems): "
        "run modprobe fuse");
  }
  const int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return fail(std::string("/dev/fuse is not available: ") + std::strerror(errno) +
                " (in a container, pass --device /dev/fuse and CAP_SYS_ADMIN)");
  }
  ::close(fd);
  return true;
}

FuseDisk::FuseDisk(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FuseDisk::~FuseDisk() {
  try {
    unmount();
  } catch (...) {
    warn("unmount mountpoint=" + impl_->mountpoint.string() + ": failed while destroying");
  }
}

const std::filesystem::path& FuseDisk::mountpoint() const {
  return impl_->mountpoint;
}

std::unique_ptr<FuseDisk> FuseDisk::mount(const DiskOptions& given) {
  std::string why;
  if (!fuseAvailable(&why)) throw DiskError(why);
  DiskOptions options = given;
  std::error_code ec;

  if (options.backing.empty()) {
    throw DiskError(
        "no backing dir given: DiskOptions.backing must name the directory that "
        "holds the volumes");
  }
  const auto backing = std::filesystem::canonical(options.backing, ec);
  if (ec || !std::filesystem::is_directory(backing)) {
    throw DiskError("backing dir " + options.backing.string() + " is not an existing directory" +
                    (ec ? ": " + ec.message() : std::string()));
  }

  if (options.mountpoint.empty()) {
    throw DiskError("no mountpoint given: DiskOptions.mountpoint must name a directory");
  }
  auto mnt = std::filesystem::absolute(options.mountpoint).lexically_normal();
  if (!mnt.has_filename()) mnt = mnt.parent_path();
  struct stat st {};
  if (::stat(mnt.c_str(), &st) != 0 && errno == ENOTCONN) {
    throw DiskError("mountpoint " + mnt.string() +
                    " is busy: a dead FUSE mount is still there "
                    "(its daemon died); remove it with: umount -l " +
                    mnt.string());
  }
  std::filesystem::create_directories(mnt, ec);
  if (ec) throw DiskError("cannot create mountpoint " + mnt.string() + ": " + ec.message());
  mnt = std::filesystem::canonical(mnt, ec);
  if (ec || !std::filesystem::is_directory(mnt)) {
    throw DiskError("mountpoint " + options.mountpoint.string() + " is not a directory");
  }
  if (mnt == backing || inside(mnt, backing) || inside(backing, mnt)) {
    throw DiskError("mountpoint " + mnt.string() + " and backing dir " + backing.string() +
                    " must not contain each other");
  }
  if (auto m = findMount(readMountInfo(), mnt)) {
    throw DiskError("mountpoint " + mnt.string() + " is busy: a " + m->fs_type + " filesystem (" +
                    m->source + ") is mounted there; unmount it first: umount -l " + mnt.string());
  }
  options.backing = backing;
  options.mountpoint = mnt;

  raiseFdLimit();
  UniqueFd backing_fd(::open(backing.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!backing_fd) {
    throw DiskError("cannot open backing dir " + backing.string() + ": " + std::strerror(errno));
  }
  auto impl = std::make_unique<Impl>();
  impl->mountpoint = mnt;
  impl->unmount_timeout = options.unmount_timeout;
  impl->fs = std::make_shared<DiskFs>(options, backing, std::move(backing_fd));
  impl->guard = std::make_unique<MountGuard>(mnt);

  // allow_other: tasks of every user reach their views. Not
  // default_permissions: the kernel would then answer access() itself, and
  // access(W_OK) in an RO view would say 0 instead of EROFS (RoMatrix).
  // Owners and modes are enforced all the same: the handlers act with a
  // non-root caller's fs ids (caller_creds.hpp), so the backing filesystem
  // checks them.
  std::vector<std::string> words = {"svh-disk", "-o", "allow_other,fsname=svh-disk,subtype=svh"};
  if (options.debug) words.emplace_back("-d");
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  const fuse_lowlevel_ops ops = diskOperations();
  fuse_session* se = nullptr;
  {
    LibfuseMessages messages;
    se = fuse_session_new(&args, &ops, sizeof ops, impl->fs.get());
    fuse_opt_free_args(&args);
    if (se == nullptr) throw DiskError("libfuse refused the session: " + messages.text());
    if (fuse_session_mount(se, mnt.c_str()) != 0) {
      fuse_session_destroy(se);
      throw DiskError("cannot mount FUSE at " + mnt.string() + ": " + messages.text());
    }
  }
  impl->loop = std::make_shared<Loop>(impl->fs, se);

  // The mount exists: from here on a failure must take it down again.
  try {
    struct statx stx {};
    if (::statx(AT_FDCWD, mnt.c_str(), AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW,
                STATX_MNT_ID | STATX_INO, &stx) != 0 ||
        (stx.stx_mask & STATX_MNT_ID) == 0) {
      throw DiskError("cannot identify the new FUSE mount at " + mnt.string() + ": " +
                      std::strerror(errno));
    }
    impl->connection = fuseConnectionId(stx.stx_dev_major, stx.stx_dev_minor);
    impl->guard->arm(stx.stx_mnt_id);
    impl->loop->thread = std::thread(Loop::run, impl->loop);
    const auto state = impl->fs->waitServing(kHandshakeTimeout);
    if (state != DiskFs::Session::Serving) {
      throw DiskError("the FUSE session at " + mnt.string() + " " +
                      (state == DiskFs::Session::Ended ? "ended before" : "did not complete") +
                      " the kernel handshake within " + std::to_string(kHandshakeTimeout.count()) +
                      " s");
    }
  } catch (...) {
    impl->unmount();
    throw;
  }
  return std::unique_ptr<FuseDisk>(new FuseDisk(std::move(impl)));
}

std::filesystem::path FuseDisk::addView(const ViewSpec& spec) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->loop) throw DiskError("the disk at " + impl_->mountpoint.string() + " is unmounted");
  return impl_->fs->addView(spec);
}

void FuseDisk::removeView(const std::string& view_id) {
  std::lock_guard lock(impl_->mu);
  impl_->fs->removeView(view_id);
}

std::optional<uint64_t> FuseDisk::setQuota(const std::filesystem::path& volume_dir,
                                           uint64_t quota_bytes) {
  std::lock_guard lock(impl_->mu);
  return impl_->fs->setQuota(volume_dir, quota_bytes);
}

void FuseDisk::unmount() {
  std::lock_guard lock(impl_->mu);
  impl_->unmount();
}

// Teardown that cannot hang:
//  1. tell the loop to stop (it stops at its next request or error);
//  2. detach the mount: no new requests from this namespace;
//  3. if anyone else still holds the filesystem (open files, working
//     directories, a view bind-mounted into a task's namespace), abort the
//     connection: their requests fail with ENOTCONN and the loop's threads
//     wake up (with no other users, step 2 already ended the connection);
//  4. wait for the loop up to unmount_timeout; a handler stuck past that is
//     left behind with the loop thread, which cleans up once it returns.
void FuseDisk::Impl::unmount() {
  if (!loop) return;
  const std::string where = "unmount mountpoint=" + mountpoint.string() + ": ";
  fuse_session_exit(loop->se);
  if (::umount2(mountpoint.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    warn(where + "umount failed: " + std::strerror(errno));
  }
  if (!fuseConnectionEnded(fuse_session_fd(loop->se))) {
    std::string detail;
    if (abortFuseConnection(connection, &detail) != 0) {
      warn(where + "cannot abort the FUSE connection " + std::to_string(connection) + ": " +
           detail);
    }
  }
  if (loop->thread.joinable()) {
    bool finished = false;
    {
      std::unique_lock lock(loop->mu);
      finished = loop->cv.wait_for(lock, unmount_timeout, [this] { return loop->finished; });
    }
    if (finished) {
      loop->thread.join();
    } else {
      loop->thread.detach();
      warn(where + "a FUSE request handler is still running after " +
           std::to_string(unmount_timeout.count()) + " ms; it is left to finish on its own");
    }
  }
  loop.reset();
  guard->disarm();
}

}  // namespace svh::agent::disk
