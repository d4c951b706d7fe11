// MountGuard: removes the FUSE mount when the process that serves it dies
// without doing so (SIGKILL, crash), so a killed agent leaves no mount.
//
// Why not libfuse's -o auto_unmount: in libfuse 3.14 it keeps a socket to a
// fusermount3 helper open in the daemon without FD_CLOEXEC and without a
// handle to close it. Every task the agent starts inherits that socket, and
// the helper only unmounts once the last holder is gone, so a killed agent's
// mount survives as long as any of its tasks. The helper process also
// lingers, one per mount, until the daemon exits.
//
// The guard is a child process forked before mounting. It holds one end of
// a socket pair whose other end the parent keeps (O_CLOEXEC, so tasks never
// inherit it). When the parent dies the guard reads end-of-file and detaches
// the mount (umount2 MNT_DETACH), but only if the mount at the mount point
// is still the one it was armed with (same mount id): a newer mount at the
// same path is never touched. The guard calls setsid(), so killing the
// agent's process group does not kill it, and blocks every signal but
// SIGKILL. A clean unmount disarms it and reaps it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

namespace svh::agent::disk {

class MountGuard {
 public:
  // Forks the guard. Throws DiskError.
  explicit MountGuard(const std::filesystem::path& mountpoint);
  ~MountGuard();  // disarm()
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;

  // The mount exists and has this id (statx STATX_MNT_ID, the first field of
  // /proc/self/mountinfo): remove it if this process dies.
  void arm(uint64_t mount_id);
  // The mount was removed (or never made): let the guard exit, and reap it.
  void disarm();

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;  // the guard itself, even if its pid is reaped and reused
  int fd_ = -1;
};

}  // namespace svh::agent::disk
