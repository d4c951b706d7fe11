#include "fakes/master/core/profile.hpp"

namespace svh::master {

Profile Profile::mesos112() {
  Profile profile;
  profile.name = "mesos-1.12";
  return profile;
}

Profile Profile::mesos11() {
  Profile profile;
  profile.name = "mesos-1.1";
  profile.create_shared_needs_capability = false;
  profile.destroy_checks_pending_tasks = true;
  profile.shared_once_per_cycle = true;
  profile.hierarchical_roles = false;
  profile.operator_sees_shared_as_available = false;
  profile.destroy_conflict_says_does_not_exist = true;
  profile.operation_feedback = false;
  profile.resize_volumes = false;
  return profile;
}

std::optional<Profile> Profile::named(const std::string& name) {
  if (name == "mesos-1.12") return mesos112();
  if (name == "mesos-1.1") return mesos11();
  return std::nullopt;
}

}  // namespace svh::master
