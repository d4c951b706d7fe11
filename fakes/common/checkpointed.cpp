#include "fakes/common/checkpointed.hpp"

namespace svh::fakes {

bool needsCheckpointing(const Resource& resource) {
  return !resource.has_provider_id() &&
         (isDynamicallyReserved(resource) || isPersistentVolume(resource));
}

Resource baseOf(const Resource& resource) {
  Resource base = resource;
  base.clear_shared();
  if (base.has_disk()) {
    base.mutable_disk()->clear_persistence();
    base.mutable_disk()->clear_volume();
    if (!base.disk().has_source()) base.clear_disk();
  }
  // Only the first reservation can be static; everything refined on top
  // of it is dynamic.
  while (base.reservations_size() > 0 &&
         base.reservations().rbegin()->type() == Resource::ReservationInfo::DYNAMIC) {
    base.mutable_reservations()->RemoveLast();
  }
  return base;
}

Result<Resources> applyCheckpointed(const Resources& advertised, const Resources& checkpointed) {
  Resources total = advertised;
  for (const auto& entry : checkpointed.entries()) {
    const Resource& resource = entry.resource;
    if (!needsCheckpointing(resource)) {
      return Error{"Unexpected checkpointed resources " + toString(resource)};
    }
    Resource base = baseOf(resource);
    if (!total.contains(base)) {
      return Error{"Incompatible agent resources: " + total.str() + " does not contain " +
                   toString(base)};
    }
    total.subtract(base);
    total.add(resource);
  }
  return total;
}

Resources checkpointedPart(const Resources& total) {
  return total.filter(needsCheckpointing);
}

}  // namespace svh::fakes
