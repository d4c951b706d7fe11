#include "fakes/master/core/operation_resources.hpp"

namespace svh::master {

using Operation = mesos::v1::Offer::Operation;

const google::protobuf::RepeatedPtrField<mesos::v1::TaskInfo>& tasksOf(const Operation& operation) {
  static const google::protobuf::RepeatedPtrField<mesos::v1::TaskInfo> none;
  if (operation.type() == Operation::LAUNCH) return operation.launch().task_infos();
  if (operation.type() == Operation::LAUNCH_GROUP) {
    return operation.launch_group().task_group().tasks();
  }
  return none;
}

bool isLaunch(const Operation& operation) {
  return operation.type() == Operation::LAUNCH || operation.type() == Operation::LAUNCH_GROUP;
}

// Every resource list an operation carries.
std::vector<ResourceList*> resourceLists(Operation* operation) {
  std::vector<ResourceList*> lists;
  switch (operation->type()) {
    case Operation::RESERVE:
      lists.push_back(operation->mutable_reserve()->mutable_resources());
      lists.push_back(operation->mutable_reserve()->mutable_source());
      break;
    case Operation::UNRESERVE:
      lists.push_back(operation->mutable_unreserve()->mutable_resources());
      break;
    case Operation::CREATE:
      lists.push_back(operation->mutable_create()->mutable_volumes());
      break;
    case Operation::DESTROY:
      lists.push_back(operation->mutable_destroy()->mutable_volumes());
      break;
    case Operation::LAUNCH:
      for (auto& task : *operation->mutable_launch()->mutable_task_infos()) {
        lists.push_back(task.mutable_resources());
        if (task.has_executor()) lists.push_back(task.mutable_executor()->mutable_resources());
      }
      break;
    case Operation::LAUNCH_GROUP:
      lists.push_back(operation->mutable_launch_group()->mutable_executor()->mutable_resources());
      for (auto& task : *operation->mutable_launch_group()->mutable_task_group()->mutable_tasks()) {
        lists.push_back(task.mutable_resources());
      }
      break;
    default:
      break;
  }
  return lists;
}

void addAllocationInfo(Operation* operation, const std::string& role) {
  auto fill = [&](mesos::v1::Resource* resource) {
    if (!resource->has_allocation_info()) resource->mutable_allocation_info()->set_role(role);
  };
  for (auto* list : resourceLists(operation)) {
    for (auto& resource : *list) fill(&resource);
  }
  if (operation->type() == Operation::GROW_VOLUME) {
    fill(operation->mutable_grow_volume()->mutable_volume());
    fill(operation->mutable_grow_volume()->mutable_addition());
  } else if (operation->type() == Operation::SHRINK_VOLUME) {
    fill(operation->mutable_shrink_volume()->mutable_volume());
  }
}

}  // namespace svh::master
