#include "fakes/agent/disk/caller_creds.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace svh::agent::disk {
namespace {

// setfsuid/setfsgid report no errors; with an id that cannot be valid they
// change nothing and return the current one.
constexpr long kQuery = -1;

long setFsuid(long uid) {
  return ::syscall(SYS_setfsuid, uid);
}
long setFsgid(long gid) {
  return ::syscall(SYS_setfsgid, gid);
}
int setGroups(const std::vector<gid_t>& groups) {
  return ::syscall(SYS_setgroups, groups.size(), groups.data()) == 0 ? 0 : errno;
}

// The thread's own supplementary groups, read once per thread before its
// first switch (glibc's getgroups() is the plain system call: this thread).
const std::vector<gid_t>& ownGroups() {
  thread_local const std::vector<gid_t> groups = [] {
    std::vector<gid_t> g(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
    const int n = g.empty() ? 0 : ::getgroups(static_cast<int>(g.size()), g.data());
    g.resize(static_cast<size_t>(std::max(n, 0)));
    return g;
  }();
  return groups;
}

}  // namespace

AsCaller::AsCaller(const Caller& caller) {
  if (caller.root()) return;
  ownGroups();
  switched_ = true;
  old_fsgid_ = static_cast<gid_t>(setFsgid(caller.gid));
  old_fsuid_ = static_cast<uid_t>(setFsuid(caller.uid));
  error_ = setGroups(caller.groups);
  if (error_ == 0 && (static_cast<gid_t>(setFsgid(kQuery)) != caller.gid ||
                      static_cast<uid_t>(setFsuid(kQuery)) != caller.uid)) {
    error_ = EPERM;  // the daemon lacks CAP_SETUID/CAP_SETGID
  }
  if (error_ != 0) {
    restore();
    switched_ = false;
  }
}

AsCaller::~AsCaller() {
  if (switched_) restore();
}

void AsCaller::restore() {
  const int saved = errno;
  setFsuid(old_fsuid_);  // back to 0: the kernel raises the fs capabilities again
  setFsgid(old_fsgid_);
  const int groups = setGroups(ownGroups());
  if (groups != 0 || static_cast<uid_t>(setFsuid(kQuery)) != old_fsuid_ ||
      static_cast<gid_t>(setFsgid(kQuery)) != old_fsgid_) {
    // A FUSE thread left with a task's identity would serve the next
    // requests, root's included, with it: no request may run after this.
    std::fprintf(stderr, "disk: cannot restore a FUSE thread's credentials (fsuid %u fsgid %u)\n",
                 static_cast<unsigned>(old_fsuid_), static_cast<unsigned>(old_fsgid_));
    std::abort();
  }
  errno = saved;
}

}  // namespace svh::agent::disk
