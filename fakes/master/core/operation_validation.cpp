// Mesos validation::operation (src/master/validation.cpp): RESERVE,
// UNRESERVE, CREATE, DESTROY, GROW_VOLUME and SHRINK_VOLUME of an ACCEPT or
// an operator call, with the checks on their resources (SV-CREATE-1,
// SV-CAP-2/3, SV-RO-1/6, SV-DESTROY-1/4/8, SV-RESIZE-1, PV-CREATE-*,
// PV-DESTROY-1/2, PV-UNRESERVE-1, RES-1..4). Two seeded faults hook in here
// (kUnreserveUnderVolume, kCreateReadOnlyVolume).

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fakes/common/resource_validation.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/core/validation_support.hpp"

namespace svh::master::validation {

using fakes::Resource;
using Operation = mesos::v1::Offer::Operation;
using Capability = mesos::v1::FrameworkInfo::Capability;

namespace {

bool hasRefinedReservations(const Resource& resource) {
  return resource.reservations_size() > 1;
}

Resources unallocated(const Resources& resources) {
  return resources.unallocate();
}

Problem validateVolumeCapabilities(const Resource& volume, const AgentCapabilities& agent,
                                   const std::string& verb) {
  const std::string role = reservationRoleOf(volume);
  if (!agent.hierarchical_role && role.find('/') != std::string::npos) {
    return "with reservation for hierarchical role '" + role + "' cannot be " + verb +
           " on an agent without HIERARCHICAL_ROLE capability";
  }
  if (!agent.reservation_refinement && hasRefinedReservations(volume)) {
    return "with reservation refinement cannot be " + verb +
           " on an agent without RESERVATION_REFINEMENT capability";
  }
  return std::nullopt;
}

// RESERVE with `source`: each side one reservation stack, same amounts.
Problem validateReservationSides(const ResourceList& resources) {
  if (resources.empty()) return "Resource cannot be empty";
  const auto& first = resources.begin()->reservations();
  for (const auto& resource : resources) {
    bool same = resource.reservations_size() == first.size() &&
                std::equal(resource.reservations().begin(), resource.reservations().end(),
                           first.begin(), fakes::sameReservation);
    if (!same) return "Mixed reservations are not supported" + formatJson(resources);
  }
  return std::nullopt;
}

Resources toUnreserved(const Resources& resources) {
  Resources out;
  for (const auto& entry : resources.entries()) {
    Resource resource = entry.resource;
    resource.clear_reservations();
    out.add(resource, entry.count);
  }
  return out;
}

}  // namespace

Problem validateReserve(const Operation::Reserve& reserve, const Principal& principal,
                        const AgentCapabilities& agent, const FrameworkInfo* framework) {
  if (auto error = validateResourceList(reserve.resources())) {
    return "Invalid resources: " + *error;
  }
  if (auto error = validateResourceList(reserve.source())) return "Invalid source: " + *error;

  if (reserve.source_size() > 0) {
    Resources source(reserve.source());
    Resources target(reserve.resources());
    if (auto error = validateReservationSides(source.toRepeated())) {
      return "Invalid source: " + *error;
    }
    if (auto error = validateReservationSides(target.toRepeated())) {
      return "Invalid resources: " + *error;
    }
    if (toUnreserved(source) != toUnreserved(target)) {
      return "Source and target resources should refer to identical resource quantities: " +
             toUnreserved(source).str() + " vs. " + toUnreserved(target).str();
    }
  }

  if (auto error = validateSingleResourceProvider(reserve.resources())) {
    return "Invalid resources: " + *error;
  }

  std::optional<std::set<std::string>> roles;
  if (framework != nullptr) roles = frameworkRoles(*framework);

  for (const Resource& resource : reserve.resources()) {
    const std::string text = fakes::toString(resource);
    if (!fakes::isDynamicallyReserved(resource)) {
      return "Resource " + text + " is not dynamically reserved";
    }
    const std::string role = reservationRoleOf(resource);
    if (!agent.hierarchical_role && role.find('/') != std::string::npos) {
      return "Resource " + text + " with reservation for hierarchical role '" + role +
             "' cannot be reserved on an agent without HIERARCHICAL_ROLE capability";
    }
    if (!agent.reservation_refinement && hasRefinedReservations(resource)) {
      return "Resource " + text +
             " with reservation refinement cannot be reserved on an agent without "
             "RESERVATION_REFINEMENT capability";
    }
    if (principal) {
      const auto& reservation = *resource.reservations().rbegin();
      if (!reservation.has_principal()) {
        return "A reserve operation was attempted by principal '" + *principal +
               "', but there is a reserved resource in the request with no principal set";
      }
      if (reservation.principal() != *principal) {
        return "A reserve operation was attempted by authenticated principal '" + *principal +
               "', which does not match a reserved resource in the request with principal '" +
               reservation.principal() + "'";
      }
    }
    if (roles) {
      if (!resource.allocation_info().has_role()) {
        return "A reserve operation was attempted on unallocated resource " + text +
               ", but frameworks can only perform reservations on allocated resources";
      }
      const std::string& allocated = resource.allocation_info().role();
      if (allocated != role) {
        return "A reserve operation was attempted for a resource with role '" + role +
               "', but the resource was allocated to role '" + allocated + "'";
      }
      if (roles->count(allocated) == 0) {
        return "A reserve operation was attempted for a resource allocated to role '" + allocated +
               "', but the framework only has roles '" + formatSet(*roles) + "'";
      }
      if (roles->count(role) == 0) {
        return "A reserve operation was attempted for a resource with role '" + role +
               "', but the framework can only reserve resources with roles '" + formatSet(*roles) +
               "'";
      }
    } else if (resource.has_allocation_info()) {
      return "A reserve operation was attempted with an allocated resource, but the operator "
             "API only allows reservations to be made to unallocated resources";
    }
  }

  if (framework != nullptr) {
    if (auto error = validateAllocatedToSingleRole(Resources(reserve.resources()))) {
      return "Invalid reservation resources: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateUnreserve(const Operation::Unreserve& unreserve, const FrameworkInfo*,
                          const fakes::Faults& faults) {
  if (auto error = validateResourceList(unreserve.resources())) {
    return "Invalid resources: " + *error;
  }
  if (auto error = validateSingleResourceProvider(unreserve.resources())) {
    return "Invalid resources: " + *error;
  }
  for (const Resource& resource : unreserve.resources()) {
    if (!fakes::isDynamicallyReserved(resource)) {
      return "Resource " + fakes::toString(resource) + " is not dynamically reserved";
    }
    if (fakes::isPersistentVolume(resource) && !faults.has(fakes::Fault::kUnreserveUnderVolume)) {
      return "A dynamically reserved persistent volume " + fakes::toString(resource) +
             " cannot be unreserved directly. Please destroy the persistent volume first then "
             "unreserve the resource";
    }
  }
  return std::nullopt;
}

Problem validateCreate(const Operation::Create& create, const Resources& checkpointed,
                       const Principal& principal, const AgentCapabilities& agent,
                       const FrameworkInfo* framework, bool shared_needs_capability,
                       const fakes::Faults& faults) {
  if (auto error = validateResourceList(create.volumes())) return "Invalid resources: " + *error;
  if (auto error = validateSingleResourceProvider(create.volumes())) {
    return "Invalid resources: " + *error;
  }
  bool read_only_allowed = faults.has(fakes::Fault::kCreateReadOnlyVolume);
  if (auto error = validatePersistentVolumes(create.volumes(), read_only_allowed)) {
    return "Not a persistent volume: " + *error;
  }
  auto duplicate = faults.has(fakes::Fault::kCreateAcceptsSharedDuplicate)
                       ? validateUniquePersistenceIds(checkpointed + Resources(create.volumes()))
                       : validateNewPersistenceIds(checkpointed, create.volumes());
  if (duplicate) return duplicate;

  for (const Resource& volume : create.volumes()) {
    const std::string text = fakes::toString(volume);
    // SV-CAP-2, only on the scheduler API (SV-CAP-3).
    if (framework != nullptr && shared_needs_capability && volume.has_shared() &&
        !hasCapability(*framework, Capability::SHARED_RESOURCES)) {
      return "Create volume operation for '" + text + "' has been attempted by framework '" +
             framework->id().value() + "' with no SHARED_RESOURCES capability";
    }
    if (auto error = validateVolumeCapabilities(volume, agent, "created")) {
      return "Volume " + text + " " + *error;
    }
    if (principal) {
      if (!volume.disk().persistence().has_principal()) {
        return "Create volume operation attempted by principal '" + *principal +
               "', but there is a volume in the operation with no principal set in "
               "'disk.persistence'";
      }
      if (volume.disk().persistence().principal() != *principal) {
        return "Create volume operation attempted by authenticated principal '" + *principal +
               "', which does not match a volume in the operation with principal '" +
               volume.disk().persistence().principal() + "' set in 'disk.persistence'";
      }
    }
  }

  if (framework != nullptr) {
    if (auto error = validateAllocatedToSingleRole(Resources(create.volumes()))) {
      return "Invalid volume resources: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateDestroy(const Operation::Destroy& destroy, const Resources& checkpointed,
                        const std::map<std::string, Resources>& used, const FrameworkInfo*) {
  // Offered volumes are allocated, endpoint ones are not: compare both
  // sides unallocated.
  Resources volumes = unallocated(Resources(destroy.volumes()));
  const ResourceList list = volumes.toRepeated();

  if (auto error = validateResourceList(list)) return "Invalid resources: " + *error;
  if (auto error = validateSingleResourceProvider(list)) return "Invalid resources: " + *error;
  if (auto error = validatePersistentVolumes(list)) return "Not a persistent volume: " + *error;

  // PV-DESTROY-2; resource providers' volumes are not checkpointed here.
  for (const auto& entry : volumes.entries()) {
    if (entry.resource.has_provider_id()) continue;
    if (!checkpointed.contains(entry.resource)) return "Persistent volumes not found";
  }

  // SV-DESTROY-1: in use by any framework's tasks or executors.
  for (const auto& [framework_id, resources] : used) {
    Resources in_use = unallocated(resources);
    for (const auto& entry : volumes.entries()) {
      if (in_use.contains(entry.resource)) return "Persistent volumes in use";
    }
  }
  return std::nullopt;
}

Problem validateDestroyPendingTasks(const Operation::Destroy& destroy,
                                    const std::vector<Resources>& pending) {
  Resources volumes = unallocated(Resources(destroy.volumes()));
  for (const auto& resources : pending) {
    Resources listed = unallocated(resources);
    for (const auto& entry : volumes.entries()) {
      if (listed.contains(entry.resource)) return "Persistent volume in pending tasks";
    }
  }
  return std::nullopt;
}

Problem validateGrowVolume(const Operation::GrowVolume& grow, const AgentCapabilities& agent) {
  if (auto error = fakes::validateResource(grow.volume())) {
    return "Invalid resource in the 'GrowVolume.volume' field: " + *error;
  }
  if (auto error = fakes::validateResource(grow.addition())) {
    return "Invalid resource in the 'GrowVolume.addition' field: " + *error;
  }
  if (toFixed(grow.addition().scalar().value()) <= 0) {
    return "The size of 'GrowVolume.addition' field must be greater than zero";
  }
  if (grow.volume().has_provider_id()) {
    return "Growing a volume from a resource provider is not supported";
  }
  if (auto error = validatePersistentVolumes(Resources(grow.volume()).toRepeated())) {
    return "Invalid persistent volume in the 'GrowVolume.volume' field: " + *error;
  }
  if (grow.volume().has_shared()) return "Growing a shared persistent volume is not supported";

  Resource plain = grow.volume();
  if (plain.disk().has_source()) {
    plain.mutable_disk()->clear_persistence();
    plain.mutable_disk()->clear_volume();
  } else {
    plain.clear_disk();
  }
  if ((Resources(plain) + Resources(grow.addition())).size() != 1) {
    return "Incompatible resources in the 'GrowVolume.volume' and 'GrowVolume.addition' fields";
  }
  if (!agent.resize_volume) {
    return "Volume " + fakes::toString(grow.volume()) +
           " cannot be grown on an agent without RESIZE_VOLUME capability";
  }
  return std::nullopt;
}

Problem validateShrinkVolume(const Operation::ShrinkVolume& shrink,
                             const AgentCapabilities& agent) {
  if (auto error = fakes::validateResource(shrink.volume())) {
    return "Invalid resource in the 'ShrinkVolume.volume' field: " + *error;
  }
  if (toFixed(shrink.subtract().value()) <= 0) {
    return "Value of 'ShrinkVolume.subtract' must be greater than zero";
  }
  if (toFixed(shrink.volume().scalar().value()) <= toFixed(shrink.subtract().value())) {
    return "Value of 'ShrinkVolume.subtract' must be smaller than the size of "
           "'ShrinkVolume.volume'";
  }
  if (shrink.volume().has_provider_id()) {
    return "Shrinking a volume from a resource provider is not supported";
  }
  if (shrink.volume().disk().source().type() == Resource::DiskInfo::Source::MOUNT) {
    return "Shrinking a volume on a MOUNT disk is not supported";
  }
  if (auto error = validatePersistentVolumes(Resources(shrink.volume()).toRepeated())) {
    return "Invalid persistent volume in the 'ShrinkVolume.volume' field: " + *error;
  }
  if (shrink.volume().has_shared()) return "Shrinking a shared persistent volume is not supported";
  if (!agent.resize_volume) {
    return "Volume " + fakes::toString(shrink.volume()) +
           " cannot be shrunk on an agent without RESIZE_VOLUME capability";
  }
  return std::nullopt;
}

}  // namespace svh::master::validation
