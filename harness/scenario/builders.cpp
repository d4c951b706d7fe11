#include "harness/scenario/builders.hpp"

#include <atomic>

namespace svh::harness {

Resource scalar(const std::string& name, double value) {
  Resource resource;
  resource.set_name(name);
  resource.set_type(mesos::v1::Value::SCALAR);
  resource.mutable_scalar()->set_value(value);
  return resource;
}

Resource cpus(double value) {
  return scalar("cpus", value);
}
Resource mem(double value) {
  return scalar("mem", value);
}
Resource disk(double value) {
  return scalar("disk", value);
}

Resource reservedTo(Resource resource, const std::string& role, const std::string& principal) {
  auto* reservation = resource.add_reservations();
  reservation->set_type(Resource::ReservationInfo::DYNAMIC);
  reservation->set_role(role);
  if (!principal.empty()) reservation->set_principal(principal);
  return resource;
}

Resource preRefinement(Resource resource) {
  if (resource.reservations_size() == 0) {
    resource.set_role("*");
    return resource;
  }
  const auto last = resource.reservations(resource.reservations_size() - 1);
  resource.clear_reservations();
  resource.set_role(last.role());
  if (last.type() == Resource::ReservationInfo::DYNAMIC) {
    auto* reservation = resource.mutable_reservation();
    if (last.has_principal()) reservation->set_principal(last.principal());
    if (last.has_labels()) *reservation->mutable_labels() = last.labels();
  }
  return resource;
}

Resource VolumeBuilder::reservedDisk() const {
  return reservedTo(disk(size_), role_, principal_);
}

Resource VolumeBuilder::build() const {
  Resource resource = reservedDisk();
  auto* persistence = resource.mutable_disk()->mutable_persistence();
  persistence->set_id(id_);
  if (!principal_.empty()) persistence->set_principal(principal_);
  auto* volume = resource.mutable_disk()->mutable_volume();
  volume->set_container_path(path_);
  volume->set_mode(read_only_ ? mesos::v1::Volume::RO : mesos::v1::Volume::RW);
  if (shared_) resource.mutable_shared();
  return resource;
}

VolumeBuilder volume(std::string id) {
  return VolumeBuilder(std::move(id));
}

namespace {
template <typename List>
void fill(List* list, const std::vector<Resource>& resources) {
  for (const auto& resource : resources) *list->Add() = resource;
}
}  // namespace

Operation reserve(std::vector<Resource> resources) {
  Operation operation;
  operation.set_type(Operation::RESERVE);
  fill(operation.mutable_reserve()->mutable_resources(), resources);
  return operation;
}

Operation unreserve(std::vector<Resource> resources) {
  Operation operation;
  operation.set_type(Operation::UNRESERVE);
  fill(operation.mutable_unreserve()->mutable_resources(), resources);
  return operation;
}

Operation create(std::vector<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::CREATE);
  fill(operation.mutable_create()->mutable_volumes(), volumes);
  return operation;
}

Operation destroy(std::vector<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::DESTROY);
  fill(operation.mutable_destroy()->mutable_volumes(), volumes);
  return operation;
}

Operation launch(std::vector<TaskInfo> tasks) {
  Operation operation;
  operation.set_type(Operation::LAUNCH);
  for (auto& task : tasks) *operation.mutable_launch()->add_task_infos() = std::move(task);
  return operation;
}

Operation launchGroup(const std::string& executor_id, std::vector<TaskInfo> tasks) {
  Operation operation;
  operation.set_type(Operation::LAUNCH_GROUP);
  auto* executor = operation.mutable_launch_group()->mutable_executor();
  executor->set_type(mesos::v1::ExecutorInfo::DEFAULT);
  executor->mutable_executor_id()->set_value(executor_id);
  *executor->add_resources() = harness::cpus(0.1);
  *executor->add_resources() = harness::mem(32);
  *executor->add_resources() = harness::disk(32);
  auto* group = operation.mutable_launch_group()->mutable_task_group();
  for (auto& task : tasks) *group->add_tasks() = std::move(task);
  return operation;
}

Operation growVolume(Resource volume, Resource addition) {
  Operation operation;
  operation.set_type(Operation::GROW_VOLUME);
  *operation.mutable_grow_volume()->mutable_volume() = std::move(volume);
  *operation.mutable_grow_volume()->mutable_addition() = std::move(addition);
  return operation;
}

Operation shrinkVolume(Resource volume, double megabytes) {
  Operation operation;
  operation.set_type(Operation::SHRINK_VOLUME);
  *operation.mutable_shrink_volume()->mutable_volume() = std::move(volume);
  operation.mutable_shrink_volume()->mutable_subtract()->set_value(megabytes);
  return operation;
}

TaskBuilder::TaskBuilder(std::string name) : name_(std::move(name)) {
  static std::atomic<int> counter{0};
  id_ = name_ + "-" + std::to_string(++counter);
}

TaskInfo TaskBuilder::build() const {
  TaskInfo info;
  info.set_name(name_);
  info.mutable_task_id()->set_value(id_);
  info.mutable_agent_id()->set_value(agent_id_);
  *info.add_resources() = harness::cpus(cpus_);
  *info.add_resources() = harness::mem(mem_);
  for (const auto& resource : resources_) *info.add_resources() = resource;
  if (executor_resources_.empty()) {
    info.mutable_command()->set_shell(true);
    info.mutable_command()->set_value(command_);
    if (!user_.empty()) info.mutable_command()->set_user(user_);
  } else {
    // A task has a command or an executor, never both.
    auto* executor = info.mutable_executor();
    executor->set_type(mesos::v1::ExecutorInfo::CUSTOM);
    executor->mutable_executor_id()->set_value(id_ + "-executor");
    executor->mutable_command()->set_value(command_);
    if (!user_.empty()) executor->mutable_command()->set_user(user_);
    *executor->add_resources() = harness::cpus(0.1);
    *executor->add_resources() = harness::mem(32);
    for (const auto& resource : executor_resources_) *executor->add_resources() = resource;
  }
  return info;
}

TaskBuilder task(std::string name) {
  return TaskBuilder(std::move(name));
}

}  // namespace svh::harness
