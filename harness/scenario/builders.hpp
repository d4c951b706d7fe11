#pragma once
// Builders that make a check read like the scenario it tells:
//   volume("v1").role("eng").size(64).shared()
//   reserve({disk(64).reservedTo("eng", "ops")}), create({volume(...)}),
//   launch({task("writer").on(agent).uses(volume(...).readOnly()).command("...")})
// Resources are built in post-refinement format; a Mesos master accepts it
// from every framework.

#include <initializer_list>
#include <string>
#include <vector>

#include "mesos/v1/mesos.pb.h"

namespace svh::harness {

using Resource = mesos::v1::Resource;
using Operation = mesos::v1::Offer::Operation;
using TaskInfo = mesos::v1::TaskInfo;

Resource scalar(const std::string& name, double value);
Resource cpus(double value);
Resource mem(double value);
Resource disk(double value);
// The same resource dynamically reserved to `role` by `principal`.
Resource reservedTo(Resource resource, const std::string& role, const std::string& principal);

// The same resource in the pre-refinement format (Resource.role and
// Resource.reservation instead of Resource.reservations) that frameworks
// without RESERVATION_REFINEMENT use. Holds at most one reservation.
Resource preRefinement(Resource resource);

class VolumeBuilder {
 public:
  explicit VolumeBuilder(std::string id) : id_(std::move(id)) {}
  VolumeBuilder& role(std::string role) {
    role_ = std::move(role);
    return *this;
  }
  VolumeBuilder& principal(std::string principal) {
    principal_ = std::move(principal);
    return *this;
  }
  VolumeBuilder& size(double megabytes) {
    size_ = megabytes;
    return *this;
  }
  VolumeBuilder& path(std::string container_path) {
    path_ = std::move(container_path);
    return *this;
  }
  VolumeBuilder& shared(bool shared = true) {
    shared_ = shared;
    return *this;
  }
  VolumeBuilder& readOnly(bool read_only = true) {
    read_only_ = read_only;
    return *this;
  }

  const std::string& id() const { return id_; }
  // The volume as a Resource (CREATE, DESTROY, or a task's resources).
  Resource build() const;
  operator Resource() const { return build(); }  // NOLINT: reads as a story
  // The reserved disk the volume is made from.
  Resource reservedDisk() const;

 private:
  std::string id_;
  std::string role_ = "*";
  std::string principal_ = "svharness";
  std::string path_ = "data";
  double size_ = 64;
  bool shared_ = false;
  bool read_only_ = false;
};

VolumeBuilder volume(std::string id);

Operation reserve(std::vector<Resource> resources);
Operation unreserve(std::vector<Resource> resources);
Operation create(std::vector<Resource> volumes);
Operation destroy(std::vector<Resource> volumes);
Operation launch(std::vector<TaskInfo> tasks);
// One task group run by a default executor with id `executor_id` (the
// executor gets cpus:0.1;mem:32;disk:32 of its own, as Mesos requires).
Operation launchGroup(const std::string& executor_id, std::vector<TaskInfo> tasks);
Operation growVolume(Resource volume, Resource addition);
Operation shrinkVolume(Resource volume, double megabytes);

class TaskBuilder {
 public:
  explicit TaskBuilder(std::string name);
  TaskBuilder& id(std::string id) {
    id_ = std::move(id);
    return *this;
  }
  TaskBuilder& on(std::string agent_id) {
    agent_id_ = std::move(agent_id);
    return *this;
  }
  TaskBuilder& command(std::string shell) {
    command_ = std::move(shell);
    return *this;
  }
  TaskBuilder& cpus(double value) {
    cpus_ = value;
    return *this;
  }
  TaskBuilder& mem(double value) {
    mem_ = value;
    return *this;
  }
  // CommandInfo.user: the task runs as this user instead of the
  // framework's (SV-LAUNCH-10).
  TaskBuilder& user(std::string name) {
    user_ = std::move(name);
    return *this;
  }
  TaskBuilder& uses(Resource resource) {
    resources_.push_back(std::move(resource));
    return *this;
  }
  // Gives the task a custom executor of its own, running the command and
  // holding `resource` (and cpus:0.1;mem:32); without this the task runs
  // under the command executor.
  TaskBuilder& executorUses(Resource resource) {
    executor_resources_.push_back(std::move(resource));
    return *this;
  }

  const std::string& taskId() const { return id_; }
  TaskInfo build() const;
  operator TaskInfo() const { return build(); }  // NOLINT

 private:
  std::string name_;
  std::string id_;
  std::string agent_id_;
  std::string command_ = "true";
  std::string user_;
  double cpus_ = 0.1;
  double mem_ = 32;
  std::vector<Resource> resources_;
  std::vector<Resource> executor_resources_;
};

TaskBuilder task(std::string name);

}  // namespace svh::harness
