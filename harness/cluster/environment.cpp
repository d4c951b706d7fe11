#include "harness/cluster/environment.hpp"

#include <mutex>

#include "harness/util/run_liveness.hpp"

namespace svh::harness {

namespace {
std::unique_ptr<Cluster> g_cluster;
std::mutex g_cluster_mutex;  // the signal thread may kill while tests run
std::string g_start_error;
std::vector<std::string> g_teardown_problems;
}  // namespace

RunOptions& runOptions() {
  static RunOptions options;
  return options;
}

std::atomic<bool>& interrupted() {
  static std::atomic<bool> flag{false};
  return flag;
}

Cluster& cluster() {
  if (!g_cluster) throw HarnessError("no cluster is running: " + g_start_error);
  return *g_cluster;
}

const std::string& clusterStartError() { return g_start_error; }
const std::vector<std::string>& teardownProblems() { return g_teardown_problems; }

void ClusterEnvironment::SetUp() {
  const auto& run = runOptions();
  ClusterOptions options;
  if (run.master != "builtin") {
    std::string error;
    auto url = http::Url::parse(run.master, &error);
    if (!url) {
      g_start_error = "--master: " + error;
      return;
    }
    options.master_url = *url;
  }
  options.agents = run.agents;
  options.external_agents = run.external_agents;
  options.bin_dir = run.bin_dir;
  options.log_dir = run.report_dir / "logs";
  // Logs are appended to across restarts within a run, so an earlier run's
  // must go first.
  std::error_code ec;
  std::filesystem::remove_all(options.log_dir, ec);
  std::filesystem::create_directories(options.log_dir, ec);
  options.allocation_interval = run.allocation_interval;
  for (const auto& fault : run.master_faults) options.master_args.push_back("--fault=" + fault);
  for (const auto& fault : run.agent_faults) options.agent_args.push_back("--fault=" + fault);
  options.master_args.push_back("--profile=" + run.profile);
  try {
    auto started = Cluster::start(options);
    std::lock_guard lock(g_cluster_mutex);
    g_cluster = std::move(started);
    // From now on a wait that finds a process of the run dead fails at once,
    // and the run stops (run_liveness.hpp, check.cpp).
    util::setLivenessProbe([](bool thorough) -> std::optional<std::string> {
      std::lock_guard lock(g_cluster_mutex);
      return g_cluster ? g_cluster->deadProcess(thorough) : std::nullopt;
    });
  } catch (const std::exception& e) {
    g_start_error = e.what();
  }
}

void ClusterEnvironment::TearDown() {
  util::setLivenessProbe({});
  std::unique_ptr<Cluster> cluster;
  {
    std::lock_guard lock(g_cluster_mutex);
    cluster = std::move(g_cluster);
  }
  if (cluster) g_teardown_problems = cluster->stop();
}

void ClusterEnvironment::emergencyStop() {
  std::lock_guard lock(g_cluster_mutex);
  if (!g_cluster) return;
  g_cluster->killAll();
  g_cluster->stop();
}

}  // namespace svh::harness
