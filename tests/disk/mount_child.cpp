// Test helper for the SIGKILL test: mounts a FuseDisk, adds one view,
// starts a long-running child process (like a task the agent launched, which
// outlives the agent), prints "ready <child pid>" and waits to be killed.
//   disk_mount_child BACKING MOUNTPOINT VOLUME_DIR
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstdio>

#include "fakes/agent/disk/fuse_disk.hpp"

extern char** environ;

int main(int argc, char** argv) {
  using namespace svh::agent::disk;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s BACKING MOUNTPOINT VOLUME_DIR\n", argv[0]);
    return 2;
  }
  try {
    auto disk = FuseDisk::mount({.backing = argv[1], .mountpoint = argv[2]});
    disk->addView({.view_id = "v", .volume_dir = argv[3], .mode = Mode::RW});
    pid_t task = 0;
    char sleep_path[] = "/bin/sleep";
    char seconds[] = "600";
    char* task_argv[] = {sleep_path, seconds, nullptr};
    if (posix_spawn(&task, sleep_path, nullptr, nullptr, task_argv, environ) != 0) return 3;
    std::printf("ready %d\n", static_cast<int>(task));
    std::fflush(stdout);
    for (;;) ::pause();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "disk_mount_child: %s\n", e.what());
    return 1;
  }
}
