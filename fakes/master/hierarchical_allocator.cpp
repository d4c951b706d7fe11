// The default allocator: Mesos's hierarchical DRF allocator (SPEC.md
// section 3; HierarchicalAllocatorProcess::__generateOffers), recomputed
// from the master's state each cycle:
//   * roles are visited in DRF order (DrfSorter, hierarchical), the
//     frameworks of a role likewise; suppressed frameworks are skipped;
//   * stage 1 serves roles whose quota guarantees are not yet met, stage 2
//     everyone, both within quota limits and without eating the headroom
//     that unmet guarantees need (SV-ALLOC-3);
//   * a framework gets what is available on the agent and allocatable to
//     its role (SV-OFFER-4), minus what it cannot receive (SV-CAP-1), if
//     that passes its minimum (offer_filters, else
//     --min_allocatable_resources) and no refusal filter covers it;
//   * shared volumes are always available (SV-OFFER-1/2); the mesos-1.1
//     profile hands each out once per agent per cycle (SV-OFFER-3);
//   * DRF charges a holder of a shared volume once per agent (SV-ALLOC-1/2).

#include <algorithm>
#include <tuple>

#include "fakes/master/allocator.hpp"
#include "fakes/master/drf_sorter.hpp"

namespace svh::master {

namespace {

using Capability = mesos::v1::FrameworkInfo::Capability;

bool scalarUnreservedNonRevocable(const fakes::Resource& r) {
  return r.type() == mesos::v1::Value::SCALAR && !fakes::isReserved(r) && !r.has_revocable();
}

// Mesos isFiltered: agent capabilities the framework or role needs, then
// the framework's refusal filters for this role and agent.
bool isFiltered(const FrameworkRecord& framework, const std::string& role, const AgentRecord& agent,
                const Resources& resources, Clock::time_point now) {
  if (framework.hasCapability(Capability::MULTI_ROLE) && !agent.capabilities.multi_role) {
    return true;
  }
  if (!agent.capabilities.hierarchical_role && role.find('/') != std::string::npos) return true;
  Resources unallocated = resources.unallocate();
  for (const auto& filter : framework.filters) {
    if (filter.role == role && filter.agent_id == agent.id && filter.expires > now &&
        filter.resources.contains(unallocated)) {
      return true;
    }
  }
  return false;
}

// Mesos isCapableOfReceivingAgent: GPU agents only for GPU_RESOURCES
// frameworks (--filter_gpu_resources defaults to true).
bool capableOfAgent(const FrameworkRecord& framework, const AgentRecord& agent) {
  if (framework.hasCapability(Capability::GPU_RESOURCES)) return true;
  return agent.total.scalar("gpus") <= 0;
}

bool frameworkActiveIn(const FrameworkRecord& framework, const std::string& role) {
  return framework.active && framework.connected && !framework.suppressed_roles.count(role);
}

class HierarchicalAllocator : public Allocator {
 public:
  std::string name() const override { return "hierarchical"; }

  std::vector<Allocation> allocate(const ClusterView& view) override {
    const Profile& profile = view.profile;
    std::vector<Held> held = heldResources(view);

    // The sorters, as Mesos keeps them: one for roles, one per role for
    // its frameworks, all charged with what is offered or allocated.
    DrfSorter role_sorter;
    std::map<std::string, DrfSorter> framework_sorters;
    std::map<std::string, Resources> agent_totals;
    for (const auto& [id, agent] : view.agents) {
      agent_totals[id] = agent.total.unallocate();
      role_sorter.addSlave(id, agent.total);
    }
    auto frameworkSorter = [&](const std::string& role) -> DrfSorter& {
      auto [it, inserted] = framework_sorters.try_emplace(role);
      if (inserted) {
        for (const auto& [id, total] : agent_totals) it->second.addSlave(id, total);
      }
      return it->second;
    };
    for (const auto& [id, framework] : view.frameworks) {
      for (const auto& role : framework.roles) {
        role_sorter.add(role);
        role_sorter.activate(role);
        DrfSorter& sorter = frameworkSorter(role);
        sorter.add(id);
        if (frameworkActiveIn(framework, role)) sorter.activate(id);
      }
    }
    std::map<std::string, Resources> held_by_agent;
    for (const auto& h : held) {
      role_sorter.add(h.role);
      role_sorter.allocated(h.role, h.agent_id, h.resources);
      DrfSorter& sorter = frameworkSorter(h.role);
      sorter.add(h.framework_id);
      sorter.allocated(h.framework_id, h.agent_id, h.resources);
      held_by_agent[h.agent_id] += h.resources;
    }

    // Quota: consumption of the roles that have one, the headroom their
    // unmet guarantees need, and the headroom there is.
    std::map<std::string, Quantities> consumed;
    Quantities required_headroom;
    for (const auto& [role, quota] : view.quotas) {
      if (quota.isDefault()) continue;
      consumed[role] = consumedQuota(role, agent_totals, held_by_agent);
      required_headroom += quota.guarantees - consumed[role];
    }
    Quantities available_headroom = role_sorter.totalQuantities();
    Quantities allocated_reserved;
    Quantities total_reserved;
    for (const auto& [id, total] : agent_totals) {
      total_reserved += Quantities::of(total.reserved());
      auto it = held_by_agent.find(id);
      if (it != held_by_agent.end()) {
        allocated_reserved += Quantities::of(it->second.unallocate().reserved());
        available_headroom -= Quantities::of(it->second.unallocate());
      }
    }
    available_headroom -= total_reserved - allocated_reserved;

    std::map<std::string, Resources> free;  // per agent, unallocated
    for (const auto& [id, agent] : view.agents) {
      free[id] = available(view, agent);
      available_headroom -= Quantities::of(free[id].revocable());
    }
    std::map<std::string, Resources> offered_shared;  // this cycle, per agent

    std::map<std::tuple<std::string, std::string, std::string>, Resources> offerable;
    auto offerTo = [&](const FrameworkRecord& framework, const std::string& role,
                       const AgentRecord& agent, const Resources& to_offer) {
      offerable[{framework.id, role, agent.id}] += to_offer;
      if (profile.shared_once_per_cycle) offered_shared[agent.id] += to_offer.shared();
      free[agent.id] -= to_offer.nonShared();
      Resources allocated = to_offer.allocate(role);
      role_sorter.allocated(role, agent.id, allocated);
      frameworkSorter(role).allocated(framework.id, agent.id, allocated);
    };
    auto candidates = [&](const AgentRecord& agent, const std::string& role,
                          const FrameworkRecord& framework) {
      Resources resources =
          allocatableTo(free[agent.id], role, profile, view.faults) - offered_shared[agent.id];
      if (view.faults.has(fakes::Fault::kWithholdNonSharedFromUserOnly)) {
        resources += allocatableTo(volumesUsedByOthers(agent, framework.id), role, profile);
      }
      return resources;
    };

    std::vector<const AgentRecord*> agents;
    for (const auto& [id, agent] : view.agents) {
      if (agent.active && agent.connected) agents.push_back(&agent);
    }

    // Stage 1: roles below their quota guarantees.
    for (const AgentRecord* agent : agents) {
      for (const auto& role : role_sorter.sort()) {
        auto quota = view.quotas.find(role);
        if (quota == view.quotas.end() || quota->second.guarantees.empty()) continue;
        if (free[agent->id].empty()) break;
        Quantities unsatisfied = quota->second.guarantees - consumed[role];
        if (unsatisfied.empty()) continue;
        for (const auto& framework_id : frameworkSorter(role).sort()) {
          if (unsatisfied.empty()) break;
          const FrameworkRecord& framework = view.frameworks.at(framework_id);
          Resources available = candidates(*agent, role, framework);
          if (available.empty()) break;
          if (!allocatable(available, role, framework, view.min_allocatable)) continue;
          if (!capableOfAgent(framework, *agent)) continue;
          available = stripIncapable(framework, available, view.faults);

          Resources quota_resources = available.filter(scalarUnreservedNonRevocable);
          Resources guarantees = shrinkToQuantities(quota_resources, unsatisfied);
          if (guarantees.empty()) continue;
          Resources to_offer = guarantees + available.filter([&](const fakes::Resource& r) {
            return (fakes::isReserved(r) && fakes::reservationRole(r) == role) ||
                   r.type() != mesos::v1::Value::SCALAR || r.has_revocable();
          });
          Resources additional = quota_resources - guarantees;
          if (!quota->second.limits.empty()) {
            additional = shrinkToLimits(
                additional,
                remainingLimits(quota->second.limits, consumed[role] + Quantities::of(guarantees)));
          }
          if (!required_headroom.empty() && !additional.empty()) {
            additional = shrinkToQuantities(additional, available_headroom - required_headroom);
          }
          to_offer += additional;
          if (!allocatable(to_offer, role, framework, view.min_allocatable) ||
              isFiltered(framework, role, *agent, to_offer, view.now)) {
            continue;
          }
          offerTo(framework, role, *agent, to_offer);
          Quantities increase = Quantities::of(guarantees + additional);
          unsatisfied -= increase;
          consumed[role] += increase;
          required_headroom -= Quantities::of(guarantees);
          available_headroom -= increase;
        }
      }
    }

    // Stage 2: everyone, reservations always, unreserved scalars within
    // limits and headroom.
    for (const AgentRecord* agent : agents) {
      for (const auto& role : role_sorter.sort()) {
        if (free[agent->id].empty()) break;
        auto quota = view.quotas.find(role);
        const std::map<std::string, double> no_limits;
        const auto& limits = quota == view.quotas.end() ? no_limits : quota->second.limits;
        for (const auto& framework_id : frameworkSorter(role).sort()) {
          const FrameworkRecord& framework = view.frameworks.at(framework_id);
          Resources available = candidates(*agent, role, framework);
          if (available.empty()) break;
          if (!allocatable(available, role, framework, view.min_allocatable)) continue;
          if (!capableOfAgent(framework, *agent)) continue;
          available = stripIncapable(framework, available, view.faults);

          Resources to_offer = available.filter([](const fakes::Resource& r) {
            return fakes::isReserved(r) || r.type() != mesos::v1::Value::SCALAR ||
                   r.has_revocable();
          });
          Resources additional = available.filter(scalarUnreservedNonRevocable);
          if (!limits.empty()) {
            additional = shrinkToLimits(additional, remainingLimits(limits, consumed[role]));
          }
          if (!required_headroom.empty() && !additional.empty()) {
            additional = shrinkToQuantities(additional, available_headroom - required_headroom);
          }
          to_offer += additional;
          if (!allocatable(to_offer, role, framework, view.min_allocatable) ||
              isFiltered(framework, role, *agent, to_offer, view.now)) {
            continue;
          }
          offerTo(framework, role, *agent, to_offer);
          Quantities increase = Quantities::of(additional);
          if (quota != view.quotas.end() && !quota->second.isDefault()) consumed[role] += increase;
          available_headroom -= increase;
        }
      }
    }

    std::vector<Allocation> result;
    for (auto& [key, resources] : offerable) {
      const auto& [framework_id, role, agent_id] = key;
      result.push_back({framework_id, agent_id, role, resources});
    }
    return result;
  }
};

}  // namespace

std::unique_ptr<Allocator> makeHierarchicalAllocator() {
  return std::make_unique<HierarchicalAllocator>();
}

}  // namespace svh::master
