#include "fakes/master/core/in_use.hpp"

namespace svh::master {


std::map<std::string, fakes::Resources> usedByFramework(const std::vector<ResourceUse>& uses,
                                                        const fakes::Faults& faults) {
  using fakes::Fault;
  std::map<std::string, fakes::Resources> used;
  for (const auto& use : uses) {
    if (use.task_state && !holdsResources(*use.task_state)) continue;
    if (faults.has(Fault::kDestroyInUseRunningTasksOnly) && use.task_state &&
        *use.task_state != mesos::v1::TASK_RUNNING) {
      continue;
    }
    used[use.framework_id] += use.resources;
  }
  return used;
}

}  // namespace svh::master
