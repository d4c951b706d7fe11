// What every allocator shares: the resources held on agents, what is
// available, minimum allocatable checks, capability stripping, role scope,
// and the --allocator factory.

#include "fakes/master/allocator.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace svh::master {

namespace {
using Capability = mesos::v1::FrameworkInfo::Capability;
}  // namespace

std::vector<Held> heldResources(const ClusterView& view) {
  std::vector<Held> held;
  for (const auto& [id, offer] : view.offers) {
    held.push_back({offer.framework_id, offer.role, offer.agent_id, offer.resources});
  }
  for (const auto& [agent_id, agent] : view.agents) {
    for (const auto& [framework_id, tasks] : agent.tasks) {
      for (const auto& [task_id, task] : tasks) {
        if (task.holdsResources() && !task.resources.empty()) {
          held.push_back({framework_id, task.role, agent_id, task.resources});
        }
      }
    }
    for (const auto& [framework_id, executors] : agent.executors) {
      for (const auto& [executor_id, executor] : executors) {
        if (!executor.resources.empty()) {
          held.push_back({framework_id, executor.role, agent_id, executor.resources});
        }
      }
    }
  }
  return held;
}

Resources offeredOn(const ClusterView& view, const AgentRecord& agent) {
  Resources offered;
  for (const auto& offer_id : agent.offers) {
    auto it = view.offers.find(offer_id);
    if (it != view.offers.end()) offered += it->second.resources.unallocate();
  }
  return offered;
}

Resources usedOn(const ClusterView& view, const AgentRecord& agent) {
  Resources used;
  for (const auto& [framework_id, tasks] : agent.tasks) {
    for (const auto& [task_id, task] : tasks) {
      if (!task.holdsResources()) continue;
      if (view.faults.has(fakes::Fault::kOfferNonSharedInUse)) {
        used += task.resources.unallocate().filter(
            [](const fakes::Resource& r) { return !fakes::isPersistentVolume(r); });
        continue;
      }
      used += task.resources.unallocate();
    }
  }
  for (const auto& [framework_id, executors] : agent.executors) {
    for (const auto& [executor_id, executor] : executors) used += executor.resources.unallocate();
  }
  return used;
}

Resources offeredOrUsed(const ClusterView& view, const AgentRecord& agent) {
  return offeredOn(view, agent) + usedOn(view, agent);
}

Resources available(const ClusterView& view, const AgentRecord& agent) {
  Resources shared = agent.total.shared();
  if (view.faults.has(fakes::Fault::kWithholdSharedInUse)) shared -= usedOn(view, agent).shared();
  if (view.faults.has(fakes::Fault::kWithholdSharedWhileOffered)) {
    shared -= offeredOn(view, agent).shared();
  }
  return (agent.total.nonShared() - offeredOrUsed(view, agent).nonShared()) + shared;
}

Resources volumesUsedByOthers(const AgentRecord& agent, const std::string& framework_id) {
  Resources volumes;
  for (const auto& [user, tasks] : agent.tasks) {
    if (user == framework_id) continue;
    for (const auto& [task_id, task] : tasks) {
      if (!task.holdsResources()) continue;
      volumes += task.resources.unallocate().nonShared().filter(
          [](const fakes::Resource& r) { return fakes::isPersistentVolume(r); });
    }
  }
  return volumes;
}

Resources availableToOperator(const ClusterView& view, const AgentRecord& agent) {
  if (view.profile.operator_sees_shared_as_available ||
      view.faults.has(fakes::Fault::kV11OperatorSeesSharedAsAvailable)) {
    return available(view, agent);
  }
  return agent.total - offeredOrUsed(view, agent);
}

Resources allocatableTo(const Resources& resources, const std::string& role,
                        const Profile& profile, const fakes::Faults& faults) {
  if (faults.has(fakes::Fault::kRoleScopeByPrefix)) {
    return resources.filter([&](const fakes::Resource& r) {
      return !fakes::isReserved(r) || role.rfind(fakes::reservationRole(r), 0) == 0;
    });
  }
  if (profile.hierarchical_roles) return resources.allocatableTo(role);
  return resources.filter([&](const fakes::Resource& r) {
    return !fakes::isReserved(r) || fakes::reservationRole(r) == role;
  });
}

Resources stripIncapable(const FrameworkRecord& framework, const Resources& resources,
                         const fakes::Faults& faults) {
  bool shared = framework.hasCapability(Capability::SHARED_RESOURCES) ||
                faults.has(fakes::Fault::kOfferSharedToIncapable);
  bool revocable = framework.hasCapability(Capability::REVOCABLE_RESOURCES);
  bool refinement = framework.hasCapability(Capability::RESERVATION_REFINEMENT);
  return resources.filter([&](const fakes::Resource& r) {
    if (r.has_shared() && !shared) return false;
    if (r.has_revocable() && !revocable) return false;
    if (r.reservations_size() > 1 && !refinement) return false;
    return true;
  });
}

bool allocatable(const Resources& resources, const MinAllocatable& minimum) {
  if (resources.empty()) return false;
  if (minimum.empty()) return true;
  for (const auto& alternative : minimum) {
    if (resources.containsQuantities(alternative)) return true;
  }
  return false;
}

bool allocatable(const Resources& resources, const std::string& role,
                 const FrameworkRecord& framework, const MinAllocatable& global) {
  auto filters = framework.info.offer_filters().find(role);
  if (filters != framework.info.offer_filters().end() &&
      filters->second.has_min_allocatable_resources()) {
    MinAllocatable own;
    for (const auto& quantities : filters->second.min_allocatable_resources().quantities()) {
      std::vector<std::pair<std::string, double>> alternative;
      for (const auto& [name, scalar] : quantities.quantities()) {
        alternative.emplace_back(name, scalar.value());
      }
      std::sort(alternative.begin(), alternative.end());
      own.push_back(std::move(alternative));
    }
    return allocatable(resources, own);
  }
  return allocatable(resources, global);
}

std::optional<MinAllocatable> parseMinAllocatable(const std::string& text, std::string* error) {
  MinAllocatable result;
  std::stringstream alternatives(text);
  std::string alternative;
  while (std::getline(alternatives, alternative, '|')) {
    std::vector<std::pair<std::string, double>> quantities;
    std::stringstream parts(alternative);
    std::string part;
    while (std::getline(parts, part, ';')) {
      auto colon = part.find(':');
      char* end = nullptr;
      double value = colon == std::string::npos ? -1 : std::strtod(part.c_str() + colon + 1, &end);
      if (colon == std::string::npos || colon == 0 || end == part.c_str() + colon + 1 ||
          *end != '\0' || !(value >= 0) || !std::isfinite(value)) {
        if (error) *error = "invalid --min_allocatable_resources entry '" + part + "'";
        return std::nullopt;
      }
      quantities.emplace_back(part.substr(0, colon), value);
    }
    if (quantities.empty()) {
      if (error) *error = "empty alternative in --min_allocatable_resources '" + text + "'";
      return std::nullopt;
    }
    result.push_back(std::move(quantities));
  }
  return result;
}

std::unique_ptr<Allocator> makeAllocator(const std::string& name, std::string* error) {
  // --allocator: each implementation registers here, nowhere else.
  if (name == "hierarchical" || name == "HierarchicalDRF") return makeHierarchicalAllocator();
  if (error) *error = "unknown allocator '" + name + "' (available: hierarchical)";
  return nullptr;
}

}  // namespace svh::master
