#include "harness/util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace svh::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kWarning)};
std::mutex g_mutex;  // guards g_component and serialises lines from several threads
std::string g_component = "svh";

const char* levelName(Level level) {
  switch (level) {
    case Level::kError: return "E";
    case Level::kWarning: return "W";
    case Level::kInfo: return "I";
    case Level::kDebug: return "D";
  }
  return "?";
}
}  // namespace

void setLevel(Level level) { g_level = static_cast<int>(level); }

void setComponent(std::string component) {
  std::lock_guard lock(g_mutex);
  g_component = std::move(component);
}

bool enabled(Level level) { return static_cast<int>(level) <= g_level.load(); }

void write(Level level, std::string_view message) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "%s%s.%03lld %s %s\n", levelName(level), stamp,
               static_cast<long long>(millis), g_component.c_str(),
               std::string(message).c_str());
  std::fflush(stderr);
}

}  // namespace svh::log
