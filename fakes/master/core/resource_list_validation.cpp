// Mesos validation::resource (src/master/validation.cpp): the checks on a
// list of resources that an operation, a task or an executor uses, such as
// DiskInfo rules (PV-CREATE-1/2), unique persistence ids (PV-CREATE-3), one
// allocation role, one resource provider, persistent volumes (PV-DESTROY-1,
// SV-RO-1/6). The checks of one resource alone are
// fakes/common/resource_validation.cpp.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/validation_support.hpp"

namespace svh::master::validation {

using fakes::Resource;

namespace {

Problem validateGpus(const ResourceList& resources) {
  double gpus = Resources(resources).scalar("gpus");
  if (static_cast<long long>(gpus * 1000.0) % 1000 != 0) {
    return "The 'gpus' resource must be an unsigned integer";
  }
  return std::nullopt;
}

Problem validateDiskInfo(const ResourceList& resources) {
  for (const Resource& resource : resources) {
    if (!resource.has_disk()) continue;
    const auto& disk = resource.disk();
    if (disk.has_persistence()) {
      if (resource.has_revocable()) {
        return "Persistent volumes cannot be created from revocable resources";
      }
      if (!fakes::isReserved(resource)) {
        return "Persistent volumes cannot be created from unreserved resources";
      }
      if (!disk.has_volume()) return "Expecting 'volume' to be set for persistent volume";
      if (disk.volume().has_host_path()) {
        return "Expecting 'host_path' to be unset for persistent volume";
      }
      if (auto error = fakes::validateId(disk.persistence().id())) {
        return "Invalid persistence ID for persistent volume: " + *error;
      }
    } else if (disk.has_volume()) {
      return "Non-persistent volume not supported";
    } else if (!disk.has_source()) {
      return "DiskInfo is set but empty";
    }
  }
  return std::nullopt;
}

Problem validateDynamicReservationInfo(const ResourceList& resources) {
  for (const Resource& resource : resources) {
    if (fakes::isDynamicallyReserved(resource) && resource.has_revocable()) {
      return "Dynamically reserved resource " + fakes::toString(resource) +
             " cannot be created from revocable resources";
    }
  }
  return std::nullopt;
}

}  // namespace

Problem validateResourceList(const ResourceList& resources) {
  if (auto error = fakes::validateResources(resources)) return "Invalid resources: " + *error;
  if (auto error = validateGpus(resources)) return "Invalid 'gpus' resource: " + *error;
  if (auto error = validateDiskInfo(resources)) return "Invalid DiskInfo: " + *error;
  if (auto error = validateDynamicReservationInfo(resources)) {
    return "Invalid ReservationInfo: " + *error;
  }
  return std::nullopt;
}

Problem validateUniquePersistenceIds(const Resources& resources) {
  std::map<std::string, std::set<std::string>> ids_by_role;
  const Resources volumes = resources.persistentVolumes();
  for (const auto& entry : volumes.entries()) {
    const std::string& id = entry.resource.disk().persistence().id();
    if (!ids_by_role[reservationRoleOf(entry.resource)].insert(id).second) {
      return "Persistence ID '" + id + "' is not unique";
    }
  }
  return std::nullopt;
}

Problem validateNewPersistenceIds(const Resources& checkpointed, const ResourceList& volumes) {
  std::map<std::string, std::set<std::string>> ids_by_role;
  for (const auto& entry : checkpointed.persistentVolumes().entries()) {
    ids_by_role[reservationRoleOf(entry.resource)].insert(entry.resource.disk().persistence().id());
  }
  for (const Resource& volume : volumes) {
    if (!fakes::isPersistentVolume(volume)) continue;
    const std::string& id = volume.disk().persistence().id();
    if (!ids_by_role[reservationRoleOf(volume)].insert(id).second) {
      return "Persistence ID '" + id + "' is not unique";
    }
  }
  return std::nullopt;
}

Problem validateAllocatedToSingleRole(const Resources& resources) {
  std::optional<std::string> first;
  for (const auto& entry : resources.entries()) {
    const auto& allocation = entry.resource.allocation_info();
    if (!allocation.has_role()) return "The resources are not allocated to a role";
    if (!first) {
      first = allocation.role();
    } else if (allocation.role() != *first) {
      return "The resources have multiple allocation roles ('" + allocation.role() + "' and '" +
             *first + "') but only one allocation role is allowed";
    }
  }
  return std::nullopt;
}

Problem validateSingleResourceProvider(const ResourceList& resources) {
  bool without = false;
  std::vector<std::string> providers;
  for (const auto& resource : resources) {
    if (!resource.has_provider_id()) {
      without = true;
    } else if (std::find(providers.begin(), providers.end(), resource.provider_id().value()) ==
               providers.end()) {
      providers.push_back(resource.provider_id().value());
    }
  }
  std::size_t kinds = providers.size() + (without ? 1 : 0);
  if (kinds == 1) return std::nullopt;
  if (without) return "Some resources have a resource provider and some do not";
  // Mesos lists the ids in hash-set order; for two ids that is the reverse
  // of first use, which is what we print.
  std::string list;
  for (auto it = providers.rbegin(); it != providers.rend(); ++it) {
    if (!list.empty()) list += ", ";
    list += *it;
  }
  return "The resources have multiple resource providers: " + list;
}

Problem validatePersistentVolumes(const ResourceList& resources, bool read_only_allowed) {
  for (const Resource& volume : resources) {
    if (!volume.has_disk()) {
      return "Resource " + fakes::toString(volume) + " does not have DiskInfo";
    }
    if (!volume.disk().has_persistence()) return "'persistence' is not set in DiskInfo";
    if (!volume.disk().has_volume()) return "Expecting 'volume' to be set for persistent volume";
    if (volume.disk().volume().mode() == mesos::v1::Volume::RO && !read_only_allowed) {
      return "Read-only persistent volume not supported";
    }
  }
  return std::nullopt;
}

Problem validateRevocableAndNonRevocable(const Resources& resources) {
  std::set<std::string> names;
  for (const auto& entry : resources.entries()) names.insert(entry.resource.name());
  for (const auto& name : names) {
    Resources named = resources.filter([&](const Resource& r) { return r.name() == name; });
    Resources revocable = named.revocable();
    if (!revocable.empty() && named != revocable) {
      return "Cannot use both revocable and non-revocable '" + name + "' at the same time";
    }
  }
  return std::nullopt;
}

}  // namespace svh::master::validation
