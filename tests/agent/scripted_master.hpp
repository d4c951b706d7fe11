#pragma once
// A master played by the test, for driving a real svh-agent: it speaks the
// libprocess protocol from inside the test process (its own io thread),
// registers the agent, sends it whatever a test wants (RunTaskMessage,
// KillTaskMessage, CheckpointResourcesMessage, ...) and keeps every message
// the agent sends, in order, for the test to wait on. Status updates are
// acknowledged as a Mesos master acknowledges them for a scheduler, unless
// the test's ack policy says to drop the acknowledgement.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/http/libprocess.hpp"
#include "mesos/internal/messages.pb.h"

namespace svh::agent::test {

class ScriptedMaster {
 public:
  struct Received {
    std::string name;  // e.g. "mesos.internal.StatusUpdateMessage"
    std::string from;  // sender UPID
    std::string body;
  };

  ScriptedMaster();
  ~ScriptedMaster();
  ScriptedMaster(const ScriptedMaster&) = delete;
  ScriptedMaster& operator=(const ScriptedMaster&) = delete;

  // host:port, for svh-agent's --master.
  std::string address() const;
  // The id given to the agent (empty until it registered).
  std::string agentId() const;

  // Whether to acknowledge an update the agent sent (default: always).
  void setAckPolicy(std::function<bool(const mesos::internal::StatusUpdate&)> policy);
  // Reconciliations to put in the next SlaveReregisteredMessage.
  void setReconciliations(std::vector<mesos::internal::ReconcileTasksMessage> reconciliations);
  // Acknowledges one update now (to the agent as last registered).
  void acknowledge(const mesos::internal::StatusUpdate& update);

  // Sends a message to the agent as last (re)registered. Throws if none has.
  void send(const google::protobuf::Message& message);

  // The next message named like M that satisfies `match`; earlier
  // non-matching ones stay available. Throws std::runtime_error naming what
  // arrived when the deadline passes.
  template <typename M>
  M await(const std::function<bool(const M&)>& match = nullptr,
          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
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

  // The next status update of `task_id` (in arrival order; retries count).
  mesos::internal::StatusUpdate awaitUpdate(
      const std::string& task_id, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // The next update of `task_id` in `state`; earlier ones of other states
  // are skipped.
  mesos::internal::StatusUpdate awaitState(
      const std::string& task_id, mesos::TaskState state,
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Every status update received so far for `task_id`, in order (taken or not).
  std::vector<mesos::internal::StatusUpdate> updates(const std::string& task_id) const;

 private:
  Received awaitRaw(const std::string& name, const std::function<bool(const std::string&)>& match,
                    std::chrono::milliseconds timeout);
  void onMessage(const http::Message& message);
  void run(std::function<void()> work);  // on the io thread, waits

  http::asio::io_context io_;
  std::unique_ptr<http::Process> process_;
  std::thread thread_;

  mutable std::mutex mutex_;
  wire::Upid agent_;  // guarded by mutex_, as everything below
  std::string agent_id_;
  std::vector<mesos::internal::ReconcileTasksMessage> reconciliations_;
  std::condition_variable arrived_;
  std::function<bool(const mesos::internal::StatusUpdate&)> ack_policy_;  // guarded by mutex_
  std::deque<Received> pending_;
  std::vector<mesos::internal::StatusUpdate> all_updates_;
};

}  // namespace svh::agent::test
