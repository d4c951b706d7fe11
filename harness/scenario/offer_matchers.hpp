#pragma once
// Questions a check asks of an offer, in either resource format (a
// framework without RESERVATION_REFINEMENT gets pre-refinement resources).

#include <functional>
#include <optional>
#include <string>

#include "mesos/v1/mesos.pb.h"

namespace svh::harness {

using Offer = mesos::v1::Offer;
using OfferMatch = std::function<bool(const Offer&)>;

// The role a resource is reserved to ("*" if unreserved), either format.
std::string reservedRole(const mesos::v1::Resource& resource);

// The persistent volume with this persistence id, if offered.
std::optional<mesos::v1::Resource> findVolume(const Offer& offer, const std::string& id);
// Total of a scalar resource that is not a persistent volume; `role` "*"
// means unreserved, empty means any.
double scalarIn(const Offer& offer, const std::string& name, const std::string& role = "");

OfferMatch onAgent(std::string agent_id);
OfferMatch hasVolume(std::string id);
OfferMatch hasSharedVolume(std::string id);
OfferMatch lacksVolume(std::string id);
OfferMatch hasScalar(std::string name, double at_least, std::string role = "");
OfferMatch allOf(std::vector<OfferMatch> matches);

// One line: id, agent and resources, for failure messages.
std::string describe(const Offer& offer);

}  // namespace svh::harness
