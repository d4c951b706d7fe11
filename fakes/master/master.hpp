#pragma once
// The reference master (SPEC.md): one libprocess host serving the v1
// scheduler API, the operator endpoints and the agent protocol on one port,
// with all state on one thread. Its parts live in separate files:
//   master.cpp           lifecycle, allocation cycle, offers, tasks
//   scheduler_api.cpp    /api/v1/scheduler: HTTP checks, calls, event streams
//   accept.cpp           ACCEPT: operations applied in order
//   agent_protocol.cpp   libprocess messages from and to agents
//   operator_api.cpp     form endpoints, /api/v1, state and metrics
//   state_json.cpp       /master/state and /master/slaves rendering

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "fakes/common/duration.hpp"
#include "fakes/master/allocator.hpp"
#include "fakes/master/state.hpp"
#include "harness/http/libprocess.hpp"
#include "harness/util/result.hpp"
#include "mesos/internal/messages.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::master {

namespace asio = http::asio;

struct MasterFlags {
  std::string ip = "127.0.0.1";
  std::uint16_t port = 5050;
  std::string hostname;
  fakes::Duration allocation_interval = std::chrono::seconds(1);
  std::optional<fakes::Duration> offer_timeout;
  std::string min_allocatable_resources = "cpus:0.01|mem:32";
  std::optional<std::set<std::string>> roles;  // whitelist (Mesos --roles)
  fakes::Duration heartbeat_interval = std::chrono::seconds(15);
  fakes::Duration agent_ping_timeout = std::chrono::seconds(15);
  int max_agent_ping_timeouts = 5;
  std::string profile = "mesos-1.12";
  std::string allocator = "hierarchical";
  std::set<std::string> faults;
};

class Master {
 public:
  Master(asio::io_context& io, MasterFlags flags, std::unique_ptr<Allocator> allocator);
  ~Master();

  std::uint16_t port() const { return process_.port(); }
  const std::string& id() const { return id_; }
  void stop();

  // ---- scheduler API (scheduler_api.cpp)
 private:
  void handleHttp(std::shared_ptr<http::Exchange> exchange);
  void schedulerApi(std::shared_ptr<http::Exchange> exchange);
  void subscribe(std::shared_ptr<http::Exchange> exchange, mesos::v1::scheduler::Call call,
                 bool protobuf);
  void teardown(FrameworkRecord& framework);
  void decline(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Decline& decline);
  void revive(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Revive& revive);
  void suppress(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Suppress& suppress);
  void kill(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Kill& kill);
  void acknowledge(FrameworkRecord& framework,
                   const mesos::v1::scheduler::Call::Acknowledge& acknowledge);
  void reconcile(FrameworkRecord& framework,
                 const mesos::v1::scheduler::Call::Reconcile& reconcile);
  void sendEvent(FrameworkRecord& framework, const mesos::v1::scheduler::Event& event);
  void sendError(FrameworkRecord& framework, const std::string& message);
  void heartbeat(const std::string& framework_id, const std::string& stream_id);
  void disconnectFramework(const std::string& framework_id, const std::string& stream_id);

  // ---- ACCEPT (accept.cpp)
  void accept(FrameworkRecord& framework, mesos::v1::scheduler::Call::Accept accept);
  void drop(FrameworkRecord& framework, const mesos::v1::Offer::Operation& operation,
            const std::string& message);

  // ---- offers and allocation (master.cpp)
  void scheduleAllocation();
  void allocate();
  void makeOffers(const std::vector<Allocation>& allocations);
  void removeOffer(const std::string& offer_id);
  void rescindOffer(const std::string& offer_id);
  void addFilter(FrameworkRecord& framework, const std::string& agent_id,
                 const Resources& resources, double refuse_seconds);
  ClusterView view() const;

  // ---- tasks (master.cpp)
  TaskRecord& addTask(FrameworkRecord& framework, AgentRecord& agent,
                      const mesos::v1::TaskInfo& task, const Resources& resources,
                      const std::string& role);
  TaskRecord* findTask(const std::string& framework_id, const std::string& task_id,
                       AgentRecord** agent = nullptr);
  void removeTask(AgentRecord& agent, const std::string& framework_id, const std::string& task_id);
  // A status made by the master (TASK_ERROR, TASK_LOST, reconciliation): no uuid.
  void sendMasterUpdate(FrameworkRecord& framework, const mesos::v1::TaskStatus& status);
  mesos::v1::TaskStatus masterStatus(const std::string& task_id, const std::string& agent_id,
                                     mesos::v1::TaskState state,
                                     mesos::v1::TaskStatus::Reason reason,
                                     const std::string& message) const;
  Resources usedResources(const AgentRecord& agent, const std::string& framework_id) const;
  std::map<std::string, Resources> usedResourcesByFramework(const AgentRecord& agent) const;

  // ---- agent protocol (agent_protocol.cpp)
  void installAgentHandlers();
  void registerAgent(const wire::Upid& from, mesos::internal::RegisterSlaveMessage&& message);
  void reregisterAgent(const wire::Upid& from, mesos::internal::ReregisterSlaveMessage&& message);
  void unregisterAgent(const wire::Upid& from, mesos::internal::UnregisterSlaveMessage&& message);
  void statusUpdate(const wire::Upid& from, mesos::internal::StatusUpdateMessage&& message);
  void pong(const std::string& observer_id);
  void pingAgents();
  void agentExited(const std::string& address);
  void markUnreachable(AgentRecord& agent, const std::string& why);
  void sendCheckpointedResources(AgentRecord& agent);
  void updateAgentResources(AgentRecord& agent, const Resources& checkpointed);

  // ---- operator side (operator_api.cpp, state_json.cpp)
  void formEndpoint(std::shared_ptr<http::Exchange> exchange, const std::string& name);
  void operatorApi(std::shared_ptr<http::Exchange> exchange);
  // Validates and applies an operator's operation (Http::_operation).
  void operatorOperation(std::shared_ptr<http::Exchange> exchange, const std::string& agent_id,
                         mesos::v1::Offer::Operation operation);
  mesos::v1::master::Response stateResponse(mesos::v1::master::Call::Type type) const;
  std::string stateJson() const;
  std::string slavesJson() const;
  std::string metricsJson() const;
  std::string flagsJson() const;

  // ---- helpers
  FrameworkRecord* findFramework(const std::string& id);
  AgentRecord* findAgent(const std::string& id);
  std::string newOfferId() { return id_ + "-O" + std::to_string(next_offer_++); }
  double now() const;

  asio::io_context& io_;
  MasterFlags flags_;
  std::unique_ptr<Allocator> allocator_;
  MinAllocatable min_allocatable_;
  std::string id_;
  double start_time_ = 0;
  http::Process process_;
  asio::steady_timer allocation_timer_;
  asio::steady_timer ping_timer_;

  std::map<std::string, AgentRecord> agents_;
  std::map<std::string, FrameworkRecord> frameworks_;
  std::map<std::string, FrameworkRecord> completed_frameworks_;
  std::map<std::string, OfferRecord> offers_;
  std::map<std::string, std::unique_ptr<asio::steady_timer>> timers_;  // by owner key
  std::map<std::string, double> metrics_;  // counters such as master/operations/<t>/error

  int next_framework_ = 0;
  int next_agent_ = 0;
  long next_offer_ = 0;
  int next_observer_ = 1;
  bool stopped_ = false;
};

}  // namespace svh::master
