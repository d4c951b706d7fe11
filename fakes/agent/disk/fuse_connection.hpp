// The kernel end of a FUSE mount. The connection is what keeps requests
// flowing after an unmount (open files, bind mounts in other namespaces);
// aborting it fails every pending and future request with ENOTCONN and lets
// the daemon's threads return. That is the last step of a teardown that
// cannot hang (libfuse's passthrough_hp calls it the teardown watchdog).
#pragma once

#include <cstdint>
#include <string>

namespace svh::agent::disk {

// The fusectl name of the connection of the FUSE filesystem whose st_dev is
// major:minor (the kernel's dev_t: major << 20 | minor).
uint32_t fuseConnectionId(unsigned major, unsigned minor);

// Writes to /sys/fs/fuse/connections/<id>/abort. If fusectl is not mounted
// anywhere, mounts it on a private temporary directory for the write and
// removes that mount again. Returns 0 or an errno; *detail says what failed.
int abortFuseConnection(uint32_t id, std::string* detail);

// True once the kernel has ended the connection behind a /dev/fuse fd
// (unmounted with no users left, or aborted).
bool fuseConnectionEnded(int fuse_fd);

}  // namespace svh::agent::disk
