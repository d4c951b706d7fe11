// What the master shows of itself: /master/state and /master/slaves (v0 JSON,
// `slave_id` names), the v1 GET_STATE family, /metrics/snapshot and
// /master/flags, in the shapes recorded from Mesos 1.12 (H-STATE-1,
// SV-ALLOC-5).

#include <map>
#include <nlohmann/json.hpp>
#include <set>

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
    if (status.has_labels()) entry["labels"] = wire::toJson(status.labels())["labels"];
    if (status.has_container_status()) {
      auto container = status.container_status();
      container.clear_executor_pid();
      entry["container_status"] = wire::toJson(container);
    }
    if (status.has_healthy()) entry["healthy"] = status.healthy();
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
  state["build_date"] = "";
  state["build_time"] = 0.0;
  state["build_user"] = "";
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
  state["unreachable_slaves"] = static_cast<double>(unreachable_agents_.size());
  state["leader"] = process_.self().str();
  state["leader_info"] = {{"id", id_},
                          {"pid", process_.self().str()},
                          {"port", process_.port()},
                          {"hostname", flags_.hostname}};
  state["flags"] = ordered_json::parse(flagsJson())["flags"];

  ordered_json slaves = ordered_json::array();
  for (const auto& [id, agent] : agents_) {
    Resources used = usedResources(agent);
    Resources offered = offeredResources(agent);
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
    slave["deactivated"] = !agent.active && agent.connected;
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
    ordered_json executors = ordered_json::array();
    for (const auto& [agent_id, agent] : agents_) {
      auto fw = agent.tasks.find(framework.id);
      if (fw != agent.tasks.end()) {
        for (const auto& [task_id, task] : fw->second) {
          if (task.holdsResources()) used += task.resources;
          tasks.push_back(taskJson(task.task, task.role));
        }
      }
      auto ex = agent.executors.find(framework.id);
      if (ex != agent.executors.end()) {
        for (const auto& [executor_id, executor] : ex->second) {
          used += executor.resources;
          ordered_json entry;
          entry["executor_id"] = executor_id;
          entry["name"] = executor.info.name();
          entry["framework_id"] = framework.id;
          entry["command"] = executor.info.has_command()
                                 ? ordered_json(wire::toJson(executor.info.command()))
                                 : ordered_json::object();
          entry["resources"] = summary(executor.resources);
          entry["role"] = executor.role;
          entry["slave_id"] = agent_id;
          executors.push_back(entry);
        }
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
    ordered_json unreachable = ordered_json::array();
    for (const auto& task : framework.unreachable_tasks) {
      unreachable.push_back(taskJson(task, taskRole(task)));
    }
    out["unreachable_tasks"] = unreachable;
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
    out["executors"] = executors;
    out["offer_constraints"] = ordered_json::object();
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
  return state.dump();
}

std::string Master::slavesJson() const {
  ordered_json slaves = ordered_json::array();
  for (const auto& [id, agent] : agents_) {
    Resources used = usedResources(agent);
    Resources offered = offeredResources(agent);
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
    slave["deactivated"] = !agent.active && agent.connected;
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
  // Sorted by name, as Mesos writes them.
  std::map<std::string, double> out;
  Resources total;
  Resources used;  // allocated form: copies of a shared volume merge per role
  std::map<std::string, double> task_states;
  double disk_of_every_copy = 0;  // the seeded fault disk-used-counts-every-copy
  for (const auto& [id, agent] : agents_) {
    total += agent.total;
    used += usedResources(agent);
    for (const auto& use : resourceUses(agent)) disk_of_every_copy += use.resources.scalar("disk");
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        task_states[mesos::v1::TaskState_Name(task.task.state())] += 1;
      }
    }
  }
  // SV-ALLOC-5: Master::_resources_used counts what tasks and executors
  // use; a shared volume used by several tasks of one role counts once.
  for (const char* name : {"cpus", "mem", "disk", "gpus"}) {
    double t = total.nonShared().scalar(name) + total.shared().scalar(name);
    double u = used.scalar(name);
    if (flags_.faults.has(fakes::Fault::kDiskUsedCountsEveryCopy) && name == std::string("disk")) {
      u = disk_of_every_copy;
    }
    std::string prefix = std::string("master/") + name;
    out[prefix + "_total"] = t;
    out[prefix + "_used"] = u;
    out[prefix + "_percent"] = t > 0 ? u / t : 0.0;
    out[prefix + "_revocable_total"] = total.revocable().scalar(name);
    out[prefix + "_revocable_used"] = used.revocable().scalar(name);
    out[prefix + "_revocable_percent"] = 0.0;
  }
  double active_frameworks = 0;
  double connected_frameworks = 0;
  for (const auto& [id, framework] : frameworks_) {
    active_frameworks += framework.active ? 1 : 0;
    connected_frameworks += framework.connected ? 1 : 0;
  }
  double frameworks = static_cast<double>(frameworks_.size());
  out["master/frameworks_active"] = active_frameworks;
  out["master/frameworks_inactive"] = frameworks - active_frameworks;
  out["master/frameworks_connected"] = connected_frameworks;
  out["master/frameworks_disconnected"] = frameworks - connected_frameworks;
  double active_agents = 0;
  double connected_agents = 0;
  for (const auto& [id, agent] : agents_) {
    active_agents += agent.active ? 1 : 0;
    connected_agents += agent.connected ? 1 : 0;
  }
  double agents = static_cast<double>(agents_.size());
  out["master/slaves_active"] = active_agents;
  out["master/slaves_inactive"] = agents - active_agents;
  out["master/slaves_connected"] = connected_agents;
  out["master/slaves_disconnected"] = agents - connected_agents;
  out["master/slaves_unreachable"] = static_cast<double>(unreachable_agents_.size());
  for (const char* state :
       {"TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_UNREACHABLE"}) {
    std::string name = state + 5;  // "STAGING"
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out["master/tasks_" + name] = task_states[state];
  }
  out["master/outstanding_offers"] = static_cast<double>(offers_.size());
  out["master/elected"] = 1.0;
  out["master/uptime_secs"] = now() - start_time_;
  // Operation counters, zero until something happens; they came with
  // operation feedback (1.6), so the 1.1 profile has none.
  const char* const states[] = {"total",  "pending",     "finished",         "error",     "dropped",
                                "failed", "unreachable", "gone_by_operator", "recovering"};
  if (profile_.operation_feedback) {
    for (const char* type : {"reserve", "unreserve", "create", "destroy", "grow_volume",
                             "shrink_volume", "create_disk", "destroy_disk"}) {
      for (const char* state : states) {
        out[std::string("master/operations/") + type + "/" + state] = 0.0;
      }
    }
    for (const char* state : states) out[std::string("master/operations/") + state] = 0.0;
  }
  for (const char* counter : {"master/messages_register_framework",
                              "master/messages_reregister_framework",
                              "master/messages_launch_tasks",
                              "master/messages_decline_offers",
                              "master/messages_revive_offers",
                              "master/messages_suppress_offers",
                              "master/messages_kill_task",
                              "master/messages_status_update",
                              "master/messages_status_update_acknowledgement",
                              "master/messages_reconcile_tasks",
                              "master/messages_register_slave",
                              "master/messages_reregister_slave",
                              "master/messages_unregister_slave",
                              "master/messages_exited_executor",
                              "master/messages_framework_to_executor",
                              "master/messages_executor_to_framework",
                              "master/slave_registrations",
                              "master/slave_reregistrations",
                              "master/slave_removals",
                              "master/slave_removals/reason_unhealthy",
                              "master/slave_removals/reason_unregistered",
                              "master/invalid_status_updates",
                              "master/invalid_status_update_acknowledgements"}) {
    out[counter] = 0.0;
  }
  for (const auto& [name, value] : metrics_) out[name] = value;

  // The allocator's view (allocator/mesos/...): totals, what is offered or
  // allocated, each role's dominant share and consumed quota.
  ClusterView cluster = view();
  std::map<std::string, Resources> totals;
  std::map<std::string, Resources> held_by_agent;
  std::map<std::string, std::map<std::string, Resources>> held_by_role;  // role -> agent
  for (const auto& [id, agent] : agents_) totals[id] = agent.total.unallocate();
  for (const auto& h : heldResources(cluster)) {
    held_by_agent[h.agent_id] += h.resources;
    held_by_role[h.role][h.agent_id] += h.resources;
  }
  Quantities total_quantities;
  Quantities held_quantities;
  for (const auto& [id, resources] : totals) total_quantities += Quantities::of(resources);
  for (const auto& [id, resources] : held_by_agent) {
    held_quantities += Quantities::of(resources.unallocate());
  }
  for (const char* name : {"cpus", "mem", "disk"}) {
    out[std::string("allocator/mesos/resources/") + name + "/total"] = total_quantities.get(name);
    out[std::string("allocator/mesos/resources/") + name + "/offered_or_allocated"] =
        held_quantities.get(name);
  }
  std::set<std::string> roles;
  for (const auto& [id, framework] : frameworks_)
    roles.insert(framework.roles.begin(), framework.roles.end());
  for (const auto& [role, agents] : held_by_role) roles.insert(role);
  auto wall = Clock::now();
  for (const auto& role : roles) {
    double filters = 0;
    for (const auto& [id, framework] : frameworks_) {
      for (const auto& filter : framework.filters) {
        if (filter.role == role && filter.expires > wall) ++filters;
      }
    }
    out["allocator/mesos/offer_filters/roles/" + role + "/active"] = filters;
    Quantities charge;
    for (const auto& [agent, resources] : held_by_role[role]) charge += Quantities::of(resources);
    double share = 0;
    for (const auto& [name, amount] : total_quantities.values()) {
      if (amount > 0) share = std::max(share, charge.get(name) / amount);
    }
    out["allocator/mesos/roles/" + role + "/shares/dominant"] = share;
  }
  for (const auto& [role, quota] : quotas_) {
    Quantities consumed = master::consumedQuota(role, totals, held_by_agent);
    for (const auto& [name, value] : quota.guarantees.values()) {
      out["allocator/mesos/quota/roles/" + role + "/resources/" + name + "/guarantee"] = value;
    }
    for (const auto& [name, value] : quota.limits) {
      out["allocator/mesos/quota/roles/" + role + "/resources/" + name + "/limit"] = value;
    }
    for (const auto& [name, value] : consumed.values()) {
      out["allocator/mesos/quota/roles/" + role + "/resources/" + name + "/consumed"] = value;
    }
  }

  ordered_json json = ordered_json::object();
  for (const auto& [name, value] : out) json[name] = value;
  return json.dump();
}

std::string Master::flagsJson() const {
  ordered_json flags;
  flags["agent_ping_timeout"] = fakes::formatDuration(flags_.agent_ping_timeout);
  flags["agent_reregister_timeout"] = fakes::formatDuration(flags_.agent_reregister_timeout);
  flags["allocation_interval"] = fakes::formatDuration(flags_.allocation_interval);
  flags["allocator"] = flags_.allocator;
  auto text = [](bool value) { return value ? "true" : "false"; };
  flags["authenticate_http_frameworks"] = text(flags_.authenticate_http_frameworks);
  flags["authenticate_http_readonly"] = text(flags_.authenticate_http_readonly);
  flags["authenticate_http_readwrite"] = text(flags_.authenticate_http_readwrite);
  flags["heartbeat_interval"] = fakes::formatDuration(flags_.heartbeat_interval);
  flags["hostname"] = flags_.hostname;
  flags["ip"] = flags_.ip;
  flags["max_agent_ping_timeouts"] = std::to_string(flags_.max_agent_ping_timeouts);
  flags["max_completed_tasks_per_framework"] =
      std::to_string(flags_.max_completed_tasks_per_framework);
  flags["min_allocatable_resources"] = flags_.min_allocatable_resources;
  if (flags_.offer_timeout) flags["offer_timeout"] = fakes::formatDuration(*flags_.offer_timeout);
  flags["port"] = std::to_string(process_.port());
  flags["profile"] = flags_.profile;
  if (flags_.roles) {
    std::string roles;
    for (const auto& role : *flags_.roles) roles += (roles.empty() ? "" : ",") + role;
    flags["roles"] = roles;
  }
  if (!flags_.faults.empty()) flags["fault"] = flags_.faults.str();
  return ordered_json{{"flags", flags}}.dump();
}

v1master::Response Master::stateResponse(v1master::Call::Type type) const {
  v1master::Response response;
  v1master::Response::GetTasks get_tasks;
  v1master::Response::GetExecutors get_executors;
  v1master::Response::GetFrameworks get_frameworks;
  v1master::Response::GetAgents get_agents;

  auto fill = [](google::protobuf::RepeatedPtrField<mesos::v1::Resource>* out,
                 const Resources& resources) {
    for (auto resource : resources.toVector()) {
      fakes::toEndpointFormat(&resource);
      *out->Add() = resource;
    }
  };
  auto time = [](double seconds) {
    mesos::v1::TimeInfo info;
    info.set_nanoseconds(static_cast<long long>(seconds * 1e9));
    return info;
  };

  for (const auto& [id, agent] : agents_) {
    auto* entry = get_agents.add_agents();
    *entry->mutable_agent_info() = agent.info;
    entry->set_active(agent.active);
    entry->set_deactivated(!agent.active && agent.connected);
    entry->set_version(agent.version);
    entry->set_pid(agent.pid.str());
    *entry->mutable_registered_time() = time(agent.registered_time);
    if (agent.reregistered_time)
      *entry->mutable_reregistered_time() = time(*agent.reregistered_time);
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) *get_tasks.add_tasks() = task.task;
    }
    for (const auto& [framework_id, executors] : agent.executors) {
      for (const auto& [executor_id, executor] : executors) {
        auto* item = get_executors.add_executors();
        *item->mutable_executor_info() = executor.info;
        item->mutable_agent_id()->set_value(id);
      }
    }
    fill(entry->mutable_total_resources(), agent.total);
    fill(entry->mutable_allocated_resources(), usedResources(agent));
    fill(entry->mutable_offered_resources(), offeredResources(agent));
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
    *entry->mutable_registered_time() = time(framework.registered_time);
    *entry->mutable_reregistered_time() =
        time(framework.reregistered_time.value_or(framework.registered_time));
    if (framework.unregistered_time) {
      *entry->mutable_unregistered_time() = time(*framework.unregistered_time);
    }
    for (const auto& offer_id : framework.offers) {
      auto it = offers_.find(offer_id);
      if (it == offers_.end()) continue;
      const auto& offer = it->second;
      auto* proto = entry->add_offers();
      proto->mutable_id()->set_value(offer.id);
      proto->mutable_framework_id()->set_value(offer.framework_id);
      proto->mutable_agent_id()->set_value(offer.agent_id);
      auto agent = agents_.find(offer.agent_id);
      if (agent != agents_.end()) proto->set_hostname(agent->second.info.hostname());
      for (const auto& r : offer.resources.toVector()) *proto->add_resources() = r;
      proto->mutable_allocation_info()->set_role(offer.role);
      fill(entry->mutable_offered_resources(), offer.resources);
    }
    Resources allocated;
    for (const auto& [agent_id, agent] : agents_) {
      auto used = usedResourcesByFramework(agent);
      auto it = used.find(framework.id);
      if (it != used.end()) allocated += it->second;
    }
    fill(entry->mutable_allocated_resources(), allocated);
    entry->mutable_offer_constraints();
  };
  for (const auto& [id, framework] : frameworks_) {
    framework_entry(framework, get_frameworks.add_frameworks());
    for (const auto& task : framework.unreachable_tasks) *get_tasks.add_unreachable_tasks() = task;
    for (const auto& task : framework.completed_tasks) *get_tasks.add_completed_tasks() = task;
  }
  for (const auto& [id, framework] : completed_frameworks_) {
    framework_entry(framework, get_frameworks.add_completed_frameworks());
    for (const auto& task : framework.completed_tasks) *get_tasks.add_completed_tasks() = task;
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
    case v1master::Call::GET_EXECUTORS:
      response.set_type(v1master::Response::GET_EXECUTORS);
      *response.mutable_get_executors() = get_executors;
      break;
    default:
      response.set_type(v1master::Response::GET_STATE);
      *response.mutable_get_state()->mutable_get_tasks() = get_tasks;
      *response.mutable_get_state()->mutable_get_executors() = get_executors;
      *response.mutable_get_state()->mutable_get_frameworks() = get_frameworks;
      *response.mutable_get_state()->mutable_get_agents() = get_agents;
      break;
  }
  return response;
}

}  // namespace svh::master
