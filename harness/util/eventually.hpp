#pragma once
// Waiting on an observable condition with a deadline. The pause between
// looks is only a polling interval: what synchronises is the condition.

#include <algorithm>
#include <chrono>
#include <thread>

namespace svh::util {

// Polls `done` until it holds (true) or `timeout` has passed (false). The
// interval starts at 1 ms and doubles up to `max_interval`, so a condition
// that is nearly there costs little and a slow one little CPU.
template <typename Done>
bool eventually(Done&& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds max_interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, max_interval);
  }
  return true;
}

}  // namespace svh::util
