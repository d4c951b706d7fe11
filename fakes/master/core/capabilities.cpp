// What an agent and a framework are capable of, as validation asks it:
// AgentInfo.Capability numbers as flags, and Mesos's
// protobuf::frameworkHasCapability and protobuf::framework::getRoles
// (src/common/protobuf_utils.cpp), which src/master/validation.cpp uses.

#include <algorithm>

#include "fakes/master/core/validation.hpp"

namespace svh::master::validation {

using Capability = mesos::v1::FrameworkInfo::Capability;

AgentCapabilities agentCapabilities(const std::vector<int>& types) {
  AgentCapabilities capabilities;
  for (int type : types) {
    switch (type) {
      case 1:
        capabilities.multi_role = true;
        break;
      case 2:
        capabilities.hierarchical_role = true;
        break;
      case 3:
        capabilities.reservation_refinement = true;
        break;
      case 4:
        capabilities.resource_provider = true;
        break;
      case 5:
        capabilities.resize_volume = true;
        break;
      case 6:
        capabilities.agent_operation_feedback = true;
        break;
      case 7:
        capabilities.agent_draining = true;
        break;
      case 8:
        capabilities.task_resource_limits = true;
        break;
      default:
        break;
    }
  }
  return capabilities;
}

bool hasCapability(const FrameworkInfo& framework, Capability::Type type) {
  return std::any_of(framework.capabilities().begin(), framework.capabilities().end(),
                     [&](const Capability& capability) { return capability.type() == type; });
}

std::set<std::string> frameworkRoles(const FrameworkInfo& framework) {
  if (hasCapability(framework, Capability::MULTI_ROLE)) {
    return {framework.roles().begin(), framework.roles().end()};
  }
  return {framework.role()};
}

}  // namespace svh::master::validation
