// The disk's low-level FUSE operations. Each handler resolves its node ids
// through the DiskFs passed as session userdata, refuses what the view does
// not allow, performs the request on the backing store relative to inode
// fds, traces it if it mutates, and answers.
//
// What every handler guarantees:
// - A request through a removed view fails with ESTALE.
// - In an RO view, a mutating request fails with EROFS before anything is
//   done. Mutating: create, mknod, mkdir, symlink, link, unlink, rmdir,
//   rename, setattr (chmod, chown, truncate, utimens), open for writing or
//   with O_TRUNC, write, fallocate, copy_file_range into it, setxattr,
//   removexattr. access(W_OK) answers EROFS too.
// - rename and link between two views fail with EROFS if either view is
//   RO, otherwise with EXDEV.
// - The FUSE root (the list of views) refuses changes with EPERM.
// - Names are single components resolved with O_NOFOLLOW relative to the
//   parent's fd; "." and ".." are refused (EPERM), so FUSE itself never
//   leaves the volume directory.
// - Errors come back as the errno of the failing system call; nothing aborts.
#pragma once

#include "fakes/agent/disk/disk_fs.hpp"

namespace svh::agent::disk {

fuse_lowlevel_ops diskOperations();

}  // namespace svh::agent::disk
