// Caller credentials for the FUSE handlers: a request from a process that is
// not root acts on the backing store with that process's filesystem ids, so
// the kernel checks owners and modes (and makes new objects the caller's) as
// on a local filesystem (SPEC SV-LAUNCH-10). The daemon runs as root and
// does not mount with default_permissions (see fuse_disk.cpp).
//
// Only the calling thread changes: the raw setfsuid/setfsgid/setgroups
// system calls act on one thread's credentials (glibc's setgroups() would
// change every thread of the process). While the fsuid is not 0 the kernel
// drops the filesystem capabilities (CAP_CHOWN, CAP_DAC_OVERRIDE,
// CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, ...) from the
// thread's effective set, and gives them back when it returns to 0.
#pragma once

#include <sys/types.h>

#include <vector>

namespace svh::agent::disk {

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups; not read for root

  // Root is uid 0 and gid 0: its requests run exactly as the daemon's own.
  bool root() const { return uid == 0 && gid == 0; }
};

// Runs the rest of a scope with `caller`'s fs ids and groups on this thread
// and restores the thread's own when it ends, whatever happens. Nothing at
// all is done for a root caller.
class AsCaller {
 public:
  explicit AsCaller(const Caller& caller);
  ~AsCaller();
  AsCaller(const AsCaller&) = delete;
  AsCaller& operator=(const AsCaller&) = delete;

  // 0, or the errno of a switch that failed: then the thread is back to its
  // own ids and the request must not act (it would act as root).
  int error() const { return error_; }

 private:
  void restore();

  bool switched_ = false;
  int error_ = 0;
  uid_t old_fsuid_ = 0;
  gid_t old_fsgid_ = 0;
};

}  // namespace svh::agent::disk
