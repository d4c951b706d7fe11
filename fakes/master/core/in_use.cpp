#include "fakes/master/core/in_use.hpp"

namespace svh::master {

bool isTerminal(mesos::v1::TaskState state) {
  switch (state) {
    case mesos::v1::TASK_FINISHED:
    case mesos::v1::TASK_FAILED:
    case mesos::v1::TASK_KILLED:
    case mesos::v1::TASK_LOST:
    case mesos::v1::TASK_ERROR:
    case mesos::v1::TASK_DROPPED:
    case mesos::v1::TASK_GONE:
    case mesos::v1::TASK_GONE_BY_OPERATOR:
      return true;
    default:
      return false;
  }
}

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
