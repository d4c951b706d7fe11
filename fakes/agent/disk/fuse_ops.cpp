#include "fakes/agent/disk/fuse_ops.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <new>
#include <utility>
#include <vector>

#include "fakes/agent/disk/caller_creds.hpp"

namespace svh::agent::disk {
namespace {

using fakes::Fault;

DiskFs& fsOf(fuse_req_t req) {
  return *static_cast<DiskFs*>(fuse_req_userdata(req));
}

// "/proc/self/fd/N": reopens (or operates on) the object an O_PATH fd holds.
class ProcPath {
 public:
  explicit ProcPath(int fd) { std::snprintf(text_, sizeof text_, "/proc/self/fd/%d", fd); }
  const char* c_str() const { return text_; }

 private:
  char text_[32];
};

// What a node id in a request resolves to.
struct Node {
  bool root = false;             // the FUSE root: the list of views
  std::shared_ptr<Inode> inode;  // otherwise the inode, if the id is known
  int error = 0;                 // ESTALE: unknown id, or its view was removed

  int fd() const { return inode->fd(); }
  Volume& volume() const { return *inode->view->volume; }
};

Node resolve(DiskFs& fs, fuse_ino_t ino, std::string_view op) {
  Node n;
  if (ino == FUSE_ROOT_ID) {
    n.root = true;
    return n;
  }
  n.inode = fs.inode(ino);
  if (!n.inode) {
    n.error = ESTALE;
    return n;
  }
  fs.hook(op, *n.inode->view);
  if (n.inode->view->removed) n.error = ESTALE;
  return n;
}

// The refusal a mutating request through `n` gets before anything is done.
int admit(const Node& n) {
  if (n.error != 0) return n.error;
  return n.inode->view->mode == Mode::RO ? EROFS : 0;
}

// The same for a request that involves two views (rename, link).
// `check_mode` is false only under the seeded fault ro-allows-rename-and-link.
int admitPair(const Node& a, const Node& b, bool check_mode = true) {
  if (a.error != 0) return a.error;
  if (b.error != 0) return b.error;
  if (check_mode && (a.inode->view->mode == Mode::RO || b.inode->view->mode == Mode::RO)) {
    return EROFS;
  }
  return a.inode->view != b.inode->view ? EXDEV : 0;
}

int nameError(const char* name) {
  const size_t len = ::strnlen(name, NAME_MAX + 1);
  if (len == 0 || std::strchr(name, '/') != nullptr) return EINVAL;
  if (len > NAME_MAX) return ENAMETOOLONG;
  if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) return EPERM;
  return 0;
}

int statOf(const Inode& in, struct stat* st) {
  return ::fstatat(in.fd(), "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

void rootAttr(const DiskFs& fs, struct stat* st) {
  *st = {};
  st->st_ino = FUSE_ROOT_ID;
  st->st_mode = S_IFDIR | 0755;
  st->st_nlink = 2;
  st->st_atim = st->st_mtim = st->st_ctim = fs.startTime();
}

// The kernel applies the caller's umask before it sends a create request,
// so objects must be created with exactly the mode given. Each FUSE thread
// therefore runs with umask 0 in its own fs_struct (unshare(CLONE_FS)),
// which leaves the process's umask alone.
void useZeroUmask() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  if (::unshare(CLONE_FS) == 0) ::umask(0);
}

// Who sent the request. The supplementary groups cost a read of the
// caller's /proc status, so they are read only for a caller that is not
// root; if they cannot be read (the caller is gone) it acts with none.
Caller callerOf(fuse_req_t req) {
  Caller c;
  const fuse_ctx* ctx = fuse_req_ctx(req);
  c.uid = ctx->uid;
  c.gid = ctx->gid;
  if (c.root()) return c;
  gid_t some[32];
  int n = fuse_req_getgroups(req, 32, some);
  if (n > 0 && n <= 32) c.groups.assign(some, some + n);
  if (n > 32) {
    c.groups.resize(static_cast<size_t>(n));
    n = fuse_req_getgroups(req, n, c.groups.data());
    c.groups.resize(n > 0 ? std::min(static_cast<size_t>(n), c.groups.size()) : 0);
  }
  return c;
}

// Resolves `name` in `parent` as `caller` (search permission on the parent),
// by default as the daemon.
int lookupEntry(DiskFs& fs, const Node& parent, const char* name, fuse_entry_param* e,
                const Caller& caller = {}) {
  UniqueFd fd;
  {
    AsCaller as(caller);
    if (as.error() != 0) return as.error();
    fd.reset(::openat(parent.fd(), name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return errno;
  }
  return fs.entry(parent.inode->view, std::move(fd), e);
}

void replyEntry(fuse_req_t req, int err, const fuse_entry_param& e) {
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_entry(req, &e);
  }
}

// ---- handlers --------------------------------------------------------------

void opInit(void* userdata, fuse_conn_info* conn) {
  // Coherence between views of one volume: no writeback cache (every write
  // reaches the backing store before it returns), and cached pages are
  // dropped as soon as GETATTR (sent on every read: attr timeout 0) shows
  // that the file changed.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA) conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
  // Let the kernel clear setuid/setgid on write by the caller's credentials;
  // our own writes to the backing store run as root and would keep them.
  conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
  // No NFS export: the kernel then never asks us to look up "..".
  conn->want &= ~FUSE_CAP_EXPORT_SUPPORT;
  conn->time_gran = 1;
  static_cast<DiskFs*>(userdata)->setSession(DiskFs::Session::Serving);
}

void opLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  DiskFs& fs = fsOf(req);
  fuse_entry_param e{};
  int err = 0;
  if (parent == FUSE_ROOT_ID) {
    auto view = fs.view(name);
    if (!view) {
      err = ENOENT;
    } else {
      fs.hook("lookup", *view);
      UniqueFd fd(::fcntl(view->dir_fd.get(), F_DUPFD_CLOEXEC, 0));
      err = fd ? fs.entry(view, std::move(fd), &e) : errno;
    }
  } else {
    Node p = resolve(fs, parent, "lookup");
    err = p.error != 0 ? p.error : nameError(name);
    if (err == 0) err = lookupEntry(fs, p, name, &e, callerOf(req));
  }
  replyEntry(req, err, e);
}

void opForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  fsOf(req).forget(ino, nlookup);
  fuse_reply_none(req);
}

void opForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  DiskFs& fs = fsOf(req);
  for (size_t i = 0; i < count; ++i) fs.forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void opGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "getattr");
  struct stat st {};
  int err = n.error;
  if (n.root) {
    rootAttr(fs, &st);
  } else if (err == 0) {
    err = statOf(*n.inode, &st);
  }
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_attr(req, &st, 0);
  }
}

const char* setattrOp(int to_set) {
  constexpr int kTimes =
      FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW;
  const bool mode = to_set & FUSE_SET_ATTR_MODE;
  const bool owner = to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID);
  const bool size = to_set & FUSE_SET_ATTR_SIZE;
  const bool times = to_set & kTimes;
  if (mode + owner + size + times != 1) return "setattr";
  return mode ? "chmod" : owner ? "chown" : size ? "truncate" : "utimens";
}

// Applies a setattr through the inode's O_PATH fd, as the caller: the kernel
// refuses chmod/chown/utimens to a non-owner and truncate without write
// permission, as on a local filesystem. A truncate that comes with an open
// file handle (ftruncate, an O_TRUNC open) uses that handle instead: the
// kernel checked it was opened for writing, and the file's mode may have
// changed since (a file created 0444 can be written through the fd that
// created it). For directories the handle is not an fd, but directories are
// never truncated.
int applySetattr(const Inode& in, const struct stat& attr, int to_set, const fuse_file_info* fi) {
  const ProcPath proc(in.fd());
  if (to_set & FUSE_SET_ATTR_MODE) {
    if (in.type == S_IFLNK) return EOPNOTSUPP;
    if (::chmod(proc.c_str(), attr.st_mode & 07777) != 0) return errno;
  }
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    const uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    const gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    if (::fchownat(in.fd(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    if (in.type != S_IFREG) return in.type == S_IFDIR ? EISDIR : EINVAL;
    if (attr.st_size < 0) return EINVAL;
    const off_t size = attr.st_size;
    const int r = in.view->volume->resize(
        in.fd(), [size](uint64_t) { return static_cast<int64_t>(size); },
        [&] {
          const int r = fi != nullptr ? ::ftruncate(static_cast<int>(fi->fh), size)
                                      : ::truncate(proc.c_str(), size);
          return r == 0 ? 0 : -errno;
        });
    if (r < 0) return -r;
  }
  struct timespec tv[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  bool times = false;
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    tv[0].tv_nsec = UTIME_NOW, times = true;
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    tv[0] = attr.st_atim, times = true;
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    tv[1].tv_nsec = UTIME_NOW, times = true;
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    tv[1] = attr.st_mtim, times = true;
  }
  if (times && ::utimensat(in.fd(), "", tv, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return errno;
  return 0;
}

void opSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  const char* op = setattrOp(to_set);
  Node n = resolve(fs, ino, op);
  if (n.root) return (void)fuse_reply_err(req, EPERM);
  int err = fs.options().faults.has(Fault::kRoAllowsSetattr) ? n.error : admit(n);
  if (err == 0) {
    AsCaller as(callerOf(req));
    err = as.error() != 0 ? as.error() : applySetattr(*n.inode, *attr, to_set, fi);
  }
  if (n.inode) fs.trace(*n.inode, op, {}, err);
  struct stat st {};
  if (err == 0) err = statOf(*n.inode, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_attr(req, &st, 0);
  }
}

void opReadlink(fuse_req_t req, fuse_ino_t ino) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "readlink");
  if (n.root) return (void)fuse_reply_err(req, EINVAL);
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  char buf[PATH_MAX + 1];
  const ssize_t len = ::readlinkat(n.fd(), "", buf, sizeof buf - 1);
  if (len < 0) return (void)fuse_reply_err(req, errno);
  buf[len] = '\0';
  fuse_reply_readlink(req, buf);
}

// A request that makes the new entry `name` in `parent`: make(dirfd)
// returns 0 or an errno. It runs with the caller's fs ids, so the kernel
// checks the caller's permissions on the parent and makes the object the
// caller's (the group the parent's if the parent is set-group-ID), as on a
// local filesystem. The new object is then looked up and answered.
void makeEntry(fuse_req_t req, fuse_ino_t parent, const char* name, const char* op,
               const std::function<int(int)>& make) {
  DiskFs& fs = fsOf(req);
  Node p = resolve(fs, parent, op);
  if (p.root) return (void)fuse_reply_err(req, EPERM);
  int err = fs.options().faults.has(Fault::kRoAllowsNewNodes) ? p.error : admit(p);
  if (err == 0) err = nameError(name);
  fuse_entry_param e{};
  if (err == 0) {
    useZeroUmask();
    {
      AsCaller as(callerOf(req));
      err = as.error() != 0 ? as.error() : make(p.fd());
    }
    if (err == 0) err = lookupEntry(fs, p, name, &e);
  }
  if (p.inode) fs.trace(*p.inode, op, name, err);
  replyEntry(req, err, e);
}

void opMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  makeEntry(req, parent, name, "mknod",
            [&](int dirfd) { return ::mknodat(dirfd, name, mode, rdev) == 0 ? 0 : errno; });
}

void opMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  makeEntry(req, parent, name, "mkdir",
            [&](int dirfd) { return ::mkdirat(dirfd, name, mode) == 0 ? 0 : errno; });
}

void opSymlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  makeEntry(req, parent, name, "symlink",
            [&](int dirfd) { return ::symlinkat(link, dirfd, name) == 0 ? 0 : errno; });
}

void removeEntry(fuse_req_t req, fuse_ino_t parent, const char* name, const char* op, int flags) {
  DiskFs& fs = fsOf(req);
  Node p = resolve(fs, parent, op);
  if (p.root) return (void)fuse_reply_err(req, EPERM);
  int err = admit(p);
  if (err == 0) err = nameError(name);
  if (err == 0) {
    const int dirfd = p.fd();
    const Caller caller = callerOf(req);
    err = -p.volume().remove(dirfd, name, [&] {
      AsCaller as(caller);
      if (as.error() != 0) return -as.error();
      return ::unlinkat(dirfd, name, flags) == 0 ? 0 : -errno;
    });
  }
  if (p.inode) fs.trace(*p.inode, op, name, err);
  fuse_reply_err(req, err);
}

void opUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  removeEntry(req, parent, name, "unlink", 0);
}

void opRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  removeEntry(req, parent, name, "rmdir", AT_REMOVEDIR);
}

void opRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags) {
  DiskFs& fs = fsOf(req);
  Node from = resolve(fs, parent, "rename");
  Node to = resolve(fs, newparent, "rename");
  if (from.root || to.root) return (void)fuse_reply_err(req, EPERM);
  int err = admitPair(from, to, !fs.options().faults.has(Fault::kRoAllowsRenameAndLink));
  if (err == 0) err = nameError(name);
  if (err == 0) err = nameError(newname);
  if (err == 0) {
    const Caller caller = callerOf(req);
    auto act = [&] {
      AsCaller as(caller);
      if (as.error() != 0) return -as.error();
      return ::renameat2(from.fd(), name, to.fd(), newname, flags) == 0 ? 0 : -errno;
    };
    // Renaming over an existing file removes it (not so for an exchange).
    err = -((flags & RENAME_EXCHANGE) ? act() : to.volume().remove(to.fd(), newname, act));
  }
  if (from.inode) fs.trace(*from.inode, "rename", name, err, to.inode.get(), newname);
  fuse_reply_err(req, err);
}

void opLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  DiskFs& fs = fsOf(req);
  Node src = resolve(fs, ino, "link");
  Node dst = resolve(fs, newparent, "link");
  if (src.root || dst.root) return (void)fuse_reply_err(req, EPERM);
  int err = admitPair(src, dst, !fs.options().faults.has(Fault::kRoAllowsRenameAndLink));
  if (err == 0) err = nameError(newname);
  fuse_entry_param e{};
  if (err == 0) {
    // Through /proc rather than AT_EMPTY_PATH, which needs
    // CAP_DAC_READ_SEARCH: a caller that is not root does not have it. The
    // kernel applies fs.protected_hardlinks to the caller as it would locally.
    {
      AsCaller as(callerOf(req));
      err = as.error();
      if (err == 0 && ::linkat(AT_FDCWD, ProcPath(src.fd()).c_str(), dst.fd(), newname,
                               AT_SYMLINK_FOLLOW) != 0) {
        err = errno;
      }
    }
    if (err == 0) {
      UniqueFd fd(::fcntl(src.fd(), F_DUPFD_CLOEXEC, 0));
      err = fd ? fs.entry(src.inode->view, std::move(fd), &e) : errno;
    }
  }
  if (src.inode) fs.trace(*src.inode, "link", {}, err, dst.inode.get(), newname);
  replyEntry(req, err, e);
}

// After a failed open/create reply (the caller was interrupted) the kernel
// never sends RELEASE, so the handle is released here.
void releaseFile(const Node& n, int fd) {
  if (n.inode) n.volume().release(fd);
  ::close(fd);
}

// execve() opens the file to run for reading, with the kernel's
// __FMODE_EXEC in the flags. Locally that takes the caller's execute
// permission, not read permission; the kernel (without default_permissions)
// only checked that the file has some execute bit. So for a non-root caller
// the execute permission is checked as the caller and the file opened as the
// daemon: the kernel alone uses that fd, to load the program.
constexpr int kFmodeExec = 0x20;

// Opens `path` (a ProcPath) with `flags` for `caller`; the fd or -errno.
int openAs(const Caller& caller, const char* path, int flags) {
  const bool exec = (flags & kFmodeExec) && !caller.root();
  {
    AsCaller as(caller);
    if (as.error() != 0) return -as.error();
    if (!exec) {
      const int f = ::open(path, flags);
      return f >= 0 ? f : -errno;
    }
    if (::faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0) return -errno;
  }
  const int f = ::open(path, flags);  // executing: as the daemon
  return f >= 0 ? f : -errno;
}

void opOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "open");
  if (n.root) return (void)fuse_reply_err(req, EISDIR);
  const bool mutating = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
  int err = mutating ? admit(n) : n.error;
  int fd = -1;
  if (err == 0 && n.inode->type == S_IFLNK) err = ELOOP;
  if (err == 0) {
    // O_DIRECT is the caller's business with the kernel's cache; the backing
    // file is read and written through its own cache.
    const int flags =
        (fi->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW | O_DIRECT)) | O_CLOEXEC;
    const ProcPath proc(n.fd());
    const Caller caller = callerOf(req);
    const int r = n.volume().open([&](struct stat& st) { return ::fstat(n.fd(), &st) == 0; },
                                  [&] { return openAs(caller, proc.c_str(), flags); });
    if (r < 0) {
      err = -r;
    } else {
      fd = r;
    }
  }
  if (mutating && n.inode) fs.trace(*n.inode, "open", {}, err);
  if (err != 0) return (void)fuse_reply_err(req, err);
  fi->fh = static_cast<uint64_t>(fd);
  fi->keep_cache = 0;
  fi->direct_io = 0;
  if (fuse_reply_open(req, fi) == -ENOENT) releaseFile(n, fd);
}

void opCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node p = resolve(fs, parent, "create");
  if (p.root) return (void)fuse_reply_err(req, EPERM);
  int err = fs.options().faults.has(Fault::kRoAllowsCreate) ? p.error : admit(p);
  if (err == 0) err = nameError(name);
  int fd = -1;
  fuse_entry_param e{};
  if (err == 0) {
    useZeroUmask();
    const int dirfd = p.fd();
    // O_NOFOLLOW: a symlink that appeared under this name since the kernel's
    // lookup must not be followed out of the volume.
    const int flags = (fi->flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) & ~(O_NOCTTY | O_DIRECT);
    const Caller caller = callerOf(req);
    const int r = p.volume().open(
        [&](struct stat& st) { return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0; },
        [&] {
          // As the caller: a new file is the caller's, as in makeEntry.
          AsCaller as(caller);
          if (as.error() != 0) return -as.error();
          const int f = ::openat(dirfd, name, flags, mode);
          return f >= 0 ? f : -errno;
        });
    if (r < 0) {
      err = -r;
    } else {
      fd = r;
      UniqueFd path(::open(ProcPath(fd).c_str(), O_PATH | O_CLOEXEC));
      err = path ? fs.entry(p.inode->view, std::move(path), &e) : errno;
      if (err != 0) releaseFile(p, std::exchange(fd, -1));
    }
  }
  if (p.inode) fs.trace(*p.inode, "create", name, err);
  if (err != 0) return (void)fuse_reply_err(req, err);
  fi->fh = static_cast<uint64_t>(fd);
  fi->keep_cache = 0;
  fi->direct_io = 0;
  if (fuse_reply_create(req, &e, fi) == -ENOENT) releaseFile(p, fd);
}

void opRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "read");
  if (n.root) return (void)fuse_reply_err(req, EISDIR);
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fi->fh);
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void opWrite(fuse_req_t req, fuse_ino_t ino, const char* data, size_t size, off_t off,
             fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "write");
  if (n.root) return (void)fuse_reply_err(req, EISDIR);
  int err = admit(n);
  ssize_t written = 0;
  if (err == 0) {
    const int fd = static_cast<int>(fi->fh);
    const ssize_t r = n.volume().write(fd, static_cast<uint64_t>(off), size, [&](size_t count) {
      const ssize_t w = ::pwrite(fd, data, count, off);
      return w >= 0 ? w : -static_cast<ssize_t>(errno);
    });
    if (r < 0) {
      err = static_cast<int>(-r);
    } else {
      written = r;
    }
  }
  if (n.inode) fs.trace(*n.inode, "write", {}, err);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_write(req, static_cast<size_t>(written));
  }
}

void opFlush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

void opRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  // Runs for removed views too: the handle is always given back.
  DiskFs& fs = fsOf(req);
  Node n;
  n.inode = fs.inode(ino);
  releaseFile(n, static_cast<int>(fi->fh));
  fuse_reply_err(req, 0);
}

void opFsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "fsync");
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  const int fd = static_cast<int>(fi->fh);
  const int r = datasync ? ::fdatasync(fd) : ::fsync(fd);
  fuse_reply_err(req, r == 0 ? 0 : errno);
}

// An open directory. The FUSE root's listing is a snapshot taken at
// opendir, so offsets stay stable while views come and go.
struct DirHandle {
  std::mutex mu;  // readdir calls on one handle; no other lock is taken under it
  std::vector<DiskFs::Listing> views;
  DIR* dp = nullptr;
  off_t offset = 0;
  dirent* pending = nullptr;  // read from dp but not yet sent (reply was full)
  ~DirHandle() {
    if (dp != nullptr) ::closedir(dp);
  }
};

DirHandle* dirOf(fuse_file_info* fi) {
  return reinterpret_cast<DirHandle*>(fi->fh);
}

void opOpendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "opendir");
  auto h = std::make_unique<DirHandle>();
  if (n.root) {
    h->views = fs.listViews();
  } else {
    if (n.error != 0) return (void)fuse_reply_err(req, n.error);
    int fd = -1;
    {
      AsCaller as(callerOf(req));
      if (as.error() != 0) return (void)fuse_reply_err(req, as.error());
      fd = ::open(ProcPath(n.fd()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) return (void)fuse_reply_err(req, errno);
    h->dp = ::fdopendir(fd);
    if (h->dp == nullptr) {
      const int err = errno;
      ::close(fd);
      return (void)fuse_reply_err(req, err);
    }
  }
  fi->fh = reinterpret_cast<uint64_t>(h.get());
  if (fuse_reply_open(req, fi) != -ENOENT) h.release();
}

// Fills buf with the entries of `h` from offset `off`; returns the bytes
// used, or -errno. Runs under h.mu.
ssize_t fillDir(fuse_req_t req, DirHandle& h, bool root, off_t off, std::vector<char>& buf) {
  const size_t size = buf.size();
  size_t used = 0;
  auto add = [&](const char* name, ino_t entry_ino, mode_t type, off_t next) {
    struct stat st {};
    st.st_ino = entry_ino;
    st.st_mode = type;
    const size_t need = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, next);
    if (need > size - used) return false;
    used += need;
    return true;
  };
  if (root) {
    // Entry i (".", "..", then the views) has offset i + 1.
    for (off_t i = off;; ++i) {
      if (i == 0 || i == 1) {
        if (!add(i == 0 ? "." : "..", FUSE_ROOT_ID, S_IFDIR, i + 1)) break;
        continue;
      }
      const auto k = static_cast<size_t>(i - 2);
      if (k >= h.views.size() || !add(h.views[k].name.c_str(), h.views[k].ino, S_IFDIR, i + 1)) {
        break;
      }
    }
    return static_cast<ssize_t>(used);
  }
  if (off != h.offset) {
    ::seekdir(h.dp, off);
    h.pending = nullptr;
    h.offset = off;
  }
  for (;;) {
    if (h.pending == nullptr) {
      errno = 0;
      h.pending = ::readdir(h.dp);
      if (h.pending == nullptr) {
        if (errno != 0 && used == 0) return -errno;
        break;
      }
    }
    const dirent& d = *h.pending;
    if (!add(d.d_name, d.d_ino, DTTOIF(d.d_type), d.d_off)) break;
    h.offset = d.d_off;
    h.pending = nullptr;
  }
  return static_cast<ssize_t>(used);
}

void opReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "readdir");
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  DirHandle& h = *dirOf(fi);
  std::vector<char> buf(size);
  ssize_t used = 0;
  {
    std::lock_guard lock(h.mu);
    used = fillDir(req, h, n.root, off, buf);
  }
  // Answer only after the handle is let go: once answered, the caller may
  // close the directory and RELEASEDIR (on another thread) frees the handle.
  if (used < 0) return (void)fuse_reply_err(req, static_cast<int>(-used));
  fuse_reply_buf(req, buf.data(), static_cast<size_t>(used));
}

void opReleasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete dirOf(fi);
  fuse_reply_err(req, 0);
}

void opFsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "fsyncdir");
  if (n.root) return (void)fuse_reply_err(req, 0);
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  const int fd = ::dirfd(dirOf(fi)->dp);
  const int r = datasync ? ::fdatasync(fd) : ::fsync(fd);
  fuse_reply_err(req, r == 0 ? 0 : errno);
}

void opStatfs(fuse_req_t req, fuse_ino_t ino) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "statfs");
  struct statvfs sv {};
  if (n.root) {
    if (::fstatvfs(fs.backingFd(), &sv) != 0) return (void)fuse_reply_err(req, errno);
    return (void)fuse_reply_statfs(req, &sv);
  }
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  if (::fstatvfs(n.fd(), &sv) != 0) return (void)fuse_reply_err(req, errno);
  // With a quota, df in a task shows the quota and what is left of it.
  if (const auto& quota = n.volume().quota(); quota && sv.f_frsize > 0) {
    const uint64_t unit = sv.f_frsize;
    const uint64_t total = *quota / unit;
    const uint64_t used = (n.volume().usage() + unit - 1) / unit;
    const uint64_t left = used >= total ? 0 : total - used;
    sv.f_blocks = total;
    sv.f_bfree = std::min<uint64_t>(sv.f_bfree, left);
    sv.f_bavail = std::min<uint64_t>(sv.f_bavail, left);
  }
  fuse_reply_statfs(req, &sv);
}

void changeXattr(fuse_req_t req, fuse_ino_t ino, const char* op,
                 const std::function<int(const char*)>& change) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, op);
  if (n.root) return (void)fuse_reply_err(req, EPERM);
  int err = fs.options().faults.has(Fault::kRoAllowsXattrChanges) ? n.error : admit(n);
  // Extended attributes of symlinks are not supported (user.* ones cannot
  // exist; the /proc path would name the link, not a file).
  if (err == 0 && n.inode->type == S_IFLNK) err = EPERM;
  if (err == 0) {
    AsCaller as(callerOf(req));
    err = as.error() != 0 ? as.error() : change(ProcPath(n.fd()).c_str());
  }
  if (n.inode) fs.trace(*n.inode, op, {}, err);
  fuse_reply_err(req, err);
}

void opSetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags) {
  changeXattr(req, ino, "setxattr", [&](const char* path) {
    return ::setxattr(path, name, value, size, flags) == 0 ? 0 : errno;
  });
}

void opRemovexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  changeXattr(req, ino, "removexattr",
              [&](const char* path) { return ::removexattr(path, name) == 0 ? 0 : errno; });
}

// getxattr/listxattr: query(path, buf, size) is the system call.
void readXattr(fuse_req_t req, fuse_ino_t ino, const char* op, size_t size,
               const std::function<ssize_t(const char*, char*, size_t)>& query) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, op);
  const bool none = n.root || (n.inode && n.inode->type == S_IFLNK);
  if (!none && n.error != 0) return (void)fuse_reply_err(req, n.error);
  std::vector<char> buf(size);
  ssize_t len = 0;
  if (!none) {
    // As the caller: reading a user.* attribute needs read permission.
    AsCaller as(callerOf(req));
    if (as.error() != 0) return (void)fuse_reply_err(req, as.error());
    len = query(ProcPath(n.fd()).c_str(), size == 0 ? nullptr : buf.data(), size);
    if (len < 0) return (void)fuse_reply_err(req, errno);
  } else if (std::string_view(op) == "getxattr") {
    return (void)fuse_reply_err(req, ENODATA);
  }
  if (size == 0) {
    fuse_reply_xattr(req, static_cast<size_t>(len));
  } else {
    fuse_reply_buf(req, buf.data(), static_cast<size_t>(len));
  }
}

void opGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  readXattr(req, ino, "getxattr", size,
            [&](const char* path, char* buf, size_t n) { return ::getxattr(path, name, buf, n); });
}

void opListxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  readXattr(req, ino, "listxattr", size,
            [](const char* path, char* buf, size_t n) { return ::listxattr(path, buf, n); });
}

void opAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "access");
  int err = 0;
  if (n.root) {
    err = (mask & W_OK) ? EACCES : 0;
  } else if (n.error != 0) {
    err = n.error;
  } else if ((mask & W_OK) && n.inode->view->mode == Mode::RO) {
    err = EROFS;
  } else {
    // AT_EACCESS: checked against the fs ids (the caller's), not the real
    // ids (the daemon's). The same answer for root.
    AsCaller as(callerOf(req));
    err = as.error();
    if (err == 0 && ::faccessat(AT_FDCWD, ProcPath(n.fd()).c_str(), mask, AT_EACCESS) != 0) {
      err = errno;
    }
  }
  fuse_reply_err(req, err);
}

void opFallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
                 fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "fallocate");
  if (n.root) return (void)fuse_reply_err(req, EISDIR);
  int err = admit(n);
  if (err == 0) {
    const int fd = static_cast<int>(fi->fh);
    err = -n.volume().resize(
        fd,
        [&](uint64_t size) -> int64_t {
          const auto after = Volume::fallocateSize(mode, off, len, size);
          return after ? *after : -EOPNOTSUPP;
        },
        [&] { return ::fallocate(fd, mode, off, len) == 0 ? 0 : -errno; });
  }
  if (n.inode) fs.trace(*n.inode, "fallocate", {}, err);
  fuse_reply_err(req, err);
}

void opCopyFileRange(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in,
                     fuse_ino_t ino_out, off_t off_out, fuse_file_info* fi_out, size_t len,
                     int flags) {
  DiskFs& fs = fsOf(req);
  Node in = resolve(fs, ino_in, "copy_file_range");
  Node out = resolve(fs, ino_out, "copy_file_range");
  if (in.root || out.root) return (void)fuse_reply_err(req, EISDIR);
  int err = in.error != 0 ? in.error : admit(out);
  ssize_t copied = 0;
  if (err == 0) {
    const int fd_in = static_cast<int>(fi_in->fh);
    const int fd_out = static_cast<int>(fi_out->fh);
    const ssize_t r =
        out.volume().write(fd_out, static_cast<uint64_t>(off_out), len, [&](size_t count) {
          loff_t from = off_in;
          loff_t to = off_out;
          const ssize_t c =
              ::copy_file_range(fd_in, &from, fd_out, &to, count, static_cast<unsigned>(flags));
          return c >= 0 ? c : -static_cast<ssize_t>(errno);
        });
    if (r < 0) {
      err = static_cast<int>(-r);
    } else {
      copied = r;
    }
  }
  if (out.inode) fs.trace(*out.inode, "copy_file_range", {}, err);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_write(req, static_cast<size_t>(copied));
  }
}

void opLseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  DiskFs& fs = fsOf(req);
  Node n = resolve(fs, ino, "lseek");
  if (n.error != 0) return (void)fuse_reply_err(req, n.error);
  const off_t r = ::lseek(static_cast<int>(fi->fh), off, whence);
  if (r < 0) {
    fuse_reply_err(req, errno);
  } else {
    fuse_reply_lseek(req, r);
  }
}

// Handlers must not throw into libfuse; an allocation failure becomes ENOMEM.
// (Handlers can only throw before they reply.)
template <auto F>
struct Guarded;
template <typename... A, void (*F)(fuse_req_t, A...)>
struct Guarded<F> {
  static void call(fuse_req_t req, A... args) noexcept {
    try {
      F(req, args...);
    } catch (const std::bad_alloc&) {
      fuse_reply_err(req, ENOMEM);
    } catch (...) {
      fuse_reply_err(req, EIO);
    }
  }
};

}  // namespace

fuse_lowlevel_ops diskOperations() {
  fuse_lowlevel_ops ops{};
  ops.init = opInit;
  ops.lookup = Guarded<opLookup>::call;
  ops.forget = opForget;
  ops.forget_multi = opForgetMulti;
  ops.getattr = Guarded<opGetattr>::call;
  ops.setattr = Guarded<opSetattr>::call;
  ops.readlink = Guarded<opReadlink>::call;
  ops.mknod = Guarded<opMknod>::call;
  ops.mkdir = Guarded<opMkdir>::call;
  ops.unlink = Guarded<opUnlink>::call;
  ops.rmdir = Guarded<opRmdir>::call;
  ops.symlink = Guarded<opSymlink>::call;
  ops.rename = Guarded<opRename>::call;
  ops.link = Guarded<opLink>::call;
  ops.open = Guarded<opOpen>::call;
  ops.read = Guarded<opRead>::call;
  ops.write = Guarded<opWrite>::call;
  ops.flush = Guarded<opFlush>::call;
  ops.release = Guarded<opRelease>::call;
  ops.fsync = Guarded<opFsync>::call;
  ops.opendir = Guarded<opOpendir>::call;
  ops.readdir = Guarded<opReaddir>::call;
  ops.releasedir = Guarded<opReleasedir>::call;
  ops.fsyncdir = Guarded<opFsyncdir>::call;
  ops.statfs = Guarded<opStatfs>::call;
  ops.setxattr = Guarded<opSetxattr>::call;
  ops.getxattr = Guarded<opGetxattr>::call;
  ops.listxattr = Guarded<opListxattr>::call;
  ops.removexattr = Guarded<opRemovexattr>::call;
  ops.access = Guarded<opAccess>::call;
  ops.create = Guarded<opCreate>::call;
  ops.fallocate = Guarded<opFallocate>::call;
  ops.copy_file_range = Guarded<opCopyFileRange>::call;
  ops.lseek = Guarded<opLseek>::call;
  return ops;
}

}  // namespace svh::agent::disk
