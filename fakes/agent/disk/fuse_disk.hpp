// FuseDisk: the agent's disk. One FUSE filesystem serves persistent volumes
// to real task processes and enforces, per task, the access mode that the
// task's own resource asked for (SPEC H-RO-1..3, H-DATA-1).
//
//   <mountpoint>/                 lists the views (read-only to everyone)
//   <mountpoint>/<view_id>/...    one volume directory of <backing>, with
//                                 one task's mode (RW or RO)
//
// The agent bind-mounts <mountpoint>/<view_id> onto <sandbox>/<container_path>
// in each task's private mount namespace, so a task only ever sees its own
// view. Several views may expose the same volume directory (a shared volume
// used by several tasks); a write through one is visible through the others
// at once (no attribute, entry or data caching across views).
//
// What FUSE guarantees (see README.md next to this file for the details):
// - In an RO view every mutating request fails with EROFS, and nothing in
//   the backing store changes. Requests through a view that was removed
//   fail with ESTALE.
// - Every request through a view operates on objects inside that view's
//   volume directory: names are resolved one component at a time without
//   following symlinks, and `..` is never resolved by FUSE. (A symlink that a
//   task follows is resolved by the kernel in the task's own namespace; that
//   is not an operation of this filesystem.)
// - rename/link between two views fail with EXDEV (EROFS if either is RO).
// - Optional quota per volume: writes, truncates and fallocates that would
//   make the volume's file bytes exceed it fail with ENOSPC.
// - Every mutating request through a view, allowed or refused, appends one
//   JSON line to the trace file before it is answered.
// - A killed agent leaves no mount behind; unmount() never hangs.
//
// Needs root (mount(2), allow_other, and the unmount-on-crash guard).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fakes/common/seeded_faults.hpp"

namespace svh::agent::disk {

enum class Mode { RW, RO };
std::string_view toString(Mode mode);

// One task's window onto one volume.
struct ViewSpec {
  std::string view_id;               // one path component, unique in the disk
  std::filesystem::path volume_dir;  // absolute, strictly inside DiskOptions::backing
  Mode mode = Mode::RW;
  std::string task_id;                  // recorded in the trace
  std::string volume_id;                // persistence id, recorded in the trace
  std::optional<uint64_t> quota_bytes;  // shared by every view of volume_dir
};

// What a request through a view is about to do; see DiskOptions::op_hook.
struct OpEvent {
  std::string_view op;  // FUSE operation name: "getattr", "write", ...
  std::string_view view_id;
};

struct DiskOptions {
  std::filesystem::path backing;     // existing directory holding the volumes
  std::filesystem::path mountpoint;  // created if missing; must not be a mount already
  std::filesystem::path trace_file;  // JSON lines of mutating operations; empty: none
  bool debug = false;                // libfuse request log on stderr
  // How long unmount() waits for FUSE request handlers still running after
  // the connection was ended; past it the loop is left to finish on its own.
  std::chrono::milliseconds unmount_timeout{5000};
  // Called on a FUSE thread before each request through a view is served
  // (fault injection, tests). Must be thread-safe; may block.
  std::function<void(const OpEvent&)> op_hook;
  // Seeded faults of the RO checks (fakes/common/seeded_faults.hpp).
  fakes::Faults faults;
};

// Everything FuseDisk throws: a one-line message saying what to do.
class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FuseDisk {
 public:
  // Mounts and starts serving; returns once the kernel has completed the
  // FUSE handshake. Throws DiskError.
  static std::unique_ptr<FuseDisk> mount(const DiskOptions& options);
  ~FuseDisk();  // unmount(); never throws, never hangs past unmount_timeout
  FuseDisk(const FuseDisk&) = delete;
  FuseDisk& operator=(const FuseDisk&) = delete;

  // Adds a view and returns its path, <mountpoint>/<view_id>. Throws
  // DiskError for a duplicate or malformed id, a volume_dir that is not a
  // directory inside backing (symlinks are not followed), or a quota that
  // disagrees with another view of the same volume.
  std::filesystem::path addView(const ViewSpec& spec);
  // Removes a view: its path disappears at once, and requests through it
  // (open files, a bind mount that is still in place) fail with ESTALE.
  void removeView(const std::string& view_id);
  // The volume at volume_dir was resized: views of it that exist (or whose
  // files are still open) hold at most `quota_bytes` from now on, and so do
  // views added later. A quota below the usage deletes nothing: growing
  // requests fail with ENOSPC until enough is removed. Returns the volume's
  // usage when it is in use (nullopt: no view uses it; the next view
  // measures it). Throws DiskError for a volume_dir as addView does, or one
  // whose views have no quota.
  std::optional<uint64_t> setQuota(const std::filesystem::path& volume_dir, uint64_t quota_bytes);
  // Ends serving and removes the mount, even with open files or a stuck
  // request (the FUSE connection is aborted). Idempotent.
  void unmount();

  const std::filesystem::path& mountpoint() const;

  struct Impl;

 private:
  explicit FuseDisk(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True if FuseDisk::mount can work here; otherwise *why says what is missing.
bool fuseAvailable(std::string* why);

}  // namespace svh::agent::disk
