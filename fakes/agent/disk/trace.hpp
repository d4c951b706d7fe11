// Trace: the JSON-lines record of mutating operations that the harness reads
// while the agent runs. One line per operation, allowed or refused:
//   {"t":1700000000.123,"task":"t1","volume":"v1","view":"t1-v1","op":"mkdir",
//    "path":"dir/new","errno":30,"error":"EROFS"}
// "path" is relative to the volume directory ("." for its root); rename and
// link add "to". "errno" is 0 and "error" null when the operation succeeded.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace svh::agent::disk {

struct TraceRecord {
  std::string_view task;
  std::string_view volume;
  std::string_view view;
  std::string_view op;
  std::string_view path;
  std::string_view to;  // rename/link destination; empty: none
  int error = 0;        // errno, 0 for success
};

// The JSON text of one line (without the newline); invalid UTF-8 in names is
// replaced, never rejected.
std::string traceLine(double unix_seconds, const TraceRecord& record);

// The symbolic name of an errno value ("EROFS"), or its number as text.
std::string errnoName(int error);

class Trace {
 public:
  // Opens (creating, appending to) the file; an empty path disables the
  // trace. Throws DiskError.
  explicit Trace(const std::filesystem::path& file);
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Appends one line with the current time. Never throws.
  void write(const TraceRecord& record);

 private:
  // The trace lock: taken by FUSE threads only here, held for one write(2),
  // never while taking another lock. It keeps lines whole and in "t" order.
  std::mutex mu_;
  int fd_ = -1;
};

}  // namespace svh::agent::disk
