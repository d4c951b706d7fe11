#include "harness/scenario/files.hpp"

#include <fstream>
#include <sstream>

#include "harness/client/scheduler_client.hpp"
#include "harness/util/eventually.hpp"
#include "harness/util/run_liveness.hpp"

namespace svh::harness {

namespace {

template <typename Ready>
bool poll(Ready&& ready, std::chrono::milliseconds timeout) {
  // A process of the run that dies ends the wait at once (run_liveness.hpp).
  return util::eventually(
      [&] {
        util::checkRunAlive();
        return ready();
      },
      timeout, std::chrono::milliseconds(5));
}

}  // namespace

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string awaitFile(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                      const std::string& what) {
  std::string content;
  bool ok = poll(
      [&] {
        std::error_code ec;
        if (std::filesystem::file_size(path, ec) == 0 || ec) return false;
        content = readFile(path);
        return !content.empty();
      },
      timeout);
  if (!ok) {
    throw AwaitTimeout("waited " + std::to_string(timeout.count()) + "ms for " + what + " (" +
                       path.string() + ")");
  }
  return content;
}

void awaitGone(const std::filesystem::path& path, std::chrono::milliseconds timeout,
               const std::string& what) {
  bool ok = poll([&] { return !std::filesystem::exists(path); }, timeout);
  if (!ok) {
    throw AwaitTimeout("waited " + std::to_string(timeout.count()) + "ms for " + what + " (" +
                       path.string() + " still exists)");
  }
}

std::uintmax_t sizeOrZero(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

std::uintmax_t awaitGrowth(const std::filesystem::path& path, std::uintmax_t size,
                           std::chrono::milliseconds timeout, const std::string& what) {
  std::uintmax_t now = 0;
  bool ok = poll(
      [&] {
        std::error_code ec;
        now = std::filesystem::file_size(path, ec);
        return !ec && now > size;
      },
      timeout);
  if (!ok) {
    throw AwaitTimeout("waited " + std::to_string(timeout.count()) + "ms for " + what + " (" +
                       path.string() + " stayed at " + std::to_string(now) + " bytes)");
  }
  return now;
}

}  // namespace svh::harness
