#pragma once
// What the reference master knows: agents, frameworks, offers and tasks. Plain
// records owned by the Master's single thread; all resources are kept in
// post-refinement format and, for offers and tasks, allocated to a role.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/master/core/in_use.hpp"
#include "fakes/master/core/validation.hpp"
#include "harness/http/server.hpp"
#include "harness/wire/upid.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master {

using fakes::Resources;
using Clock = std::chrono::steady_clock;
using AgentCapabilities = validation::AgentCapabilities;

// A Mesos --min_allocatable_resources value or a framework's offer_filters
// for a role: alternatives ("cpus:0.01|mem:32"), each a set of quantities
// that must all be present.
using MinAllocatable = std::vector<std::vector<std::pair<std::string, double>>>;

struct TaskRecord {
  mesos::v1::Task task;  // state, statuses, resources (allocated form)
  Resources resources;   // the task's own resources, allocated
  std::string role;      // allocation role
  // A task holds its resources until its first terminal update; the record
  // stays until that update is acknowledged (Mesos updateTask/removeTask).
  bool holdsResources() const { return master::holdsResources(task.state()); }
};

// A custom executor the master launched with a task (Mesos addExecutor):
// it holds its resources until the agent reports that it exited or the
// framework goes (command tasks have none).
struct ExecutorRecord {
  mesos::v1::ExecutorInfo info;  // with framework_id
  Resources resources;           // allocated
  std::string role;
};

struct AgentRecord {
  std::string id;
  wire::Upid pid;
  mesos::v1::AgentInfo info;  // with id; resources as advertised (post-refinement)
  AgentCapabilities capabilities;
  std::vector<int> capability_types;  // raw AgentInfo.Capability.Type values, for /state
  std::string version;
  Resources total;         // info.resources with the checkpointed resources applied
  Resources checkpointed;  // dynamic reservations and persistent volumes
  bool connected = true;
  bool active = true;
  double registered_time = 0;
  std::optional<double> reregistered_time;
  std::string observer_id;  // "slave-observer(N)": pings come from, pongs go to it
  int missed_pings = 0;
  bool pong_since_last_ping = true;
  std::set<std::string> offers;  // offer ids on this agent
  // Tasks on this agent: framework id -> task id -> record.
  std::map<std::string, std::map<std::string, TaskRecord>> tasks;
  // Executors on this agent: framework id -> executor id -> record.
  std::map<std::string, std::map<std::string, ExecutorRecord>> executors;
};

struct OfferRecord {
  std::string id;
  std::string framework_id;
  std::string agent_id;
  std::string role;
  Resources resources;  // allocated to `role`
  Clock::time_point created;
};

// Resources a framework declined on an agent, not offered again until expiry
// (Mesos RefusedOfferFilter).
struct RefusalFilter {
  std::string role;
  std::string agent_id;
  Resources resources;  // unallocated
  Clock::time_point expires;
};

struct FrameworkRecord {
  std::string id;
  mesos::v1::FrameworkInfo info;  // with id
  std::set<std::string> roles;
  bool connected = false;
  bool active = false;
  std::shared_ptr<http::Stream> stream;
  std::string stream_id;
  bool protobuf_stream = false;  // events encoded as protobuf (else JSON)
  std::set<std::string> suppressed_roles;
  std::vector<RefusalFilter> filters;
  std::set<std::string> offers;
  std::vector<mesos::v1::Task> completed_tasks;    // acknowledged terminal tasks, newest last
  std::vector<mesos::v1::Task> unreachable_tasks;  // on agents that became unreachable
  double registered_time = 0;
  std::optional<double> reregistered_time;
  std::optional<double> unregistered_time;
  std::optional<Clock::time_point> disconnected_at;

  bool hasCapability(mesos::v1::FrameworkInfo::Capability::Type type) const {
    for (const auto& capability : info.capabilities()) {
      if (capability.type() == type) return true;
    }
    return false;
  }
};

}  // namespace svh::master
