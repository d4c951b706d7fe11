#include "fakes/master/drf_sorter.hpp"

#include <algorithm>
#include <functional>
#include <set>

namespace svh::master {

namespace {

std::string parentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool inSubtree(const std::string& client, const std::string& path) {
  return client == path ||
         (client.size() > path.size() && client.compare(0, path.size(), path) == 0 &&
          client[path.size()] == '/');
}

}  // namespace

void DrfSorter::addSlave(const std::string& agent_id, const Resources& total) {
  agent_totals_[agent_id] = Quantities::of(total.unallocate());
}

void DrfSorter::removeSlave(const std::string& agent_id) {
  agent_totals_.erase(agent_id);
}

void DrfSorter::add(const std::string& client) {
  clients_.try_emplace(client);
}

void DrfSorter::remove(const std::string& client) {
  clients_.erase(client);
}

void DrfSorter::activate(const std::string& client) {
  clients_[client].active = true;
}

void DrfSorter::deactivate(const std::string& client) {
  auto it = clients_.find(client);
  if (it != clients_.end()) it->second.active = false;
}

bool DrfSorter::contains(const std::string& client) const {
  return clients_.count(client) > 0;
}

std::size_t DrfSorter::count() const {
  return clients_.size();
}

void DrfSorter::allocated(const std::string& client, const std::string& agent_id,
                          const Resources& resources) {
  auto& allocation = clients_[client].allocation;
  Resources& held = allocation.by_agent[agent_id];
  // A shared volume is charged only when its first copy arrives.
  Resources charged = resources.nonShared();
  for (const auto& entry : resources.shared().entries()) {
    if (!held.contains(entry.resource)) charged.add(entry.resource, 1);
  }
  held += resources;
  allocation.totals += Quantities::of(charged);
  ++allocation.count;
}

void DrfSorter::unallocated(const std::string& client, const std::string& agent_id,
                            const Resources& resources) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  auto& allocation = it->second.allocation;
  auto agent = allocation.by_agent.find(agent_id);
  if (agent == allocation.by_agent.end()) return;
  agent->second -= resources;
  // ... and uncharged only when its last copy goes.
  Resources uncharged = resources.nonShared();
  for (const auto& entry : resources.shared().entries()) {
    if (!agent->second.contains(entry.resource)) uncharged.add(entry.resource, 1);
  }
  allocation.totals -= Quantities::of(uncharged);
  if (agent->second.empty()) allocation.by_agent.erase(agent);
}

Resources DrfSorter::allocation(const std::string& client, const std::string& agent_id) const {
  auto it = clients_.find(client);
  if (it == clients_.end()) return {};
  auto agent = it->second.allocation.by_agent.find(agent_id);
  return agent == it->second.allocation.by_agent.end() ? Resources{} : agent->second;
}

Quantities DrfSorter::allocationQuantities(const std::string& client) const {
  auto it = clients_.find(client);
  return it == clients_.end() ? Quantities{} : it->second.allocation.totals;
}

Quantities DrfSorter::totalQuantities() const {
  Quantities total;
  for (const auto& [agent, quantities] : agent_totals_) total += quantities;
  return total;
}

double DrfSorter::shareOf(const Quantities& charge) const {
  Quantities total = totalQuantities();
  double share = 0;
  for (const auto& [name, amount] : total.values()) {
    if (amount <= 0) continue;
    share = std::max(share, charge.get(name) / amount);
  }
  return share;
}

double DrfSorter::share(const std::string& client) const {
  return shareOf(allocationQuantities(client));
}

Quantities DrfSorter::subtreeQuantities(const std::string& path) const {
  Quantities out;
  for (const auto& [name, client] : clients_) {
    if (inSubtree(name, path)) out += client.allocation.totals;
  }
  return out;
}

long DrfSorter::subtreeCount(const std::string& path) const {
  long out = 0;
  for (const auto& [name, client] : clients_) {
    if (inSubtree(name, path)) out += client.allocation.count;
  }
  return out;
}

std::vector<std::string> DrfSorter::sort() const {
  // The tree of paths: every client and every ancestor of one. A client
  // that also has children sorts as a virtual leaf "<path>/." among them,
  // as Mesos does.
  std::set<std::string> nodes;
  for (const auto& [name, client] : clients_) {
    for (std::string path = name; !path.empty(); path = parentOf(path)) nodes.insert(path);
  }
  std::map<std::string, std::vector<std::string>> children;  // "" is the root
  for (const auto& path : nodes) children[parentOf(path)].push_back(path);

  struct Item {
    std::string path;     // for ordering ties
    std::string client;   // empty for an internal node
    std::string subtree;  // internal node path
    double share = 0;
    long count = 0;
  };
  std::vector<std::string> result;
  std::function<void(const std::string&)> visit = [&](const std::string& node) {
    std::vector<Item> items;
    for (const auto& path : children[node]) {
      auto client = clients_.find(path);
      if (children.count(path) > 0) {
        // An internal node is charged with its whole subtree.
        items.push_back({path, "", path, shareOf(subtreeQuantities(path)), subtreeCount(path)});
      } else if (client != clients_.end() && client->second.active) {
        items.push_back({path, path, "", shareOf(client->second.allocation.totals),
                         client->second.allocation.count});
      }
    }
    auto self = clients_.find(node);
    if (!node.empty() && self != clients_.end() && self->second.active) {
      items.push_back({node + "/.", node, "", shareOf(self->second.allocation.totals),
                       self->second.allocation.count});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      if (a.share != b.share) return a.share < b.share;
      if (a.count != b.count) return a.count < b.count;
      return a.path < b.path;
    });
    for (const auto& item : items) {
      if (!item.client.empty()) {
        result.push_back(item.client);
      } else {
        visit(item.subtree);
      }
    }
  };
  visit("");
  return result;
}

}  // namespace svh::master
