#pragma once
// Small helpers the parts of the Agent class share (agent*.cpp).

#include <google/protobuf/repeated_field.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "fakes/common/resources.hpp"
#include "harness/util/result.hpp"
#include "harness/wire/task_states.hpp"
#include "mesos/mesos.pb.h"

namespace svh::agent {

// Seconds since the epoch, as Mesos timestamps are.
double unixNow();


bool partitionAware(const mesos::FrameworkInfo& framework);

// v0 resources from the master in v1, post-refinement form.
fakes::Resources toV1(const google::protobuf::RepeatedPtrField<mesos::Resource>& v0);

// A disk resource's size (MB, 2^20 bytes) in bytes.
std::uint64_t megabytesToBytes(double megabytes);

// The user a task runs as (SV-LAUNCH-10), from the user database.
struct TaskUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;  // the user's primary group
};
Result<TaskUser> lookUpUser(const std::string& name);

// A path component made from an id (ids are validated by the master, but an
// agent must not trust a path it builds from the network).
std::string safeName(std::string id);

}  // namespace svh::agent
