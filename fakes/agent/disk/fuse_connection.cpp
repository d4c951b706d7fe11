#include "fakes/agent/disk/fuse_connection.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "fakes/agent/disk/mountinfo.hpp"

namespace svh::agent::disk {
namespace {

int writeAbort(const std::filesystem::path& fusectl, uint32_t id, std::string* detail) {
  const auto file = fusectl / std::to_string(id) / "abort";
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    // ENOENT: the connection is already gone, which is what we wanted.
    if (err == ENOENT) return 0;
    *detail = "open " + file.string() + ": " + std::strerror(err);
    return err;
  }
  int err = 0;
  if (::write(fd, "1", 1) != 1) {
    err = errno;
    *detail = "write " + file.string() + ": " + std::strerror(err);
  }
  ::close(fd);
  return err;
}

}  // namespace

uint32_t fuseConnectionId(unsigned major, unsigned minor) {
  return (major << 20) | minor;
}

int abortFuseConnection(uint32_t id, std::string* detail) {
  for (const auto& m : readMountInfo()) {
    if (m.fs_type == "fusectl") return writeAbort(m.mount_point, id, detail);
  }
  // fusectl is a single-instance filesystem: a private mount shows the same
  // connections as /sys/fs/fuse/connections would.
  char dir[] = "/tmp/svh-fusectl-XXXXXX";
  if (::mkdtemp(dir) == nullptr) {
    const int err = errno;
    *detail = std::string("mkdtemp for a private fusectl mount: ") + std::strerror(err);
    return err;
  }
  int err = 0;
  if (::mount("fusectl", dir, "fusectl", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    err = errno;
    *detail = std::string("mount fusectl on ") + dir + ": " + std::strerror(err);
  } else {
    err = writeAbort(dir, id, detail);
    if (::umount2(dir, 0) != 0) ::umount2(dir, MNT_DETACH);
  }
  ::rmdir(dir);
  return err;
}

bool fuseConnectionEnded(int fuse_fd) {
  if (fuse_fd < 0) return true;
  pollfd p{fuse_fd, 0, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLNVAL)) != 0;
}

}  // namespace svh::agent::disk
