#pragma once
// Tests of the real svh-agent binary: each test gets a private temp dir, a
// scripted master (scripted_master.hpp) and starts svh-agent against it as
// a child process, with a mark in its environment (and its tasks') so that
// every process of the test can be found. TearDown fails the test if a
// mount or a marked process is left behind, then removes both.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/cluster/child_process.hpp"
#include "mesos/internal/messages.pb.h"
#include "tests/agent/scripted_master.hpp"

namespace svh::agent::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path binary(const std::string& name);  // built next to the tests

// svh-agent, registered with a scripted master.
class AgentProcess {
 public:
  AgentProcess(const ScriptedMaster& master, const fs::path& work_dir,
               std::vector<std::string> extra_args, const std::string& mark, const fs::path& log);
  ~AgentProcess();  // SIGTERM, then SIGKILL

  harness::ChildProcess& process() { return *process_; }
  pid_t pid() const { return process_->pid(); }
  const fs::path& workDir() const { return work_dir_; }
  nlohmann::json get(const std::string& path) const;  // GET path as JSON
  // The sandbox of a task (running or completed).
  fs::path sandboxOf(const std::string& task_id) const;

 private:
  fs::path work_dir_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::unique_ptr<harness::ChildProcess> process_;
};

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts svh-agent (work dir dir_/work unless given) and waits until it
  // has registered with master_.
  AgentProcess& startAgent(std::vector<std::string> extra_args = {},
                           const std::string& resources = kResources);
  void stopAgent();   // SIGTERM, waits
  void crashAgent();  // SIGKILL, waits

  // Builders (v0, as the master sends them).
  static mesos::FrameworkInfo framework(const std::string& id, bool partition_aware = false);
  static mesos::Resource volume(const std::string& id, double megabytes,
                                mesos::Volume::Mode mode = mesos::Volume::RW,
                                const std::string& container_path = "data");
  mesos::TaskInfo commandTask(const std::string& id, const std::string& command,
                              const std::vector<mesos::Resource>& volumes = {}) const;

  // Messages to the agent.
  void checkpoint(const std::vector<mesos::Resource>& volumes);
  void run(const mesos::FrameworkInfo& framework, const mesos::TaskInfo& task);
  void kill(const std::string& framework_id, const std::string& task_id,
            std::optional<std::chrono::milliseconds> grace = std::nullopt);

  // The first terminal status update of `task_id`.
  mesos::internal::StatusUpdate awaitTerminal(const std::string& task_id);

  // Where a volume's data lives on the agent's backing store.
  fs::path volumeDir(const std::string& id) const;

  // Every process carrying this test's mark: the agent, its helpers, tasks.
  std::vector<pid_t> processesMarked() const { return processesWith(mark_); }
  // Every process whose environment holds `entry` ("NAME=value").
  static std::vector<pid_t> processesWith(const std::string& entry);
  std::vector<fs::path> mountsUnderDir() const;

  static bool eventually(const std::function<bool()>& done,
                         std::chrono::milliseconds timeout = 20s);
  static std::string readFile(const fs::path& path);
  // The file's content once it exists and is not empty ("" on timeout).
  static std::string awaitFile(const fs::path& path, std::chrono::milliseconds timeout = 20s);

  static constexpr const char* kResources = "cpus:4;mem:4096;disk:1024;ports:[31000-32000]";
  static constexpr const char* kRole = "eng";

  fs::path dir_;
  std::string mark_;  // NAME=value, in the agent's and every task's environment
  std::unique_ptr<ScriptedMaster> master_;
  std::unique_ptr<AgentProcess> agent_;
  int agent_starts_ = 0;
};

}  // namespace svh::agent::test
