#pragma once
// A cluster for checks. Three shapes:
//   builtin master + N svh-agents    (default; everything ours)
//   master at a URL + N svh-agents   (--master URL: an implementer's master)
//   master at a URL + its agents     (--agents external: agents already
//                                     registered with it, e.g. real Mesos agents)
// The fakes run on free loopback ports with work dirs in one private temp
// dir. start() returns once the master serves and every agent has registered
// (observed in their logs, or in the master's state for external agents);
// stop() takes everything down in order, removes the temp dir and reports
// anything it had to force (a mount or a process left behind).

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/child_process.hpp"
#include "harness/http/client.hpp"

namespace svh::harness {

struct ClusterOptions {
  std::optional<http::Url> master_url;  // unset: start the bundled svh-master
  int agents = 1;                       // svh-agents to start
  bool external_agents = false;         // use the master's registered agents instead
  // disk(svh-static): a static reservation, for the checks of RES-1.
  std::string agent_resources =
      "cpus:4;mem:4096;disk:4096;disk(svh-static):128;ports:[31000-32000]";
  std::string allocation_interval = "50ms";
  // The svh-agents' --gc_delay: short, so that a run sees sandboxes of
  // ended tasks removed (H-DATA-5), yet long enough that a check reading an
  // ended task's sandbox right after its terminal update never races it.
  std::string gc_delay = "10secs";
  std::filesystem::path bin_dir;  // holds svh-master and svh-agent
  std::filesystem::path log_dir;  // master.log, agent-N.log
  std::vector<std::string> master_args;
  std::vector<std::string> agent_args;
  std::chrono::milliseconds start_timeout{20000};
};

struct AgentHandle {
  std::string id;
  std::string upid;                       // slave(1)@ip:port
  std::filesystem::path work_dir;         // empty for an external agent
  std::unique_ptr<ChildProcess> process;  // null for an external agent
  std::vector<std::string> args;          // to start it again

  // Whether this agent is one of ours (its disk, trace and sandboxes can be
  // read from here).
  bool local() const { return process != nullptr; }
  // The agent's backing store: volumes live under backing()/volumes/roles/.
  std::filesystem::path backing() const { return work_dir / "disk"; }
  std::filesystem::path trace() const { return work_dir / "trace.jsonl"; }
  // GET /state of the agent (its tasks with their sandboxes, its volumes).
  nlohmann::json state() const;
  // GET /flags of the agent ({"flags": {...}}): what it enforces.
  nlohmann::json flags() const;
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
  bool builtinMaster() const { return master_ != nullptr; }
  std::vector<AgentHandle>& agents() { return agents_; }
  const std::filesystem::path& runDir() const { return run_dir_; }
  ChildProcess* masterProcess() { return master_.get(); }

  // Stops (SIGTERM) or crashes (SIGKILL) agent `index` and starts it again
  // with the same work dir; returns once it has registered again.
  void restartAgent(std::size_t index, bool crash = false);
  // The same for the bundled master, on the same port (agents reconnect).
  void restartMaster(bool crash = false);

  // The first of the processes this cluster started (the bundled master, its
  // svh-agents) found dead when it should run: "svh-agent-0 exited with
  // code 137"; nullopt while all run. A restart's own stop is not a death.
  // A master at a URL is dead when it refuses connections (asked when
  // `thorough`, else at most every 250 ms; a slow answer is not a death).
  std::optional<std::string> deadProcess(bool thorough = false);

  // Stops agents, then the master, checks that no mount is left under the
  // run dir and removes it. Returns what had to be forced (empty if clean).
  std::vector<std::string> stop();
  // SIGKILLs every process right away (a second Ctrl-C).
  void killAll();

 private:
  explicit Cluster(ClusterOptions options);
  void startMaster(std::uint16_t port);
  void startAgent(AgentHandle& agent);
  void adoptExternalAgents();
  // Marks the fakes as this run's (janitor.hpp).
  std::vector<std::string> runEnvironment() const;

  ClusterOptions options_;
  std::filesystem::path run_dir_;
  std::unique_ptr<ChildProcess> master_;
  http::Url master_url_;
  std::vector<AgentHandle> agents_;
  bool stopped_ = false;
  // When deadProcess() next asks a master at a URL whether it is there.
  std::chrono::steady_clock::time_point next_master_look_{};
};

// Mount points at or below `dir` (from /proc/self/mountinfo).
std::vector<std::filesystem::path> mountsUnder(const std::filesystem::path& dir);

}  // namespace svh::harness
