#include "harness/scenario/offer_matchers.hpp"

#include <sstream>

namespace svh::harness {

std::string reservedRole(const mesos::v1::Resource& resource) {
  if (resource.reservations_size() > 0) return resource.reservations().rbegin()->role();
  if (resource.has_role()) return resource.role();
  return "*";
}

std::optional<mesos::v1::Resource> findVolume(const Offer& offer, const std::string& id) {
  for (const auto& resource : offer.resources()) {
    if (resource.has_disk() && resource.disk().has_persistence() &&
        resource.disk().persistence().id() == id) {
      return resource;
    }
  }
  return std::nullopt;
}

double scalarIn(const Offer& offer, const std::string& name, const std::string& role) {
  double total = 0;
  for (const auto& resource : offer.resources()) {
    if (resource.name() != name || resource.type() != mesos::v1::Value::SCALAR) continue;
    if (resource.has_disk() && resource.disk().has_persistence()) continue;
    if (!role.empty() && reservedRole(resource) != role) continue;
    total += resource.scalar().value();
  }
  return total;
}

OfferMatch onAgent(std::string agent_id) {
  return [agent_id](const Offer& offer) { return offer.agent_id().value() == agent_id; };
}

OfferMatch hasVolume(std::string id) {
  return [id](const Offer& offer) { return findVolume(offer, id).has_value(); };
}

OfferMatch hasSharedVolume(std::string id) {
  return [id](const Offer& offer) {
    auto volume = findVolume(offer, id);
    return volume && volume->has_shared();
  };
}

OfferMatch lacksVolume(std::string id) {
  return [id](const Offer& offer) { return !findVolume(offer, id).has_value(); };
}

OfferMatch hasScalar(std::string name, double at_least, std::string role) {
  return [=](const Offer& offer) { return scalarIn(offer, name, role) + 1e-9 >= at_least; };
}

OfferMatch allOf(std::vector<OfferMatch> matches) {
  return [matches = std::move(matches)](const Offer& offer) {
    for (const auto& match : matches) {
      if (!match(offer)) return false;
    }
    return true;
  };
}

std::string describe(const Offer& offer) {
  std::ostringstream out;
  out << offer.id().value() << " on " << offer.agent_id().value() << ":";
  for (const auto& r : offer.resources()) {
    out << " " << r.name();
    std::string role = reservedRole(r);
    if (role != "*") out << "(" << role << ")";
    if (r.has_disk() && r.disk().has_persistence()) {
      out << "[" << r.disk().persistence().id() << (r.has_shared() ? ",shared" : "") << "]";
    }
    if (r.type() == mesos::v1::Value::SCALAR) out << ":" << r.scalar().value();
  }
  return out.str();
}

}  // namespace svh::harness
