// What the master shows of itself: /master/state and /master/slaves (v0 JSON,
// `slave_id` names), the v1 GET_STATE family, /metrics/snapshot and
// /master/flags, in the shapes recorded from Mesos 1.12 (H-STATE-1,
// SV-ALLOC-5).

#include <nlohmann/json.hpp>

#include "fakes/common/resource_format.hpp"
#include "fakes/master/master.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::master {

using nlohmann::ordered_json;
namespace v1master = mesos::v1::master;

namespace {

// Mesos's summary of resources: {"disk":..,"mem":..,"gpus":..,"cpus":..,"ports":".."},
// each distinct shared volume once.
ordered_json summary(const Resources& resources) {
  ordered_json out;
  out["disk"] = resources.scalar("disk");
  out["mem"] = resources.scalar("mem");
  out["gpus"] = resources.scalar("gpus");
  out["cpus"] = resources.scalar("cpus");
  std::string ports;
  for (const auto& entry : resources.entries()) {
    if (entry.resource.name() != "ports") continue;
    for (const auto& range : entry.resource.ranges().range()) {
      ports += (ports.empty() ? "" : ", ") + std::to_string(range.begin()) + "-" +
               std::to_string(range.end());
    }
  }
  if (!ports.empty()) out["ports"] = "[" + ports + "]";
  return out;
}

ordered_json capabilityNames(const std::vector<int>& types) {
  ordered_json out = ordered_json::array();
  for (int type : types) {
    out.push_back(mesos::v1::AgentInfo::Capability::Type_Name(
        static_cast<mesos::v1::AgentInfo::Capability::Type>(type)));
  }
  return out;
}

ordered_json taskJson(const mesos::v1::Task& task, const std::string& role) {
  ordered_json out;
  out["id"] = task.task_id().value();
  out["name"] = task.name();
  out["framework_id"] = task.framework_id().value();
  out["executor_id"] = task.executor_id().value();
  out["slave_id"] = task.agent_id().value();
  out["state"] = mesos::v1::TaskState_Name(task.state());
  out["resources"] = summary(Resources(task.resources()));
  out["role"] = role;
  ordered_json statuses = ordered_json::array();
  for (const auto& status : task.statuses()) {
    ordered_json entry;
    entry["state"] = mesos::v1::TaskState_Name(status.state());
    entry["timestamp"] = status.timestamp();
    statuses.push_back(entry);
  }
  out["statuses"] = statuses;
  return out;
}

std::string taskRole(const mesos::v1::Task& task) {
  for (const auto& resource : task.resources()) {
    if (resource.has_allocation_info()) return resource.allocation_info().role();
  }
  return "*";
}

// Resources in the "endpoint" format of GET_AGENTS and the *_full fields.
ordered_json endpointResources(const Resources& resources) {
  ordered_json out = ordered_json::array();
  for (auto resource : resources.toVector()) {
    fakes::toEndpointFormat(&resource);
    out.push_back(wire::toJson(wire::evolve<mesos::Resource>(resource)));
  }
  return out;
}

}  // namespace

std::string Master::stateJson() const {
  ordered_json state;
  state["version"] = "1.12.0";
  state["start_time"] = start_time_;
  state["elected_time"] = start_time_;
  state["id"] = id_;
  state["pid"] = process_.self().str();
  state["hostname"] = flags_.hostname;
  state["capabilities"] = {"AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"};
  double active = 0;
  for (const auto& [id, agent] : agents_) active += agent.active ? 1 : 0;
  state["activated_slaves"] = active;
  state["deactivated_slaves"] = static_cast<double>(agents_.size()) - active;
  state["unreachable_slaves"] = 0.0;
  state["leader"] = process_.self().str();
  state["leader_info"] = {{"id", id_},
                          {"pid", process_.self().str()},
                          {"port", process_.port()},
                          {"hostname", flags_.hostname}};
  state["flags"] = ordered_json::parse(flagsJson())["flags"];

  ordered_json slaves = ordered_json::array();
  ClusterView cluster = view();
  for (const auto& [id, agent] : agents_) {
    Resources used;
    Resources offered;
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        if (task.holdsResources()) used += task.resources;
      }
    }
    for (const auto& offer_id : agent.offers) offered += offers_.at(offer_id).resources;
    ordered_json slave;
    slave["id"] = id;
    slave["hostname"] = agent.info.hostname();
    slave["port"] = agent.pid.port;
    slave["attributes"] = ordered_json::object();
    slave["pid"] = agent.pid.str();
    slave["registered_time"] = agent.registered_time;
    if (agent.reregistered_time) slave["reregistered_time"] = *agent.reregistered_time;
    slave["resources"] = summary(agent.total);
    slave["used_resources"] = summary(used);
    slave["offered_resources"] = summary(offered);
    ordered_json reserved = ordered_json::object();
    std::map<std::string, Resources> by_role;
    for (const auto& entry : agent.total.reserved().entries()) {
      by_role[fakes::reservationRole(entry.resource)].add(entry.resource, entry.count);
    }
    for (const auto& [role, resources] : by_role) reserved[role] = summary(resources);
    slave["reserved_resources"] = reserved;
    slave["unreserved_resources"] = summary(agent.total.unreserved());
    slave["active"] = agent.active;
    slave["deactivated"] = false;
    slave["version"] = agent.version;
    slave["capabilities"] = capabilityNames(agent.capability_types);
    slaves.push_back(slave);
  }
  state["slaves"] = slaves;
  state["recovered_slaves"] = ordered_json::array();

  auto framework_json = [&](const FrameworkRecord& framework) {
    Resources used;
    Resources offered;
    ordered_json tasks = ordered_json::array();
    for (const auto& [agent_id, agent] : agents_) {
      auto fw = agent.tasks.find(framework.id);
      if (fw == agent.tasks.end()) continue;
      for (const auto& [task_id, task] : fw->second) {
        if (task.holdsResources()) used += task.resources;
        tasks.push_back(taskJson(task.task, task.role));
      }
    }
    for (const auto& offer_id : framework.offers) offered += offers_.at(offer_id).resources;
    ordered_json out;
    out["id"] = framework.id;
    out["name"] = framework.info.name();
    out["used_resources"] = summary(used);
    out["offered_resources"] = summary(offered);
    ordered_json capabilities = ordered_json::array();
    for (const auto& capability : framework.info.capabilities()) {
      capabilities.push_back(mesos::v1::FrameworkInfo::Capability::Type_Name(capability.type()));
    }
    out["capabilities"] = capabilities;
    out["hostname"] = framework.info.hostname();
    out["webui_url"] = framework.info.webui_url();
    out["active"] = framework.active;
    out["connected"] = framework.connected;
    out["recovered"] = false;
    out["user"] = framework.info.user();
    out["failover_timeout"] = framework.info.failover_timeout();
    out["checkpoint"] = framework.info.checkpoint();
    out["registered_time"] = framework.registered_time;
    out["unregistered_time"] = framework.unregistered_time.value_or(0.0);
    if (framework.info.has_principal()) out["principal"] = framework.info.principal();
    out["resources"] = summary(used + offered);
    out["roles"] =
        ordered_json(std::vector<std::string>(framework.roles.begin(), framework.roles.end()));
    out["tasks"] = tasks;
    out["unreachable_tasks"] = ordered_json::array();
    ordered_json completed = ordered_json::array();
    for (const auto& task : framework.completed_tasks) {
      completed.push_back(taskJson(task, taskRole(task)));
    }
    out["completed_tasks"] = completed;
    ordered_json offers = ordered_json::array();
    for (const auto& offer_id : framework.offers) {
      const auto& offer = offers_.at(offer_id);
      offers.push_back({{"id", offer.id},
                        {"framework_id", offer.framework_id},
                        {"slave_id", offer.agent_id},
                        {"resources", summary(offer.resources)}});
    }
    out["offers"] = offers;
    out["executors"] = ordered_json::array();
    return out;
  };
  ordered_json frameworks = ordered_json::array();
  for (const auto& [id, framework] : frameworks_) frameworks.push_back(framework_json(framework));
  state["frameworks"] = frameworks;
  ordered_json completed = ordered_json::array();
  for (const auto& [id, framework] : completed_frameworks_) {
    completed.push_back(framework_json(framework));
  }
  state["completed_frameworks"] = completed;
  state["orphan_tasks"] = ordered_json::array();
  state["unregistered_frameworks"] = ordered_json::array();
  (void)cluster;
  return state.dump();
}

std::string Master::slavesJson() const {
  ordered_json slaves = ordered_json::array();
  for (const auto& [id, agent] : agents_) {
    Resources used;
    Resources offered;
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        if (task.holdsResources()) used += task.resources;
      }
    }
    for (const auto& offer_id : agent.offers) offered += offers_.at(offer_id).resources;
    ordered_json slave;
    slave["id"] = id;
    slave["hostname"] = agent.info.hostname();
    slave["port"] = agent.pid.port;
    slave["attributes"] = ordered_json::object();
    slave["pid"] = agent.pid.str();
    slave["registered_time"] = agent.registered_time;
    slave["resources"] = summary(agent.total);
    slave["used_resources"] = summary(used);
    slave["offered_resources"] = summary(offered);
    ordered_json reserved = ordered_json::object();
    ordered_json reserved_full = ordered_json::object();
    std::map<std::string, Resources> by_role;
    for (const auto& entry : agent.total.reserved().entries()) {
      by_role[fakes::reservationRole(entry.resource)].add(entry.resource, entry.count);
    }
    for (const auto& [role, resources] : by_role) {
      reserved[role] = summary(resources);
      reserved_full[role] = endpointResources(resources);
    }
    slave["reserved_resources"] = reserved;
    slave["unreserved_resources"] = summary(agent.total.unreserved());
    slave["active"] = agent.active;
    slave["deactivated"] = false;
    slave["version"] = agent.version;
    slave["capabilities"] = capabilityNames(agent.capability_types);
    slave["reserved_resources_full"] = reserved_full;
    slave["unreserved_resources_full"] = endpointResources(agent.total.unreserved());
    slave["used_resources_full"] = endpointResources(used.unallocate());
    slave["offered_resources_full"] = endpointResources(offered.unallocate());
    slaves.push_back(slave);
  }
  ordered_json out;
  out["slaves"] = slaves;
  out["recovered_slaves"] = ordered_json::array();
  return out.dump();
}

std::string Master::metricsJson() const {
  ordered_json out;
  auto add = [&](const std::string& name, double value) { out[name] = value; };
  Resources total;
  Resources used;
  double tasks_running = 0;
  for (const auto& [id, agent] : agents_) {
    total += agent.total;
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        // Allocated form: copies of a shared volume in one role merge, so
        // it counts once however many tasks use it (SV-ALLOC-5).
        if (task.holdsResources()) used += task.resources;
        if (task.task.state() == mesos::v1::TASK_RUNNING) ++tasks_running;
      }
    }
  }
  for (const char* name : {"cpus", "mem", "disk", "gpus"}) {
    double t = total.scalar(name);
    double u = used.scalar(name);
    add(std::string("master/") + name + "_total", t);
    add(std::string("master/") + name + "_used", u);
    add(std::string("master/") + name + "_percent", t > 0 ? u / t : 0.0);
  }
  double active_frameworks = 0;
  for (const auto& [id, framework] : frameworks_) active_frameworks += framework.active ? 1 : 0;
  add("master/frameworks_active", active_frameworks);
  add("master/frameworks_connected", active_frameworks);
  add("master/slaves_active", static_cast<double>(agents_.size()));
  add("master/slaves_connected", static_cast<double>(agents_.size()));
  add("master/tasks_running", tasks_running);
  add("master/outstanding_offers", static_cast<double>(offers_.size()));
  add("master/elected", 1.0);
  add("master/uptime_secs", now() - start_time_);
  for (const char* type : {"reserve", "unreserve", "create", "destroy", "grow_volume",
                           "shrink_volume", "launch", "launch_group"}) {
    std::string key = std::string("master/operations/") + type + "/error";
    auto it = metrics_.find(key);
    add(key, it == metrics_.end() ? 0.0 : it->second);
  }
  return out.dump();
}

std::string Master::flagsJson() const {
  ordered_json flags;
  flags["agent_ping_timeout"] = fakes::formatDuration(flags_.agent_ping_timeout);
  flags["allocation_interval"] = fakes::formatDuration(flags_.allocation_interval);
  flags["allocator"] = flags_.allocator;
  flags["heartbeat_interval"] = fakes::formatDuration(flags_.heartbeat_interval);
  flags["hostname"] = flags_.hostname;
  flags["ip"] = flags_.ip;
  flags["max_agent_ping_timeouts"] = std::to_string(flags_.max_agent_ping_timeouts);
  flags["min_allocatable_resources"] = flags_.min_allocatable_resources;
  if (flags_.offer_timeout) flags["offer_timeout"] = fakes::formatDuration(*flags_.offer_timeout);
  flags["port"] = std::to_string(process_.port());
  flags["profile"] = flags_.profile;
  std::string faults;
  for (const auto& fault : flags_.faults) faults += (faults.empty() ? "" : ",") + fault;
  if (!faults.empty()) flags["fault"] = faults;
  return ordered_json{{"flags", flags}}.dump();
}

v1master::Response Master::stateResponse(v1master::Call::Type type) const {
  v1master::Response response;
  v1master::Response::GetTasks get_tasks;
  v1master::Response::GetFrameworks get_frameworks;
  v1master::Response::GetAgents get_agents;

  for (const auto& [id, agent] : agents_) {
    auto* entry = get_agents.add_agents();
    *entry->mutable_agent_info() = agent.info;
    entry->set_active(agent.active);
    entry->set_deactivated(false);
    entry->set_version(agent.version);
    entry->set_pid(agent.pid.str());
    entry->mutable_registered_time()->set_nanoseconds(
        static_cast<long long>(agent.registered_time * 1e9));
    Resources used;
    Resources offered;
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        if (task.holdsResources()) used += task.resources;
        *get_tasks.add_tasks() = task.task;
      }
    }
    for (const auto& offer_id : agent.offers) offered += offers_.at(offer_id).resources;
    auto fill = [](google::protobuf::RepeatedPtrField<mesos::v1::Resource>* out,
                   const Resources& resources) {
      for (auto resource : resources.toVector()) {
        fakes::toEndpointFormat(&resource);
        *out->Add() = resource;
      }
    };
    fill(entry->mutable_total_resources(), agent.total);
    fill(entry->mutable_allocated_resources(), used);
    fill(entry->mutable_offered_resources(), offered);
    for (int capability : agent.capability_types) {
      entry->add_capabilities()->set_type(
          static_cast<mesos::v1::AgentInfo::Capability::Type>(capability));
    }
  }
  auto framework_entry = [&](const FrameworkRecord& framework,
                             v1master::Response::GetFrameworks::Framework* entry) {
    *entry->mutable_framework_info() = framework.info;
    entry->set_active(framework.active);
    entry->set_connected(framework.connected);
    entry->set_recovered(false);
    entry->mutable_registered_time()->set_nanoseconds(
        static_cast<long long>(framework.registered_time * 1e9));
    for (const auto& offer_id : framework.offers) {
      const auto& offer = offers_.at(offer_id);
      auto* proto = entry->add_offers();
      proto->mutable_id()->set_value(offer.id);
      proto->mutable_framework_id()->set_value(offer.framework_id);
      proto->mutable_agent_id()->set_value(offer.agent_id);
      proto->set_hostname(agents_.at(offer.agent_id).info.hostname());
      for (const auto& r : offer.resources.toVector()) *proto->add_resources() = r;
      for (auto r : offer.resources.toVector()) {
        fakes::toEndpointFormat(&r);
        *entry->add_offered_resources() = r;
      }
    }
  };
  for (const auto& [id, framework] : frameworks_) {
    framework_entry(framework, get_frameworks.add_frameworks());
    for (const auto& task : framework.completed_tasks) *get_tasks.add_completed_tasks() = task;
  }
  for (const auto& [id, framework] : completed_frameworks_) {
    framework_entry(framework, get_frameworks.add_completed_frameworks());
  }

  switch (type) {
    case v1master::Call::GET_AGENTS:
      response.set_type(v1master::Response::GET_AGENTS);
      *response.mutable_get_agents() = get_agents;
      break;
    case v1master::Call::GET_FRAMEWORKS:
      response.set_type(v1master::Response::GET_FRAMEWORKS);
      *response.mutable_get_frameworks() = get_frameworks;
      break;
    case v1master::Call::GET_TASKS:
      response.set_type(v1master::Response::GET_TASKS);
      *response.mutable_get_tasks() = get_tasks;
      break;
    default:
      response.set_type(v1master::Response::GET_STATE);
      *response.mutable_get_state()->mutable_get_tasks() = get_tasks;
      response.mutable_get_state()->mutable_get_executors();
      *response.mutable_get_state()->mutable_get_frameworks() = get_frameworks;
      *response.mutable_get_state()->mutable_get_agents() = get_agents;
      break;
  }
  return response;
}

}  // namespace svh::master
