// Shared pieces of the FUSE disk tests: a fixture that mounts a FuseDisk in
// a fresh temporary directory and always takes it down again, a content
// manifest of a directory tree (the "digest" of SPEC H-RO-1), and waiting
// for observable conditions with a deadline.
//
// These tests need root and /dev/fuse. Where FUSE cannot work they FAIL with
// the reason: a FUSE test that skips itself is a gap, not a pass.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "fakes/agent/disk/fuse_disk.hpp"

namespace svh::agent::disk::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Polls pred() until it holds or the deadline passes; true if it held.
bool waitFor(std::chrono::milliseconds deadline, const std::function<bool()>& pred);

bool isMounted(const fs::path& mount_point);
// Every mount at or below `dir` (deepest first).
std::vector<fs::path> mountsUnder(const fs::path& dir);

// One line per object under `dir`, sorted: path, type, mode, owner, size,
// mtime, and the content hash, symlink target or user.* xattrs. Two
// manifests are equal iff nothing a task could change by a mutating call
// changed (access times are left out: reading changes them).
std::string manifest(const fs::path& dir);

// "EROFS" for 30, "0" for 0.
std::string errnoName(int error);
// The errno of `result < 0 ? errno : 0`, for one-line system call checks.
int errOf(long result);

std::string readFile(const fs::path& path);
void writeFile(const fs::path& path, const std::string& text);

// The trace file's lines, parsed; an unparsable line fails the test.
std::vector<std::string> traceLines(const fs::path& file);

class DiskTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Mounts backing_ at mnt_ with the trace at trace_; extra options merged.
  void mountDisk(DiskOptions options = {});
  // Makes backing_/volumes/roles/eng/<name> and returns it.
  fs::path makeVolume(const std::string& name);
  fs::path addView(const std::string& view_id, const fs::path& volume, Mode mode,
                   std::optional<uint64_t> quota = std::nullopt);

  fs::path tmp_;      // everything the test makes lives here
  fs::path backing_;  // tmp_/disk
  fs::path mnt_;      // tmp_/mnt
  fs::path trace_;    // tmp_/trace.jsonl
  std::unique_ptr<FuseDisk> disk_;
};

}  // namespace svh::agent::disk::test
