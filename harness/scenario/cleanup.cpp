#include "harness/scenario/cleanup.hpp"

#include <map>
#include <set>

#include "harness/scenario/framework.hpp"

namespace svh::harness {

namespace {

bool dynamicallyReservedTo(const Resource& resource, const std::string& role) {
  if (resource.reservations_size() > 0) {
    const auto& last = *resource.reservations().rbegin();
    return last.type() == Resource::ReservationInfo::DYNAMIC && last.role() == role;
  }
  return resource.has_reservation() && resource.role() == role;
}

bool isVolume(const Resource& resource) {
  return resource.has_disk() && resource.disk().has_persistence();
}

// The reserved disk a volume was made of.
Resource baseDisk(Resource volume) {
  volume.clear_shared();
  volume.mutable_disk()->clear_persistence();
  volume.mutable_disk()->clear_volume();
  if (!volume.disk().has_source()) volume.clear_disk();
  return volume;
}

}  // namespace

void releaseRole(const http::Url& master, const std::vector<std::string>& agent_ids,
                 const std::string& role, ContentType content_type) {
  FrameworkSpec spec;
  spec.name = "svharness-cleanup";
  spec.role = role;
  spec.content_type = content_type;
  Framework fw(master, spec);
  fw.subscribe();
  std::set<std::string> pending(agent_ids.begin(), agent_ids.end());
  std::map<std::string, std::string> holding;  // agent -> what the role still holds there
  auto deadline = Clock::now() + kDefaultWait;
  while (!pending.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Offer offer;
    try {
      offer = fw.awaitOffer([&](const Offer& o) { return pending.count(o.agent_id().value()) > 0; },
                            "offers from every agent to release role " + role,
                            std::max(left, std::chrono::milliseconds(1)));
    } catch (const AwaitTimeout& e) {
      std::string what;
      for (const auto& [agent, resources] : holding) what += " " + agent + ":" + resources;
      throw AwaitTimeout("could not release role " + role +
                         (what.empty() ? std::string(": ") + e.what() : "; it still holds" + what));
    }
    std::vector<Resource> volumes;
    std::vector<Resource> reserved;
    for (const auto& resource : offer.resources()) {
      if (!dynamicallyReservedTo(resource, role)) continue;
      if (isVolume(resource)) {
        volumes.push_back(resource);
        reserved.push_back(baseDisk(resource));
      } else {
        reserved.push_back(resource);
      }
    }
    if (volumes.empty() && reserved.empty()) {
      pending.erase(offer.agent_id().value());
      fw.decline(offer);
      continue;
    }
    holding[offer.agent_id().value()] = describe(offer);
    std::vector<Operation> operations;
    if (!volumes.empty()) operations.push_back(destroy(volumes));
    operations.push_back(unreserve(reserved));
    fw.accept(offer, operations);
  }
  fw.teardown();
}

}  // namespace svh::harness
