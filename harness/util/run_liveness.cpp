#include "harness/util/run_liveness.hpp"

#include <mutex>

namespace svh::util {

namespace {
std::mutex g_mutex;  // a wait on another thread may ask at the same time
LivenessProbe g_probe;
std::optional<std::string> g_death;
}  // namespace

void setLivenessProbe(LivenessProbe probe) {
  std::lock_guard lock(g_mutex);
  g_probe = std::move(probe);
}

void checkRunAlive(bool thorough) {
  std::unique_lock lock(g_mutex);
  if (!g_death && g_probe) g_death = g_probe(thorough);
  if (g_death) throw RunProcessDied(*g_death);
}

std::optional<std::string> runProcessDeath() {
  std::lock_guard lock(g_mutex);
  return g_death;
}

}  // namespace svh::util
