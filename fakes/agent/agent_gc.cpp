// Sandbox garbage collection, as a Mesos agent's GC does it: the sandbox of
// a command task that ended, or of a task group's executor once all its
// tasks ended, is removed --gc_delay later (Mesos's flag and default,
// 1weeks; Mesos may shorten the delay when the disk fills up, this agent
// does not). A restarted agent schedules the sandboxes it finds by the time
// they last changed, as Mesos schedules what it recovers.
//
// Removing a sandbox must never touch volume data (SPEC H-DATA-5,
// MESOS-7366): a task's volume bind mounts live in its own mount namespace,
// and what is left in the agent's own namespace is detached first, then the
// tree is removed without following symlinks or crossing into another mount
// (tree_removal.hpp). A sandbox that a running task still uses (one of a
// task group whose framework was shut down, say) waits another delay.

#include <sys/stat.h>

#include <algorithm>

#include "fakes/agent/agent.hpp"
#include "fakes/agent/tree_removal.hpp"
#include "harness/util/log.hpp"

namespace svh::agent {

namespace {

bool inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const auto& p = path.native();
  const auto& d = dir.native();
  return p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 && p[d.size()] == '/');
}

// `from` + `delay`, saturated: a --gc_delay of 20000weeks would overflow the
// clock's nanoseconds, and "never" is what it means.
using Clock = std::chrono::system_clock;
Clock::time_point after(Clock::time_point from, fakes::Duration delay) {
  const auto room = Clock::time_point::max() - from;
  if (delay >= room) return Clock::time_point::max();
  return from + std::chrono::duration_cast<Clock::duration>(delay);
}

// The GC timer wakes at least this often, so that a far-off time never
// becomes a steady-clock overflow (it then just re-arms).
constexpr auto kLongestWait = std::chrono::hours(1);

}  // namespace

void Agent::scheduleGc(const std::filesystem::path& sandbox,
                       std::optional<WallClock::time_point> due) {
  std::error_code ec;
  if (sandbox.empty() || !std::filesystem::exists(std::filesystem::symlink_status(sandbox, ec))) {
    return;
  }
  auto when = due.value_or(after(WallClock::now(), flags_.gc_delay));
  gc_scheduled_[sandbox] = when;
  auto in = std::chrono::duration<double>(when - WallClock::now()).count();
  log::info("sandbox ", sandbox.string(), " will be removed in ", std::max(0.0, in), "s");
  armGcTimer();
}

void Agent::scheduleLeftoverSandboxes() {
  std::error_code ec;
  for (const auto& framework : std::filesystem::directory_iterator(sandboxRoot(), ec)) {
    if (!framework.is_directory(ec) || framework.is_symlink(ec)) continue;
    for (const auto& sandbox : std::filesystem::directory_iterator(framework.path(), ec)) {
      struct stat st {};
      if (::lstat(sandbox.path().c_str(), &st) != 0) continue;
      auto changed = WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
      scheduleGc(sandbox.path(), after(changed, flags_.gc_delay));
    }
  }
}

void Agent::armGcTimer() {
  if (stopped_ || gc_scheduled_.empty()) return;
  auto next = gc_scheduled_.begin()->second;
  for (const auto& [path, when] : gc_scheduled_) next = std::min(next, when);
  auto wait = std::clamp<WallClock::duration>(next - WallClock::now(), WallClock::duration::zero(),
                                              kLongestWait);
  gc_timer_.expires_after(wait);
  gc_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) collectGarbage();
  });
}

bool Agent::sandboxInUse(const std::filesystem::path& sandbox) const {
  for (const auto& [framework_id, tasks] : tasks_) {
    for (const auto& [task_id, task] : tasks) {
      if (task.running && inside(task.sandbox, sandbox)) return true;
    }
  }
  return false;
}

void Agent::collectGarbage() {
  const auto now = WallClock::now();
  std::vector<std::filesystem::path> due;
  for (const auto& [path, when] : gc_scheduled_) {
    if (when <= now) due.push_back(path);
  }
  for (const auto& sandbox : due) {
    gc_scheduled_.erase(sandbox);
    if (sandboxInUse(sandbox)) {
      log::info("sandbox ", sandbox.string(), " is still in use by a running task");
      scheduleGc(sandbox);
      continue;
    }
    auto problems = unmountUnder(sandbox);
    if (problems.empty()) problems = removeTree(sandbox);
    if (!problems.empty()) {
      for (const auto& problem : problems) {
        log::error("sandbox ", sandbox.string(), " not (fully) removed: ", problem);
      }
      continue;
    }
    log::info("removed sandbox ", sandbox.string());
    gc_removed_.push_back(sandbox);
    if (gc_removed_.size() > 1000) gc_removed_.pop_front();
    // The framework's directory goes with its last sandbox.
    if (sandbox.parent_path().parent_path() == sandboxRoot()) {
      ::rmdir(sandbox.parent_path().c_str());
    }
  }
  armGcTimer();
}

}  // namespace svh::agent
