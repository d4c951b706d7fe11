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

#include "fakes/master/state.hpp"

namespace svh::master {

// A Mesos --min_allocatable_resources value: alternatives ("cpus:0.01|mem:32"),
// each a set of scalar quantities that must all be present.
using MinAllocatable = std::vector<std::vector<std::pair<std::string, double>>>;

struct ClusterView {
  const std::map<std::string, AgentRecord>& agents;
  const std::map<std::string, FrameworkRecord>& frameworks;
  const std::map<std::string, OfferRecord>& offers;
  MinAllocatable min_allocatable;
  Clock::time_point now;
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
  virtual std::vector<Allocation> allocate(const ClusterView& view) = 0;
};

// "hierarchical" (default): hierarchical DRF as in Mesos.
std::unique_ptr<Allocator> makeAllocator(const std::string& name, std::string* error);

// Resources of `agent` offered or used by anyone (unallocated form), and the
// part of the agent's resources that can still be offered:
// (total.nonShared - offeredOrUsed.nonShared) + total.shared (SPEC 3.1).
Resources offeredOrUsed(const ClusterView& view, const AgentRecord& agent);
Resources available(const ClusterView& view, const AgentRecord& agent);

// Whether `resources` satisfy one of the alternatives; each distinct shared
// resource counts once (SV-ARITH-6).
bool allocatable(const Resources& resources, const MinAllocatable& minimum);
std::optional<MinAllocatable> parseMinAllocatable(const std::string& text, std::string* error);

}  // namespace svh::master
