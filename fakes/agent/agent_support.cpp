#include "fakes/agent/agent_support.hpp"

#include <pwd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "fakes/common/resource_format.hpp"
#include "harness/wire/evolve.hpp"

namespace svh::agent {

Result<TaskUser> lookUpUser(const std::string& name) {
  std::vector<char> buffer(16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  const int err = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    return Error{"Failed to get user information for '" + name +
                 "': " + (err != 0 ? std::strerror(err) : "no such user")};
  }
  return TaskUser{name, entry.pw_uid, entry.pw_gid};
}

double unixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}


bool partitionAware(const mesos::FrameworkInfo& framework) {
  for (const auto& capability : framework.capabilities()) {
    if (capability.type() == mesos::FrameworkInfo::Capability::PARTITION_AWARE) return true;
  }
  return false;
}

fakes::Resources toV1(const google::protobuf::RepeatedPtrField<mesos::Resource>& v0) {
  google::protobuf::RepeatedPtrField<mesos::v1::Resource> v1;
  for (const auto& resource : v0) *v1.Add() = wire::evolve<mesos::v1::Resource>(resource);
  fakes::upgradeResources(&v1);
  return fakes::Resources(v1);
}

std::uint64_t megabytesToBytes(double megabytes) {
  return static_cast<std::uint64_t>(std::llround(megabytes * 1048576.0));
}

std::string safeName(std::string id) {
  for (char& c : id) {
    if (c == '/' || c == '\0') c = '_';
  }
  if (id == "." || id == ".." || id.empty()) id = "_" + id;
  return id;
}

}  // namespace svh::agent
