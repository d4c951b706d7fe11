#pragma once
// The allocator decides, once per allocation cycle, which resources of which
// agent are offered to which framework under which role. It reads the
// master's state and returns decisions; the master turns them into offers.
// Keeping it a function of the state (no copies of the master's bookkeeping)
// means an allocator cannot drift from what the master knows, and another
// one can be dropped in (--allocator) without touching the master.

#include <memory>
#include <string>
#include <vector>

#include "fakes/common/seeded_faults.hpp"
#include "fakes/master/core/profile.hpp"
#include "fakes/master/quota.hpp"
#include "fakes/master/state.hpp"

namespace svh::master {

struct ClusterView {
  const std::map<std::string, AgentRecord>& agents;
  const std::map<std::string, FrameworkRecord>& frameworks;
  const std::map<std::string, OfferRecord>& offers;
  MinAllocatable min_allocatable;  // --min_allocatable_resources
  Clock::time_point now;
  const std::map<std::string, Quota>& quotas;  // by top-level role
  Profile profile;
  fakes::Faults faults;  // seeded faults (fakes/common/seeded_faults.hpp)
};

struct Allocation {
  std::string framework_id;
  std::string agent_id;
  std::string role;
  Resources resources;  // unallocated form; the master allocates them to `role`
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual std::string name() const = 0;
  // One cycle. Never returns non-shared resources that are offered or used;
  // shared volumes may be returned while offered or used (SV-OFFER-1/2).
  // At most one Allocation per (framework, role, agent).
  virtual std::vector<Allocation> allocate(const ClusterView& view) = 0;
};

// The allocator named by --allocator: "hierarchical" (default, also
// Mesos's "HierarchicalDRF"), hierarchical DRF as in Mesos. A new allocator
// implements Allocator and adds its name to makeAllocator (allocator.cpp).
std::unique_ptr<Allocator> makeAllocator(const std::string& name, std::string* error);
std::unique_ptr<Allocator> makeHierarchicalAllocator();

// What is offered or allocated on the agents: one entry per outstanding
// offer, live task and executor, in allocated form.
struct Held {
  std::string framework_id;
  std::string role;
  std::string agent_id;
  Resources resources;
};
std::vector<Held> heldResources(const ClusterView& view);

// Resources of `agent` in outstanding offers, used by live tasks and
// executors, or either (unallocated form), and the part of the agent's
// resources that can still be offered:
// (total.nonShared - offeredOrUsed.nonShared) + total.shared (SPEC 3.1).
Resources offeredOn(const ClusterView& view, const AgentRecord& agent);
Resources usedOn(const ClusterView& view, const AgentRecord& agent);
Resources offeredOrUsed(const ClusterView& view, const AgentRecord& agent);
Resources available(const ClusterView& view, const AgentRecord& agent);
// Non-shared volumes that other frameworks' tasks use (unallocated): the
// seeded fault withhold-non-shared-from-user-only offers them.
Resources volumesUsedByOthers(const AgentRecord& agent, const std::string& framework_id);
// What an operator operation may use on the agent (SV-HTTP-3): as
// available() in mesos-1.12; total minus everything offered or used,
// shared copies included, in mesos-1.1.
Resources availableToOperator(const ClusterView& view, const AgentRecord& agent);

// Mesos HierarchicalAllocatorProcess::allocatable: the framework's
// offer_filters for `role` if it has them, else --min_allocatable_resources;
// no alternatives (or an empty list) means anything non-empty. Each distinct
// shared resource counts once (SV-ARITH-6).
bool allocatable(const Resources& resources, const MinAllocatable& minimum);
bool allocatable(const Resources& resources, const std::string& role,
                 const FrameworkRecord& framework, const MinAllocatable& global);
std::optional<MinAllocatable> parseMinAllocatable(const std::string& text, std::string* error);

// Mesos stripIncapableResources (SV-CAP-1): shared volumes only for
// SHARED_RESOURCES frameworks, revocable only for REVOCABLE_RESOURCES,
// refined reservations only for RESERVATION_REFINEMENT.
Resources stripIncapable(const FrameworkRecord& framework, const Resources& resources,
                         const fakes::Faults& faults = {});

// The resources of `resources` that a role may be offered: unreserved, and
// reserved to the role or (hierarchical roles) an ancestor (SV-OFFER-4).
Resources allocatableTo(const Resources& resources, const std::string& role,
                        const Profile& profile, const fakes::Faults& faults = {});

}  // namespace svh::master
