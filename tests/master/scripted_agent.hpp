#pragma once
// An agent played by the test: it speaks the libprocess protocol to a
// running svh-master from inside the test process (its own io thread), so a
// test decides exactly what the agent reports, when it answers pings and
// which tasks it says it runs. Everything the master sends it is kept, in
// order, for the test to wait on.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/common/resources.hpp"
#include "harness/http/libprocess.hpp"
#include "mesos/internal/messages.pb.h"

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

class ScriptedAgent {
 public:
  struct Received {
    std::string name;  // e.g. "mesos.internal.RunTaskMessage"
    std::string from;  // sender UPID
    std::string body;
  };

  explicit ScriptedAgent(AgentOptions options = {});
  ~ScriptedAgent();
  ScriptedAgent(const ScriptedAgent&) = delete;
  ScriptedAgent& operator=(const ScriptedAgent&) = delete;

  const wire::Upid& self() const { return self_; }
  const std::string& id() const { return id_; }

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

  // Sends any message from this agent's id.
  void send(const wire::Upid& to, const google::protobuf::Message& message);
  // A StatusUpdateMessage as a real agent sends it (uuid, pid).
  void sendStatus(const wire::Upid& master, const std::string& framework_id,
                  const std::string& task_id, mesos::TaskState state);

  void answerPings(bool answer);
  // Stops serving: the master's link to this agent breaks.
  void shutdown();

  // The next message named `name` (the full type name) that satisfies
  // `match`, parsed as M; earlier non-matching ones stay available. Throws
  // std::runtime_error naming what arrived when the deadline passes.
  template <typename M>
  M await(const std::function<bool(const M&)>& match = nullptr,
          std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    M prototype;
    auto received = awaitRaw(
        prototype.GetTypeName(),
        [&](const std::string& body) {
          M parsed;
          return parsed.ParseFromString(body) && (!match || match(parsed));
        },
        timeout);
    M parsed;
    parsed.ParseFromString(received.body);
    return parsed;
  }
  // How many messages named `name` arrived so far (taken or not).
  std::size_t count(const std::string& name) const;

 private:
  Received awaitRaw(const std::string& name, const std::function<bool(const std::string&)>& match,
                    std::chrono::milliseconds timeout);
  void onMessage(const http::Message& message);
  void run(std::function<void()> work);  // on the io thread, waits

  AgentOptions options_;
  http::asio::io_context io_;
  std::unique_ptr<http::Process> process_;
  wire::Upid self_;
  std::string id_;
  std::thread thread_;
  std::atomic<bool> answer_pings_{true};

  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Received> pending_;
  std::vector<std::string> names_;  // every message name received, in order
};

}  // namespace svh::master::test
