#pragma once
// A cluster for checks: the bundled svh-master and N svh-agents, each on a
// free loopback port, with work dirs in one private temp dir. start() returns
// once the master serves and every agent has registered (both observed in
// their logs); stop() takes everything down in order and removes the temp
// dir, and reports anything it had to force (a mount or a process left).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/cluster/child_process.hpp"
#include "harness/http/client.hpp"

namespace svh::harness {

struct ClusterOptions {
  int agents = 1;
  std::string agent_resources = "cpus:4;mem:4096;disk:4096;ports:[31000-32000]";
  std::string allocation_interval = "50ms";
  std::filesystem::path bin_dir;  // holds svh-master and svh-agent
  std::filesystem::path log_dir;  // master.log, agent-N.log
  std::vector<std::string> master_args;
  std::vector<std::string> agent_args;
  std::chrono::milliseconds start_timeout{20000};
};

struct AgentHandle {
  std::string id;
  std::string upid;
  std::filesystem::path work_dir;
  std::unique_ptr<ChildProcess> process;

  // The agent's backing store: volumes live under backing()/volumes/roles/.
  std::filesystem::path backing() const { return work_dir / "disk"; }
  std::filesystem::path trace() const { return work_dir / "trace.jsonl"; }
  // GET /state of the agent (its tasks with their sandboxes, its volumes).
  nlohmann::json state() const;
  // The sandbox of a task running on this agent. Throws HarnessError.
  std::filesystem::path sandboxOf(const std::string& task_id) const;
};

class Cluster {
 public:
  // Throws HarnessError (with the failing process's last log line).
  static std::unique_ptr<Cluster> start(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const http::Url& master() const { return master_url_; }
  std::vector<AgentHandle>& agents() { return agents_; }
  const std::filesystem::path& runDir() const { return run_dir_; }
  ChildProcess& masterProcess() { return *master_; }

  // Stops agents, then the master, checks that no mount is left under the
  // run dir and removes it. Returns what had to be forced (empty if clean).
  std::vector<std::string> stop();

  // SIGKILLs every process right away (a second Ctrl-C).
  void killAll();

 private:
  explicit Cluster(ClusterOptions options);
  void startMaster();
  void startAgent(int index);
  // Marks the fakes as this run's (janitor.hpp).
  std::vector<std::string> runEnvironment() const;

  ClusterOptions options_;
  std::filesystem::path run_dir_;
  std::unique_ptr<ChildProcess> master_;
  http::Url master_url_;
  std::vector<AgentHandle> agents_;
  bool stopped_ = false;
};

// Mount points at or below `dir` (from /proc/self/mountinfo).
std::vector<std::filesystem::path> mountsUnder(const std::filesystem::path& dir);

}  // namespace svh::harness
