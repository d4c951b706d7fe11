#pragma once
// One-line logging for every svh component: "<time> <component> <message>".
// Quiet by default (warnings and errors only); --verbose turns on info.

#include <sstream>
#include <string>
#include <string_view>

namespace svh::log {

enum class Level { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// Process-wide settings; set once at start-up from flags.
void setLevel(Level level);
void setComponent(std::string component);
bool enabled(Level level);
void write(Level level, std::string_view message);

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail

template <typename... Args>
void error(const Args&... args) {
  write(Level::kError, detail::concat(args...));
}
template <typename... Args>
void warning(const Args&... args) {
  if (enabled(Level::kWarning)) write(Level::kWarning, detail::concat(args...));
}
template <typename... Args>
void info(const Args&... args) {
  if (enabled(Level::kInfo)) write(Level::kInfo, detail::concat(args...));
}
template <typename... Args>
void debug(const Args&... args) {
  if (enabled(Level::kDebug)) write(Level::kDebug, detail::concat(args...));
}

}  // namespace svh::log
