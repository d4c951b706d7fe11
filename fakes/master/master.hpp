#pragma once
// The reference master (SPEC.md): one libprocess host serving the v1
// scheduler API, the operator endpoints and the agent protocol on one port,
// with all state on one thread. Its parts live in separate files:
//   master.cpp           lifecycle, allocation cycle, offers, tasks, executors
//   scheduler_api.cpp    /api/v1/scheduler: HTTP checks, calls, event streams
//   accept.cpp           ACCEPT: operations applied in order
//   agent_protocol.cpp   libprocess messages from and to agents
//   operator_api.cpp     form endpoints, /api/v1, authentication, authorization
//   quota_api.cpp        UPDATE_QUOTA, GET_QUOTA, SET_QUOTA, REMOVE_QUOTA
//   state_json.cpp       /master/state, /master/slaves, GET_*, metrics

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "fakes/common/duration.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "fakes/master/allocator.hpp"
#include "fakes/master/core/accept_plan.hpp"
#include "fakes/master/auth.hpp"
#include "fakes/master/core/authorization.hpp"
#include "fakes/master/core/profile.hpp"
#include "fakes/master/quota.hpp"
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
  fakes::Duration agent_reregister_timeout = std::chrono::minutes(10);
  std::string profile = "mesos-1.12";
  std::string allocator = "hierarchical";
  fakes::Faults faults;  // seeded faults (fakes/common/seeded_faults.hpp)
  // HTTP basic authentication (Mesos --credentials and
  // --authenticate_http_*): off unless switched on.
  Credentials credentials;
  bool authenticate_http_readwrite = false;
  bool authenticate_http_readonly = false;
  bool authenticate_http_frameworks = false;
  // Mesos --acls: without it every operation is authorized (Mesos has no
  // authorizer then either).
  std::optional<authorization::Acls> acls;
  std::size_t max_completed_tasks_per_framework = 1000;
};

// A v1 API call that passed the shared preamble (api_request.cpp).
template <typename Call>
struct ApiRequest {
  Call call;
  std::optional<std::string> principal;  // when HTTP authentication is on
  bool json = false;                      // the body was JSON (else protobuf)
};

class Master {
 public:
  Master(asio::io_context& io, MasterFlags flags, std::unique_ptr<Allocator> allocator);
  ~Master();

  std::uint16_t port() const { return process_.port(); }
  const std::string& id() const { return id_; }
  void stop();

 private:
  // The preamble of the v1 scheduler and operator APIs (api_request.cpp):
  // authentication in `realm`, POST, Content-Type, the body decoded. On any
  // failure it answers the request itself and returns nullopt.
  template <typename Call>
  std::optional<ApiRequest<Call>> decodeApiRequest(const std::shared_ptr<http::Exchange>& exchange,
                                                   const char* realm, bool authenticate_http);

  // ---- scheduler API (scheduler_api.cpp)
  void handleHttp(std::shared_ptr<http::Exchange> exchange);
  void schedulerApi(std::shared_ptr<http::Exchange> exchange);
  void subscribe(std::shared_ptr<http::Exchange> exchange, mesos::v1::scheduler::Call call,
                 bool protobuf, const std::optional<std::string>& principal);
  // UPDATE_FRAMEWORK: the answer's status and body.
  std::pair<http::bhttp::status, std::string> updateFramework(
      FrameworkRecord& framework, mesos::v1::scheduler::Call::UpdateFramework update);
  void applyFrameworkInfo(FrameworkRecord& framework, const mesos::v1::FrameworkInfo& info,
                          const std::set<std::string>& suppressed_roles);
  void sendFrameworkUpdates(const FrameworkRecord& framework);
  void teardown(FrameworkRecord& framework);
  void decline(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Decline& decline);
  void revive(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Revive& revive);
  void suppress(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Suppress& suppress);
  void kill(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Kill& kill);
  void shutdown(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Shutdown& shutdown);
  void message(FrameworkRecord& framework, const mesos::v1::scheduler::Call::Message& message);
  void acknowledge(FrameworkRecord& framework,
                   const mesos::v1::scheduler::Call::Acknowledge& acknowledge);
  void acknowledgeOperationStatus(
      FrameworkRecord& framework,
      const mesos::v1::scheduler::Call::AcknowledgeOperationStatus& acknowledge);
  void reconcile(FrameworkRecord& framework,
                 const mesos::v1::scheduler::Call::Reconcile& reconcile);
  void reconcileOperations(FrameworkRecord& framework,
                           const mesos::v1::scheduler::Call::ReconcileOperations& reconcile);
  void sendEvent(FrameworkRecord& framework, const mesos::v1::scheduler::Event& event);
  void sendError(FrameworkRecord& framework, const std::string& message);
  void heartbeat(const std::string& framework_id, const std::string& stream_id);
  void disconnectFramework(const std::string& framework_id, const std::string& stream_id);

  // ---- ACCEPT (accept.cpp)
  void accept(FrameworkRecord& framework, mesos::v1::scheduler::Call::Accept accept);
  void drop(FrameworkRecord& framework, const mesos::v1::Offer::Operation& operation,
            const std::string& message);
  void launchTask(FrameworkRecord& framework, AgentRecord& agent, const mesos::v1::TaskInfo& task,
                  const std::string& role, bool launch_executor);
  // Applies a validated RESERVE/UNRESERVE/CREATE/DESTROY/GROW/SHRINK to the
  // agent's total and checkpointed resources and tells the agent.
  void applyToAgent(AgentRecord& agent, const mesos::v1::Offer::Operation& operation);
  // The effects of an ACCEPT's plan (core/accept_plan.hpp), one each.
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Drop& drop);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::TaskUpdate& update);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Ignore& ignore);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Rescind& rescind);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Apply& apply);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Launch& launch);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::LaunchGroup& launch);
  void carryOut(FrameworkRecord& framework, AgentRecord& agent, const std::string& role,
                const effect::Decline& decline);

  // ---- offers and allocation (master.cpp)
  void scheduleAllocation();
  void allocate();
  void allocateSoon();
  void makeOffers(const std::vector<Allocation>& allocations);
  void removeOffer(const std::string& offer_id);
  void rescindOffer(const std::string& offer_id);
  void addFilter(FrameworkRecord& framework, const std::string& role, const std::string& agent_id,
                 const Resources& resources, double refuse_seconds);
  ClusterView view() const;

  // ---- tasks and executors (master.cpp)
  TaskRecord& addTask(FrameworkRecord& framework, AgentRecord& agent,
                      const mesos::v1::TaskInfo& task, const std::string& role);
  TaskRecord* findTask(const std::string& framework_id, const std::string& task_id,
                       AgentRecord** agent = nullptr);
  void removeTask(AgentRecord& agent, const std::string& framework_id, const std::string& task_id);
  void completeTask(FrameworkRecord* framework, const mesos::v1::Task& task);
  void addExecutor(FrameworkRecord& framework, AgentRecord& agent,
                   const mesos::v1::ExecutorInfo& executor, const std::string& role);
  void removeExecutor(AgentRecord& agent, const std::string& framework_id,
                      const std::string& executor_id);
  // A status made by the master (TASK_ERROR, TASK_LOST, reconciliation): no uuid.
  void sendMasterUpdate(FrameworkRecord& framework, const mesos::v1::TaskStatus& status);
  mesos::v1::TaskStatus masterStatus(const std::string& task_id, const std::string& agent_id,
                                     mesos::v1::TaskState state,
                                     mesos::v1::TaskStatus::Reason reason,
                                     const std::string& message) const;
  // Every task and executor on the agent with what it holds.
  std::vector<ResourceUse> resourceUses(const AgentRecord& agent) const;
  // What tasks and executors on the agent use, per framework (allocated).
  std::map<std::string, Resources> usedResourcesByFramework(const AgentRecord& agent) const;
  Resources usedResources(const AgentRecord& agent) const;
  Resources offeredResources(const AgentRecord& agent) const;
  std::map<std::string, mesos::v1::ExecutorInfo> knownExecutors(
      const AgentRecord& agent, const std::string& framework_id) const;

  // ---- agent protocol (agent_protocol.cpp)
  void installAgentHandlers();
  void registerAgent(const wire::Upid& from, mesos::internal::RegisterSlaveMessage&& message);
  void reregisterAgent(const wire::Upid& from, mesos::internal::ReregisterSlaveMessage&& message);
  void unregisterAgent(const wire::Upid& from, mesos::internal::UnregisterSlaveMessage&& message);
  void statusUpdate(const wire::Upid& from, mesos::internal::StatusUpdateMessage&& message);
  void exitedExecutor(const wire::Upid& from, mesos::internal::ExitedExecutorMessage&& message);
  void executorMessage(const wire::Upid& from,
                       mesos::internal::ExecutorToFrameworkMessage&& message);
  void pong(const std::string& observer_id);
  void pingAgents();
  void agentExited(const std::string& address);
  // Health checks failed (or the agent vanished): tasks become unreachable
  // or lost, offers are rescinded, frameworks get FAILURE; the agent may
  // re-register later.
  void markUnreachable(AgentRecord& agent, const std::string& why);
  // The agent asked to leave (or was replaced): tasks are lost.
  void removeAgent(AgentRecord& agent, const std::string& why,
                   mesos::v1::TaskStatus::Reason reason);
  void sendCheckpointedResources(AgentRecord& agent);
  void updateAgentResources(AgentRecord& agent, const Resources& checkpointed);

  // ---- operator side (operator_api.cpp, quota_api.cpp, state_json.cpp)
  // The authenticated principal, or nullopt when authentication is off.
  // When it is on and the request has no valid credentials, answers 401
  // itself and sets *refused.
  std::optional<std::string> authenticate(const std::shared_ptr<http::Exchange>& exchange,
                                          const char* realm, bool enabled, bool* refused);
  // The first action-object pair of `operation` that --acls refuses to
  // `principal` (framework principal or authenticated operator), if any.
  std::optional<authorization::ActionObject> unauthorized(
      const std::optional<std::string>& principal, const mesos::v1::Offer::Operation& operation);
  void formEndpoint(std::shared_ptr<http::Exchange> exchange, const std::string& name);
  void operatorApi(std::shared_ptr<http::Exchange> exchange);
  // Validates and applies an operator's operation (Http::_operation).
  void operatorOperation(std::shared_ptr<http::Exchange> exchange, const std::string& agent_id,
                         mesos::v1::Offer::Operation operation,
                         const std::optional<std::string>& principal);
  void quotaCall(std::shared_ptr<http::Exchange> exchange, const mesos::v1::master::Call& call,
                 const std::string& body_json, bool json_request, bool protobuf_answer);
  Quantities consumedQuota(const std::string& role) const;
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
  void count(const std::string& metric, double by = 1) { metrics_[metric] += by; }
  // "master/frameworks/<url-encoded name>/<id>/<suffix>", as Mesos names
  // per-framework metrics.
  static std::string frameworkMetric(const FrameworkRecord& framework, const std::string& suffix);

  asio::io_context& io_;
  MasterFlags flags_;
  Profile profile_;
  std::unique_ptr<Allocator> allocator_;
  std::optional<authorization::Authorizer> authorizer_;
  MinAllocatable min_allocatable_;
  std::string id_;
  double start_time_ = 0;
  http::Process process_;
  asio::steady_timer allocation_timer_;
  asio::steady_timer ping_timer_;
  bool allocation_pending_ = false;

  std::map<std::string, AgentRecord> agents_;
  std::map<std::string, FrameworkRecord> frameworks_;
  std::map<std::string, FrameworkRecord> completed_frameworks_;
  std::map<std::string, OfferRecord> offers_;
  std::map<std::string, Quota> quotas_;               // by role
  std::map<std::string, double> unreachable_agents_;  // id -> when it became unreachable
  std::map<std::string, std::unique_ptr<asio::steady_timer>> timers_;  // by owner key
  std::map<std::string, double> metrics_;  // counters such as master/operations/<t>/error

  int next_framework_ = 0;
  int next_agent_ = 0;
  long next_offer_ = 0;
  int next_observer_ = 1;
  bool stopped_ = false;
};

}  // namespace svh::master
