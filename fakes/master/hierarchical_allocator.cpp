// The default allocator: hierarchical DRF (SPEC section 3). Roles are
// visited in order of their dominant share, frameworks within a role likewise;
// each gets, per agent, everything allocatable to its role that it is capable
// of receiving. Shared volumes are always available (SV-OFFER-1/2) but are
// handed out at most once per agent per cycle (the intended SV-OFFER-3), and
// DRF charges a holder of a shared volume its size once per agent (SV-ALLOC-1).

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fakes/master/allocator.hpp"

namespace svh::master {

namespace {

using Capability = mesos::v1::FrameworkInfo::Capability;

bool suitable(const FrameworkRecord& framework, const AgentRecord& agent, const std::string& role) {
  if (!framework.active || !framework.connected) return false;
  if (framework.suppressed_roles.count(role)) return false;
  if (!agent.active || !agent.connected) return false;
  if (framework.hasCapability(Capability::MULTI_ROLE) && !agent.capabilities.multi_role) {
    return false;
  }
  if (role.find('/') != std::string::npos && !agent.capabilities.hierarchical_role) return false;
  return true;
}

// What this framework may receive: shared volumes only with
// SHARED_RESOURCES (SV-CAP-1), revocable only with REVOCABLE_RESOURCES,
// refined reservations only with RESERVATION_REFINEMENT.
Resources stripIncapable(const FrameworkRecord& framework, const Resources& resources) {
  bool shared = framework.hasCapability(Capability::SHARED_RESOURCES);
  bool revocable = framework.hasCapability(Capability::REVOCABLE_RESOURCES);
  bool refinement = framework.hasCapability(Capability::RESERVATION_REFINEMENT);
  return resources.filter([&](const fakes::Resource& r) {
    if (r.has_shared() && !shared) return false;
    if (r.has_revocable() && !revocable) return false;
    if (r.reservations_size() > 1 && !refinement) return false;
    return true;
  });
}

bool filtered(const FrameworkRecord& framework, const std::string& agent_id,
              const Resources& resources, Clock::time_point now) {
  for (const auto& filter : framework.filters) {
    if (filter.agent_id == agent_id && filter.expires > now &&
        filter.resources.contains(resources)) {
      return true;
    }
  }
  return false;
}

// Scalar quantities charged to a holder: shared volumes once per agent.
void charge(std::map<std::string, double>* into, const Resources& held) {
  for (const auto& entry : held.entries()) {
    if (entry.resource.type() == mesos::v1::Value::SCALAR) {
      (*into)[entry.resource.name()] += entry.resource.scalar().value();
    }
  }
}

double dominantShare(const std::map<std::string, double>& held,
                     const std::map<std::string, double>& total) {
  double share = 0;
  for (const auto& [name, amount] : held) {
    auto it = total.find(name);
    if (it != total.end() && it->second > 0) share = std::max(share, amount / it->second);
  }
  return share;
}

class HierarchicalAllocator : public Allocator {
 public:
  std::string name() const override { return "hierarchical"; }

  std::vector<Allocation> allocate(const ClusterView& view) override {
    // Cluster totals and what each role and framework holds, per agent, so
    // that several copies of one shared volume on one agent count once.
    std::map<std::string, double> total;
    for (const auto& [id, agent] : view.agents) charge(&total, agent.total.unallocate());

    std::map<std::string, std::map<std::string, Resources>> role_held;       // role -> agent
    std::map<std::string, std::map<std::string, Resources>> framework_held;  // fw -> agent
    auto hold = [&](const std::string& framework, const std::string& role, const std::string& agent,
                    const Resources& resources) {
      role_held[role][agent] += resources.unallocate();
      framework_held[framework][agent] += resources.unallocate();
    };
    for (const auto& [id, offer] : view.offers) {
      hold(offer.framework_id, offer.role, offer.agent_id, offer.resources);
    }
    for (const auto& [agent_id, agent] : view.agents) {
      for (const auto& [framework_id, tasks] : agent.tasks) {
        for (const auto& [task_id, task] : tasks) {
          if (task.holdsResources()) hold(framework_id, task.role, agent_id, task.resources);
        }
      }
    }
    auto shareOf = [&](const std::map<std::string, Resources>& per_agent) {
      std::map<std::string, double> held;
      for (const auto& [agent, resources] : per_agent) {
        // Distinct entries only: copies of a shared volume count once.
        Resources distinct;
        for (const auto& entry : resources.entries()) distinct.add(entry.resource, 1);
        charge(&held, distinct);
      }
      return dominantShare(held, total);
    };

    std::map<std::string, std::vector<const FrameworkRecord*>> by_role;
    for (const auto& [id, framework] : view.frameworks) {
      for (const auto& role : framework.roles) by_role[role].push_back(&framework);
    }
    std::vector<std::string> roles;
    for (const auto& [role, frameworks] : by_role) roles.push_back(role);
    std::stable_sort(roles.begin(), roles.end(), [&](const auto& a, const auto& b) {
      return shareOf(role_held[a]) < shareOf(role_held[b]);
    });

    std::vector<Allocation> result;
    for (const auto& [agent_id, agent] : view.agents) {
      Resources remaining = master::available(view, agent);
      for (const auto& role : roles) {
        auto frameworks = by_role[role];
        std::stable_sort(frameworks.begin(), frameworks.end(), [&](auto* a, auto* b) {
          return shareOf(framework_held[a->id]) < shareOf(framework_held[b->id]);
        });
        for (const FrameworkRecord* framework : frameworks) {
          if (!suitable(*framework, agent, role)) continue;
          Resources offer = stripIncapable(*framework, remaining.allocatableTo(role));
          if (offer.empty() || !allocatable(offer, view.min_allocatable)) continue;
          if (filtered(*framework, agent_id, offer, view.now)) continue;
          result.push_back({framework->id, agent_id, role, offer});
          remaining -= offer;  // shared included: once per agent per cycle
          hold(framework->id, role, agent_id, offer);
        }
      }
    }
    return result;
  }
};

}  // namespace

Resources offeredOrUsed(const ClusterView& view, const AgentRecord& agent) {
  Resources used;
  for (const auto& offer_id : agent.offers) {
    auto it = view.offers.find(offer_id);
    if (it != view.offers.end()) used += it->second.resources.unallocate();
  }
  for (const auto& [framework_id, tasks] : agent.tasks) {
    for (const auto& [task_id, task] : tasks) {
      if (task.holdsResources()) used += task.resources.unallocate();
    }
  }
  return used;
}

Resources available(const ClusterView& view, const AgentRecord& agent) {
  return (agent.total.nonShared() - offeredOrUsed(view, agent).nonShared()) + agent.total.shared();
}

bool allocatable(const Resources& resources, const MinAllocatable& minimum) {
  if (minimum.empty()) return !resources.empty();
  for (const auto& alternative : minimum) {
    bool all = true;
    for (const auto& [name, quantity] : alternative) {
      if (resources.scalar(name) + 1e-9 < quantity) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
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
  if (name == "hierarchical" || name == "HierarchicalDRF") {
    return std::make_unique<HierarchicalAllocator>();
  }
  if (error) *error = "unknown allocator '" + name + "' (available: hierarchical)";
  return nullptr;
}

}  // namespace svh::master
