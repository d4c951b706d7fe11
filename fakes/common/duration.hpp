#pragma once
// Mesos duration flags ("100ms", "1secs", "5mins", "2hrs"): the format every
// Mesos user already writes for --allocation_interval and friends.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace svh::fakes {

using Duration = std::chrono::nanoseconds;

// nullopt (with a reason) for anything that is not <number><unit>.
std::optional<Duration> parseDuration(std::string_view text, std::string* error = nullptr);
// Mesos's own rendering, e.g. "100ms", "15secs", "10mins".
std::string formatDuration(Duration duration);
double toSeconds(Duration duration);

}  // namespace svh::fakes
