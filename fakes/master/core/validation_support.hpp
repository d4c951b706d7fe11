#pragma once
// Internal to the master's validation (core/*_validation.cpp): the helpers
// that more than one of its parts uses, so that each is defined once.
// Callers outside core/ include validation.hpp, never this header.
//   * formatting as stout prints (validation_support.cpp);
//   * the Mesos common::validation checks that task and framework
//     validation call (common_validation.cpp).

#include <set>
#include <string>

#include "fakes/master/core/validation.hpp"

namespace svh::master::validation {

// stout stringify(double), e.g. "0.01".
std::string formatDouble(double value);

// stout stringify of a set: "{ a, b }".
std::string formatSet(const std::set<std::string>& values);

// Mesos prints a raw resource list (not a Resources value) as JSON.
std::string formatJson(const ResourceList& resources);

// A scalar in Mesos's fixed point (three decimals), for comparisons.
long long toFixed(double value);

// The role of the resource's last (innermost) reservation.
std::string reservationRoleOf(const fakes::Resource& resource);

// Mesos common::validation, for tasks, executors and frameworks.
Problem validateCommandInfo(const mesos::v1::CommandInfo& command);
Problem validateContainerInfo(const mesos::v1::ContainerInfo& container);
Problem validateHealthCheck(const mesos::v1::HealthCheck& check);
Problem validateCheckInfo(const mesos::v1::CheckInfo& check);
Problem validateOfferFilters(const mesos::v1::OfferFilters& filters);

}  // namespace svh::master::validation
