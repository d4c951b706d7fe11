#pragma once
// A master played by the test, for driving a real svh-agent: a libprocess
// peer (tests/support/libprocess_peer.hpp) that registers the agent, sends it whatever a test wants
// (RunTaskMessage, KillTaskMessage, CheckpointResourcesMessage, ...) and keeps every message the
// agent sends, in order, for the test to wait on. Status updates are acknowledged as a Mesos master
// acknowledges them for a scheduler, unless the test's ack policy says to drop the acknowledgement.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "mesos/internal/messages.pb.h"
#include "tests/support/libprocess_peer.hpp"

namespace svh::agent::test {

class ScriptedMaster : public svh::test::LibprocessPeer {
 public:
  ScriptedMaster();
  ~ScriptedMaster() override;

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
  using LibprocessPeer::send;

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
  void onMessage(const http::Message& message) override;

  mutable std::mutex mutex_;
  wire::Upid agent_;  // guarded by mutex_, as everything below
  std::string agent_id_;
  std::vector<mesos::internal::ReconcileTasksMessage> reconciliations_;
  std::function<bool(const mesos::internal::StatusUpdate&)> ack_policy_;
  std::vector<mesos::internal::StatusUpdate> all_updates_;
};

}  // namespace svh::agent::test
