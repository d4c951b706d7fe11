#include "fakes/master/core/conversions.hpp"

#include <cmath>

namespace svh::master {

using fakes::Resource;
using Operation = mesos::v1::Offer::Operation;

namespace {

// Mesos scalar arithmetic: both operands in thousandths first.
double fixedSum(double left, double right, int sign) {
  long long sum = std::llround(left * 1000.0) + sign * std::llround(right * 1000.0);
  return static_cast<double>(sum / 1000) + static_cast<double>(sum % 1000) / 1000.0;
}

// The plain disk a volume is made from: no persistence and volume (no
// DiskInfo at all on the root disk), never shared.
Resource stripVolume(const Resource& volume) {
  Resource plain = volume;
  if (plain.disk().has_source()) {
    plain.mutable_disk()->clear_persistence();
    plain.mutable_disk()->clear_volume();
  } else {
    plain.clear_disk();
  }
  plain.clear_shared();
  return plain;
}

Resources popReservation(const Resources& resources) {
  Resources popped;
  for (const auto& entry : resources.entries()) {
    Resource resource = entry.resource;
    if (resource.reservations_size() > 0) resource.mutable_reservations()->RemoveLast();
    popped.add(resource, entry.count);
  }
  return popped;
}

}  // namespace

Result<std::vector<ResourceConversion>> conversionsFor(const Operation& operation) {
  std::vector<ResourceConversion> conversions;
  switch (operation.type()) {
    case Operation::RESERVE: {
      Resources reserved(operation.reserve().resources());
      Resources consumed = operation.reserve().source_size() > 0
                               ? Resources(operation.reserve().source())
                               : popReservation(reserved);
      conversions.push_back({consumed, reserved, nullptr});
      break;
    }
    case Operation::UNRESERVE:
      for (const Resource& reserved : operation.unreserve().resources()) {
        conversions.push_back({Resources(reserved), popReservation(Resources(reserved)), nullptr});
      }
      break;
    case Operation::CREATE:
      for (const Resource& volume : operation.create().volumes()) {
        conversions.push_back({Resources(stripVolume(volume)), Resources(volume), nullptr});
      }
      break;
    case Operation::DESTROY:
      for (const Resource& volume : operation.destroy().volumes()) {
        // The volume must be gone completely: with two accepted offers both
        // holding a shared volume, one copy would survive (SV-DESTROY-3).
        auto gone = [volume](const Resources& result) -> Problem {
          if (result.contains(volume)) {
            return "Persistent volume " + fakes::toString(volume) +
                   " cannot be removed due to additional shared copies";
          }
          return std::nullopt;
        };
        conversions.push_back({Resources(volume), Resources(stripVolume(volume)), gone});
      }
      break;
    case Operation::GROW_VOLUME: {
      const Resource& volume = operation.grow_volume().volume();
      const Resource& addition = operation.grow_volume().addition();
      if (volume.has_provider_id()) return Error{"Operation not supported for resource provider"};
      Resource grown = volume;
      grown.mutable_scalar()->set_value(
          fixedSum(volume.scalar().value(), addition.scalar().value(), +1));
      conversions.push_back({Resources(volume) + Resources(addition), Resources(grown), nullptr});
      break;
    }
    case Operation::SHRINK_VOLUME: {
      const Resource& volume = operation.shrink_volume().volume();
      if (volume.has_provider_id()) return Error{"Operation not supported for resource provider"};
      double subtract = operation.shrink_volume().subtract().value();
      Resource freed = stripVolume(volume);
      freed.mutable_scalar()->set_value(subtract);
      Resource shrunk = volume;
      shrunk.mutable_scalar()->set_value(fixedSum(volume.scalar().value(), subtract, -1));
      conversions.push_back({Resources(volume), Resources(shrunk) + Resources(freed), nullptr});
      break;
    }
    case Operation::LAUNCH:
    case Operation::LAUNCH_GROUP:
    case Operation::CREATE_DISK:
    case Operation::DESTROY_DISK:
      return Error{"Operation not supported"};
    default:
      return Error{"Unknown operation"};
  }
  return conversions;
}

Result<Resources> applyConversion(const Resources& resources,
                                  const ResourceConversion& conversion) {
  if (!resources.contains(conversion.consumed)) {
    return Error{resources.str() + " does not contain " + conversion.consumed.str()};
  }
  Resources result = resources - conversion.consumed + conversion.converted;
  if (conversion.post_validation) {
    if (auto problem = conversion.post_validation(result)) return Error{*problem};
  }
  return result;
}

Result<Resources> applyConversions(const Resources& resources,
                                   const std::vector<ResourceConversion>& conversions) {
  Resources result = resources;
  for (const auto& conversion : conversions) {
    auto next = applyConversion(result, conversion);
    if (!next) return next;
    result = std::move(*next);
  }
  return result;
}

Result<Resources> applyOperation(const Resources& resources, const Operation& operation) {
  auto conversions = conversionsFor(operation);
  if (!conversions) return Error{"Cannot get conversions: " + conversions.error()};
  return applyConversions(resources, *conversions);
}

}  // namespace svh::master
