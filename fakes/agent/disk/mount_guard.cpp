#include "fakes/agent/disk/mount_guard.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fakes/agent/disk/fuse_disk.hpp"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

namespace svh::agent::disk {
namespace {

constexpr char kArm = 'A';
constexpr char kDisarm = 'D';

// The guard process. Forked from a multithreaded parent, it may only make
// async-signal-safe calls: plain system calls, no allocation, no locks.
[[noreturn]] void guardMain(int in, const char* mountpoint) {
  if (in > 0) ::close_range(0, static_cast<unsigned>(in) - 1, 0);
  ::close_range(static_cast<unsigned>(in) + 1, ~0U, 0);
  ::setsid();
  sigset_t all;
  ::sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  if (::chdir("/") != 0) {
    // Not fatal: the guard keeps no files open under its working directory.
  }
  uint64_t mount_id = 0;
  bool armed = false;
  for (;;) {
    char command = 0;
    const ssize_t n = ::read(in, &command, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the parent is gone
    if (command == kDisarm) ::_exit(0);
    if (command == kArm) {
      size_t got = 0;
      auto* bytes = reinterpret_cast<char*>(&mount_id);
      while (got < sizeof mount_id) {
        const ssize_t m = ::read(in, bytes + got, sizeof mount_id - got);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) break;
        got += static_cast<size_t>(m);
      }
      armed = got == sizeof mount_id;
    }
  }
  if (armed) {
    // AT_STATX_DONT_SYNC: answered from the kernel's cache, no FUSE request
    // (nobody would answer it now).
    struct statx stx {};
    if (::statx(AT_FDCWD, mountpoint, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW,
                STATX_MNT_ID, &stx) == 0 &&
        (stx.stx_mask & STATX_MNT_ID) != 0 && stx.stx_mnt_id == mount_id) {
      ::umount2(mountpoint, MNT_DETACH);
    }
  }
  ::_exit(0);
}

void sendAll(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the guard is gone; nothing more to tell it
    p += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

MountGuard::MountGuard(const std::filesystem::path& mountpoint) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw DiskError(std::string("cannot create the unmount guard's socket pair: ") +
                    std::strerror(errno));
  }
  const std::string path = mountpoint.string();  // no allocation after fork
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw DiskError(std::string("cannot fork the unmount guard: ") + std::strerror(err));
  }
  if (pid == 0) guardMain(fds[0], path.c_str());
  ::close(fds[0]);
  pid_ = pid;
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  fd_ = fds[1];
}

MountGuard::~MountGuard() {
  disarm();
}

void MountGuard::arm(uint64_t mount_id) {
  if (fd_ < 0) return;
  char message[1 + sizeof mount_id];
  message[0] = kArm;
  std::memcpy(message + 1, &mount_id, sizeof mount_id);
  sendAll(fd_, message, sizeof message);
}

void MountGuard::disarm() {
  if (fd_ < 0) return;
  sendAll(fd_, &kDisarm, 1);
  ::close(fd_);
  fd_ = -1;
  // Reap the guard; it exits as soon as it reads the command. Wait on its
  // pidfd with a deadline, then kill it, so this never hangs. The pidfd
  // names this very process even if an owner that reaps with waitpid(-1)
  // collected it first and its pid was reused.
  if (pidfd_ >= 0) {
    pollfd p{pidfd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_), &info, WEXITED) < 0 && errno == EINTR) {
    }
    ::close(pidfd_);
    pidfd_ = -1;
  } else {
    // No pidfds (kernel < 5.3): the guard exits at once on kDisarm.
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

}  // namespace svh::agent::disk
