// What a scheduler sends, as Mesos checks it in src/master/validation.cpp:
// its FrameworkInfo on SUBSCRIBE and UPDATE_FRAMEWORK (validation::framework),
// every scheduler call before it is handled (validation::scheduler::call)
// and the offer ids of an ACCEPT or DECLINE (validation::offer).

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/validation_support.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master::validation {

using Call = mesos::v1::scheduler::Call;
using Capability = mesos::v1::FrameworkInfo::Capability;

Problem validateFrameworkInfo(const FrameworkInfo& framework) {
  bool multi_role = hasCapability(framework, Capability::MULTI_ROLE);
  if (multi_role && framework.has_role()) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multi_role && framework.roles_size() > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }

  if (multi_role) {
    std::set<std::string> seen;
    std::vector<std::string> duplicates;
    for (const auto& role : framework.roles()) {
      if (!seen.insert(role).second &&
          std::find(duplicates.begin(), duplicates.end(), role) == duplicates.end()) {
        duplicates.push_back(role);
      }
    }
    if (!duplicates.empty()) {
      std::string list = "{ ";
      for (std::size_t i = 0; i < duplicates.size(); ++i) {
        if (i > 0) list += ", ";
        list += duplicates[i];
      }
      return "'FrameworkInfo.roles' contains duplicate items: " + list + " }";
    }
    for (const auto& role : framework.roles()) {
      if (auto error = fakes::validateRole(role)) {
        return "'FrameworkInfo.roles' contains invalid role: " + *error;
      }
    }
  } else if (auto error = fakes::validateRole(framework.role())) {
    return "'FrameworkInfo.role' is not a valid role: " + *error;
  }

  if (framework.has_id() && !framework.id().value().empty()) {
    if (auto error = fakes::validateId(framework.id().value())) return error;
  }

  std::map<std::string, const mesos::v1::OfferFilters*> filters;
  for (const auto& [role, filter] : framework.offer_filters()) filters[role] = &filter;
  for (const auto& [role, filter] : filters) {
    if (auto error = validateOfferFilters(*filter)) return error;
  }

  // stout Duration::create: the timeout must fit int64 nanoseconds.
  double nanoseconds = framework.failover_timeout() * 1e9;
  if (nanoseconds > static_cast<double>(std::numeric_limits<std::int64_t>::max()) ||
      nanoseconds < static_cast<double>(std::numeric_limits<std::int64_t>::min())) {
    return "The framework failover_timeout (" + formatDouble(framework.failover_timeout()) +
           ") is invalid";
  }
  return std::nullopt;
}

Problem validateFrameworkUpdate(const FrameworkInfo& old_info, const FrameworkInfo& new_info) {
  bool same_principal = old_info.has_principal() == new_info.has_principal() &&
                        old_info.principal() == new_info.principal();
  if (!same_principal) return "Changing framework's principal is not allowed.";
  if (new_info.user() != old_info.user()) {
    return "Updating 'FrameworkInfo.user' is unsupported; attempted to update from '" +
           old_info.user() + "' to '" + new_info.user() + "'";
  }
  if (new_info.checkpoint() != old_info.checkpoint()) {
    auto text = [](bool value) { return value ? std::string("true") : std::string("false"); };
    return "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '" +
           text(old_info.checkpoint()) + "' to '" + text(new_info.checkpoint()) + "'";
  }
  return std::nullopt;
}

Problem validateSuppressedRoles(const std::set<std::string>& roles,
                                const std::set<std::string>& suppressed) {
  std::set<std::string> unknown;
  std::set_difference(suppressed.begin(), suppressed.end(), roles.begin(), roles.end(),
                      std::inserter(unknown, unknown.begin()));
  if (unknown.empty()) return std::nullopt;
  return "Suppressed roles " + formatSet(unknown) + " are not contained in the set of roles";
}

Problem validateSchedulerCall(const Call& call, const Principal& principal) {
  if (!call.IsInitialized()) return "Not initialized: " + call.InitializationErrorString();
  if (!call.has_type()) return "Expecting 'type' to be present";

  if (call.type() == Call::SUBSCRIBE) {
    if (!call.has_subscribe()) return "Expecting 'subscribe' to be present";
    const FrameworkInfo& framework = call.subscribe().framework_info();
    if (framework.id().value() != call.framework_id().value()) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    if (principal && framework.has_principal() && *principal != framework.principal()) {
      return "Authenticated principal '" + *principal + "' does not match principal '" +
             framework.principal() + "' set in `FrameworkInfo`";
    }
    return std::nullopt;
  }

  if (!call.has_framework_id()) return "Expecting 'framework_id' to be present";

  auto expect = [](bool present, const char* field) -> Problem {
    if (present) return std::nullopt;
    return std::string("Expecting '") + field + "' to be present";
  };
  switch (call.type()) {
    case Call::TEARDOWN:
    case Call::REVIVE:
    case Call::SUPPRESS:
      return std::nullopt;
    case Call::ACCEPT:
      return expect(call.has_accept(), "accept");
    case Call::DECLINE:
      return expect(call.has_decline(), "decline");
    case Call::ACCEPT_INVERSE_OFFERS:
      return expect(call.has_accept_inverse_offers(), "accept_inverse_offers");
    case Call::DECLINE_INVERSE_OFFERS:
      return expect(call.has_decline_inverse_offers(), "decline_inverse_offers");
    case Call::KILL:
      return expect(call.has_kill(), "kill");
    case Call::SHUTDOWN:
      return expect(call.has_shutdown(), "shutdown");
    case Call::ACKNOWLEDGE:
      if (!call.has_acknowledge()) return "Expecting 'acknowledge' to be present";
      if (!wire::isMesosAcceptedUuid(call.acknowledge().uuid())) return "Not a valid UUID";
      return std::nullopt;
    case Call::ACKNOWLEDGE_OPERATION_STATUS: {
      if (!call.has_acknowledge_operation_status()) {
        return "Expecting 'acknowledge_operation_status' to be present";
      }
      const auto& acknowledge = call.acknowledge_operation_status();
      if (!wire::isMesosAcceptedUuid(acknowledge.uuid())) return "Not a valid UUID";
      if (!acknowledge.has_agent_id()) return "Expecting 'agent_id' to be present";
      return std::nullopt;
    }
    case Call::RECONCILE:
      return expect(call.has_reconcile(), "reconcile");
    case Call::RECONCILE_OPERATIONS:
      return expect(call.has_reconcile_operations(), "reconcile_operations");
    case Call::MESSAGE:
      return expect(call.has_message(), "message");
    case Call::REQUEST:
      return expect(call.has_request(), "request");
    case Call::UPDATE_FRAMEWORK:
      if (!call.has_update_framework()) return "Expecting 'update_framework' to be present";
      if (call.framework_id().value() != call.update_framework().framework_info().id().value()) {
        return "'framework_id' differs from 'update_framework.framework_info.id'";
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Problem validateOffers(const google::protobuf::RepeatedPtrField<mesos::v1::OfferID>& offer_ids,
                       const std::string& framework_id,
                       const std::function<std::optional<OfferFacts>(const std::string&)>& lookup) {
  std::set<std::string> seen;
  for (const auto& id : offer_ids) {
    if (!seen.insert(id.value()).second) {
      return "Duplicate offer " + id.value() + " in offer list";
    }
  }
  std::vector<std::pair<std::string, OfferFacts>> offers;
  for (const auto& id : offer_ids) {
    auto facts = lookup(id.value());
    if (!facts) return "Offer " + id.value() + " is no longer valid";
    offers.emplace_back(id.value(), *facts);
  }
  for (const auto& [id, facts] : offers) {
    if (facts.framework_id != framework_id) {
      return "Offer " + id + " has invalid framework " + facts.framework_id + " while framework " +
             framework_id + " is expected";
    }
  }
  for (const auto& [id, facts] : offers) {
    const std::string& first = offers.front().second.role;
    if (facts.role != first) {
      return "Aggregated offers must be allocated to the same role. Offer " + id + " uses role '" +
             facts.role + " but another is using role '" + first;
    }
  }
  for (const auto& [id, facts] : offers) {
    const std::string& first = offers.front().second.agent_id;
    if (facts.agent_id != first) {
      return "Aggregated offers must belong to one single agent. Offer " + id + " uses agent " +
             facts.agent_id + " and agent " + first;
    }
  }
  return std::nullopt;
}

}  // namespace svh::master::validation
