#pragma once
// Dominant Resource Fairness as Mesos's DRF sorter computes it
// (allocator/mesos/sorter/drf), for roles ("eng/backend" is a child of
// "eng") and for the frameworks of a role. A client's share is its largest
// fraction of any scalar resource of the cluster total; clients are visited
// lowest share first, ties broken by how often they were allocated, then by
// name. Siblings are compared level by level, each node charged with its
// whole subtree.
//
// Shared volumes (SV-ALLOC-1, SV-ALLOC-2): a client is charged a shared
// volume's size once per agent however many copies it holds, and the charge
// goes only when its last copy there is unallocated. The cluster total
// likewise counts each shared volume once per agent.
//
// Pure code with value semantics: the allocator builds one per cycle from
// the master's state.

#include <map>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/master/quota.hpp"

namespace svh::master {

class DrfSorter {
 public:
  // The cluster total: an agent's scalar resources, each distinct shared
  // volume once.
  void addSlave(const std::string& agent_id, const Resources& total);
  void removeSlave(const std::string& agent_id);

  // A client; '/' in its name places it under its parent ("a/b" below "a").
  void add(const std::string& client);
  void remove(const std::string& client);
  // Only active clients are returned by sort(); new clients are inactive.
  void activate(const std::string& client);
  void deactivate(const std::string& client);
  bool contains(const std::string& client) const;
  std::size_t count() const;  // clients, active or not

  void allocated(const std::string& client, const std::string& agent_id,
                 const Resources& resources);
  void unallocated(const std::string& client, const std::string& agent_id,
                   const Resources& resources);

  // What `client` holds on `agent_id` (copies included), and its charge: the
  // scalar quantities counted for DRF (shared once per agent).
  Resources allocation(const std::string& client, const std::string& agent_id) const;
  Quantities allocationQuantities(const std::string& client) const;
  Quantities totalQuantities() const;

  // The client's dominant share (0 for unknown clients).
  double share(const std::string& client) const;

  // Active clients in DRF order.
  std::vector<std::string> sort() const;

 private:
  struct Allocation {
    std::map<std::string, Resources> by_agent;
    Quantities totals;
    long count = 0;
  };
  struct Client {
    bool active = false;
    Allocation allocation;
  };

  // The charge of a subtree (clients at `path` and below).
  Quantities subtreeQuantities(const std::string& path) const;
  long subtreeCount(const std::string& path) const;
  double shareOf(const Quantities& charge) const;

  std::map<std::string, Client> clients_;
  std::map<std::string, Quantities> agent_totals_;
};

}  // namespace svh::master
