#pragma once
// An agent played by the test: a libprocess peer
// (tests/support/libprocess_peer.hpp) of a running svh-master, so a test
// decides exactly what the agent reports, when it answers pings and
// which tasks it says it runs. Everything the master sends it is kept, in
// order, for the test to wait on.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "mesos/internal/messages.pb.h"
#include "tests/support/libprocess_peer.hpp"

namespace svh::master::test {

struct AgentOptions {
  std::string hostname = "localhost";
  // --resources syntax, e.g. "cpus:4;mem:4096;disk(eng):1024;disk:1024".
  std::string resources = "cpus:4;mem:4096;disk:1024;ports:[31000-32000]";
  // AgentInfo.Capability.Type values; MULTI_ROLE, HIERARCHICAL_ROLE and
  // RESERVATION_REFINEMENT unless said otherwise.
  std::vector<int> capabilities = {1, 2, 3};
  bool answer_pings = true;
};

class ScriptedAgent : public svh::test::LibprocessPeer {
 public:
  explicit ScriptedAgent(AgentOptions options = {});
  ~ScriptedAgent() override;

  // The id the master gave (empty until registered).
  std::string id() const;

  // RegisterSlaveMessage to `master`, then waits for SlaveRegisteredMessage.
  void registerWith(const wire::Upid& master, const fakes::Resources& checkpointed = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // ReregisterSlaveMessage with these tasks (v0, slave_id filled in) and
  // their frameworks, then waits for SlaveReregisteredMessage and returns it.
  mesos::internal::SlaveReregisteredMessage reregisterWith(
      const wire::Upid& master, const std::vector<mesos::Task>& tasks,
      const std::vector<mesos::FrameworkInfo>& frameworks,
      const fakes::Resources& checkpointed = {},
      const std::vector<mesos::ExecutorInfo>& executors = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // A StatusUpdateMessage as a real agent sends it (uuid, pid).
  void sendStatus(const wire::Upid& master, const std::string& framework_id,
                  const std::string& task_id, mesos::TaskState state);

  void answerPings(bool answer);
  // Stops serving: the master's link to this agent breaks.
  void shutdown() { stop(); }

 private:
  void onMessage(const http::Message& message) override;

  AgentOptions options_;
  std::atomic<bool> answer_pings_{true};
  mutable std::mutex mutex_;
  std::string id_;  // guarded by mutex_
};

}  // namespace svh::master::test
