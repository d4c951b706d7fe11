#include "fakes/agent/disk/trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "fakes/agent/disk/fuse_disk.hpp"

namespace svh::agent::disk {

std::string errnoName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : std::to_string(error);
}

std::string traceLine(double unix_seconds, const TraceRecord& r) {
  nlohmann::ordered_json line;
  line["t"] = unix_seconds;
  line["task"] = r.task;
  line["volume"] = r.volume;
  line["view"] = r.view;
  line["op"] = r.op;
  line["path"] = r.path;
  if (!r.to.empty()) line["to"] = r.to;
  line["errno"] = r.error;
  line["error"] =
      r.error == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(errnoName(r.error));
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Trace::Trace(const std::filesystem::path& file) {
  if (file.empty()) return;
  fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw DiskError("cannot open the trace file " + file.string() + ": " + std::strerror(errno) +
                    " (its directory must exist and be writable)");
  }
}

Trace::~Trace() {
  if (fd_ >= 0) ::close(fd_);
}

void Trace::write(const TraceRecord& record) {
  if (fd_ < 0) return;
  try {
    std::lock_guard lock(mu_);
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string text = traceLine(now, record);
    text.push_back('\n');
    // O_APPEND and one write(2) per line: the line is in the file (and
    // visible to readers) before the operation is answered.
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  } catch (...) {
    // Tracing must never take down a request; a lost line shows as a gap.
  }
}

}  // namespace svh::agent::disk
