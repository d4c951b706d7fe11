// Mesos validation::master::call::validate (src/master/validation.cpp):
// the checks on an operator API call (master::Call) before it is handled,
// whose error the operator API answers as a 400.

#include <functional>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"

namespace svh::master::validation {

Problem validateOperatorCall(const mesos::v1::master::Call& call,
                             const std::function<bool(int)>& has_field) {
  using MasterCall = mesos::v1::master::Call;
  if (!call.IsInitialized()) return "Not initialized: " + call.InitializationErrorString();
  if (!call.has_type()) return "Expecting 'type' to be present";
  auto expect = [](bool present, const char* field) -> Problem {
    if (present) return std::nullopt;
    return std::string("Expecting '") + field + "' to be present";
  };
  auto field = [&](int number) { return has_field && has_field(number); };
  switch (call.type()) {
    case MasterCall::GET_METRICS:
      return expect(call.has_get_metrics(), "get_metrics");
    case MasterCall::SET_LOGGING_LEVEL:
      return expect(field(3), "set_logging_level");
    case MasterCall::LIST_FILES:
      return expect(field(4), "list_files");
    case MasterCall::READ_FILE:
      return expect(field(5), "read_file");
    case MasterCall::UPDATE_WEIGHTS:
      return expect(field(6), "update_weights");
    case MasterCall::RESERVE_RESOURCES:
      if (!call.has_reserve_resources()) return "Expecting 'reserve_resources' to be present";
      return fakes::validateResources(call.reserve_resources().resources());
    case MasterCall::UNRESERVE_RESOURCES:
      if (!call.has_unreserve_resources()) return "Expecting 'unreserve_resources' to be present";
      return fakes::validateResources(call.unreserve_resources().resources());
    case MasterCall::CREATE_VOLUMES:
      return expect(call.has_create_volumes(), "create_volumes");
    case MasterCall::DESTROY_VOLUMES:
      return expect(call.has_destroy_volumes(), "destroy_volumes");
    case MasterCall::GROW_VOLUME:
      if (!call.has_grow_volume()) return "Expecting 'grow_volume' to be present";
      if (!call.grow_volume().has_agent_id()) {
        return "Expecting 'agent_id' to be present; only agent default resources are supported "
               "right now";
      }
      return std::nullopt;
    case MasterCall::SHRINK_VOLUME:
      if (!call.has_shrink_volume()) return "Expecting 'shrink_volume' to be present";
      if (!call.shrink_volume().has_agent_id()) {
        return "Expecting 'agent_id' to be present; only agent default resources are supported "
               "right now";
      }
      return std::nullopt;
    case MasterCall::UPDATE_MAINTENANCE_SCHEDULE:
      return expect(field(11), "update_maintenance_schedule");
    case MasterCall::START_MAINTENANCE:
      return expect(field(12), "start_maintenance");
    case MasterCall::STOP_MAINTENANCE:
      return expect(field(13), "stop_maintenance");
    case MasterCall::DRAIN_AGENT:
      return expect(field(21), "drain_agent");
    case MasterCall::DEACTIVATE_AGENT:
      return expect(call.has_deactivate_agent(), "deactivate_agent");
    case MasterCall::REACTIVATE_AGENT:
      return expect(call.has_reactivate_agent(), "reactivate_agent");
    case MasterCall::UPDATE_QUOTA:
      return expect(field(20), "update_quota");
    case MasterCall::SET_QUOTA:
      return expect(field(14), "set_quota");
    case MasterCall::REMOVE_QUOTA:
      return expect(field(15), "remove_quota");
    case MasterCall::TEARDOWN:
      return expect(call.has_teardown(), "teardown");
    case MasterCall::MARK_AGENT_GONE:
      return expect(call.has_mark_agent_gone(), "mark_agent_gone");
    default:
      return std::nullopt;
  }
}

}  // namespace svh::master::validation
