#include "fakes/common/resource_validation.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <string_view>

#include "fakes/common/resources.hpp"

namespace svh::fakes {

using mesos::v1::Value;
using Reservation = Resource::ReservationInfo;
using Source = Resource::DiskInfo::Source;

namespace {

std::vector<std::string> splitNonEmpty(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == separator) {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

Problem checkScalar(const Resource& resource) {
  if (!resource.has_scalar() || resource.has_ranges() || resource.has_set()) {
    return "Invalid scalar resource";
  }
  // Negative values, and positive ones too small for three decimals, are
  // refused; exactly zero is fine (an empty resource).
  double value = resource.scalar().value();
  if (value != 0 && std::llround(value * 1000.0) <= 0) {
    return "Invalid scalar resource: value <= 0";
  }
  return std::nullopt;
}

Problem checkRanges(const Resource& resource) {
  if (resource.has_scalar() || !resource.has_ranges() || resource.has_set()) {
    return "Invalid ranges resource";
  }
  const auto& ranges = resource.ranges().range();
  for (int i = 0; i < ranges.size(); ++i) {
    if (ranges[i].begin() > ranges[i].end()) return "Invalid ranges resource: begin > end";
    // Mesos only looks for a later range starting inside an earlier one.
    for (int j = i + 1; j < ranges.size(); ++j) {
      if (ranges[i].begin() <= ranges[j].begin() && ranges[j].begin() <= ranges[i].end()) {
        return "Invalid ranges resource: overlapping ranges";
      }
    }
  }
  return std::nullopt;
}

Problem checkSet(const Resource& resource) {
  if (resource.has_scalar() || resource.has_ranges() || !resource.has_set()) {
    return "Invalid set resource";
  }
  const auto& items = resource.set().item();
  for (int i = 0; i < items.size(); ++i) {
    for (int j = i + 1; j < items.size(); ++j) {
      if (items[i] == items[j]) return "Invalid set resource: duplicated elements";
    }
  }
  return std::nullopt;
}

Problem checkDisk(const Resource& resource) {
  if (!resource.has_disk()) return std::nullopt;
  if (resource.name() != "disk") {
    return "DiskInfo should not be set for " + resource.name() + " resource";
  }
  if (!resource.disk().has_source()) return std::nullopt;
  const Source& source = resource.disk().source();
  switch (source.type()) {
    case Source::PATH:
    case Source::MOUNT:
      return std::nullopt;
    case Source::BLOCK:
    case Source::RAW: {
      const std::string type = Source::Type_Name(source.type());
      if (source.has_mount()) return "Mount should not be set for " + type + " disk source";
      if (source.has_path()) return "Path should not be set for " + type + " disk source";
      return std::nullopt;
    }
    default:
      return "Unsupported 'DiskInfo.Source.Type' in '" + toString(source) + "'";
  }
}

// Pre-refinement format: `role` (default "*") plus an optional
// `reservation` that carries only principal and labels.
Problem checkPreRefinement(const Resource& resource) {
  if (auto error = validateRole(resource.role())) return error;
  if (!resource.has_reservation()) return std::nullopt;
  if (resource.reservation().has_type()) {
    return "'Resource.ReservationInfo.type' must not be set for the 'Resource.reservation' "
           "field";
  }
  if (resource.reservation().has_role()) {
    return "'Resource.ReservationInfo.role' must not be set for the 'Resource.reservation' "
           "field";
  }
  if (resource.role() == "*") {
    return "Invalid reservation: role \"*\" cannot be dynamically reserved";
  }
  return std::nullopt;
}

// A single reservation may also be written in the old fields, as long as
// both forms say the same (the "endpoint" format).
Problem checkSingleReservationEcho(const Resource& resource) {
  const Reservation& reservation = resource.reservations(0);
  if (resource.has_role() && resource.role() != reservation.role()) {
    return "Invalid resource format: 'Resource.role' field with '" + resource.role() +
           "' does not match the role '" + reservation.role() + "' in 'Resource.reservations'";
  }
  switch (reservation.type()) {
    case Reservation::STATIC:
      if (resource.has_reservation()) {
        return "Invalid resource format: 'Resource.reservation' must not be set if the single "
               "reservation in 'Resource.reservations' is STATIC";
      }
      return std::nullopt;
    case Reservation::DYNAMIC:
      if (resource.has_role() != resource.has_reservation()) {
        return "Invalid resource format: 'Resource.role' and 'Resource.reservation' must either "
               "be both set or both not set if the single reservation in "
               "'Resource.reservations' is DYNAMIC";
      }
      if (resource.has_reservation() &&
          resource.reservation().principal() != reservation.principal()) {
        return "Invalid resource format: 'Resource.reservation.principal' field with '" +
               resource.reservation().principal() + "' does not match the principal '" +
               reservation.principal() + "' in 'Resource.reservations'";
      }
      if (resource.has_reservation() &&
          !sameLabels(resource.reservation().labels(), reservation.labels())) {
        return "Invalid resource format: 'Resource.reservation.labels' field with '" +
               toString(resource.reservation().labels()) + "' does not match the labels '" +
               toString(reservation.labels()) + "' in 'Resource.reservations'";
      }
      return std::nullopt;
    default:
      return "Unsupported 'Resource.ReservationInfo.Type'";
  }
}

Problem checkPostRefinement(const Resource& resource) {
  for (const Reservation& reservation : resource.reservations()) {
    if (!reservation.has_type()) {
      return "Invalid reservation: 'Resource.ReservationInfo.type' field must be set.";
    }
    if (!reservation.has_role()) {
      return "Invalid reservation: 'Resource.ReservationInfo.role' field must be set.";
    }
    if (auto error = validateRole(reservation.role())) return error;
    if (reservation.role() == "*") return "Invalid reservation: role \"*\" cannot be reserved";
  }

  // Each later reservation refines the one before it.
  std::string ancestor = resource.reservations(0).role();
  for (int i = 1; i < resource.reservations_size(); ++i) {
    const Reservation& reservation = resource.reservations(i);
    if (reservation.type() == Reservation::STATIC) {
      return "Invalid refined reservation: A refined reservation cannot be STATIC";
    }
    if (!isStrictSubroleOf(reservation.role(), ancestor)) {
      return "Invalid refined reservation: role '" + reservation.role() +
             "' is not a refinement of '" + ancestor + "'";
    }
    ancestor = reservation.role();
  }

  if (resource.reservations_size() == 1) return checkSingleReservationEcho(resource);
  if (resource.has_role()) {
    return "Invalid resource format: 'Resource.role' must not be set if there is more than one "
           "reservation in 'Resource.reservations'";
  }
  if (resource.has_reservation()) {
    return "Invalid resource format: 'Resource.reservation' must not be set if there is more "
           "than one reservation in 'Resource.reservations'";
  }
  return std::nullopt;
}

// SV-MODEL-2: sharing is for persistent volumes only.
Problem checkShared(const Resource& resource) {
  if (!resource.has_shared()) return std::nullopt;
  if (resource.name() != "disk") return "Resource " + resource.name() + " cannot be shared";
  if (!resource.has_disk() || !resource.disk().has_persistence()) {
    return "Only persistent volumes can be shared";
  }
  return std::nullopt;
}

}  // namespace

Problem validateResource(const Resource& resource) {
  if (resource.name().empty()) return "Empty resource name";
  if (!Value::Type_IsValid(resource.type())) return "Invalid resource type";

  Problem error;
  switch (resource.type()) {
    case Value::SCALAR:
      error = checkScalar(resource);
      break;
    case Value::RANGES:
      error = checkRanges(resource);
      break;
    case Value::SET:
      error = checkSet(resource);
      break;
    default:
      error = "Unsupported resource type";
      break;
  }
  if (error) return error;

  if ((error = checkDisk(resource))) return error;

  error = resource.reservations_size() == 0 ? checkPreRefinement(resource)
                                            : checkPostRefinement(resource);
  if (error) return error;

  return checkShared(resource);
}

Problem validateResources(const google::protobuf::RepeatedPtrField<Resource>& resources) {
  for (const Resource& resource : resources) {
    if (auto error = validateResource(resource)) {
      return "Resource '" + toString(resource) + "' is invalid: " + *error;
    }
  }
  return std::nullopt;
}

Problem validateRole(const std::string& role) {
  if (role == "*") return std::nullopt;
  if (!role.empty() && role.front() == '/') {
    return "Role '" + role + "' cannot start with a slash";
  }
  if (!role.empty() && role.back() == '/') return "Role '" + role + "' cannot end with a slash";
  if (role.find("//") != std::string::npos) {
    return "Role '" + role + "' cannot contain two adjacent slashes";
  }

  const auto components = splitNonEmpty(role, '/');
  if (components.empty()) return "Role names cannot be the empty string";

  // Whitespace (tab, newline, vertical tab, form feed, carriage return,
  // space) and DEL.
  static constexpr std::string_view kForbidden = "\x09\x0a\x0b\x0c\x0d\x20\x7f";
  for (const auto& component : components) {
    if (component == ".") return "Role '" + role + "' cannot include '.' as a component";
    if (component == "..") return "Role '" + role + "' cannot include '..' as a component";
    if (component == "*") return "Role '" + role + "' cannot include '*' as a component";
    if (component.front() == '-') {
      return "Role component '" + component + "' is invalid because it starts with a dash";
    }
    if (component.find_first_of(kForbidden) != std::string::npos) {
      return "Role component '" + component +
             "' is invalid because it contains backspace or whitespace";
    }
  }
  return std::nullopt;
}

Problem validateRoles(const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    if (auto error = validateRole(role)) return error;
  }
  return std::nullopt;
}

bool isStrictSubroleOf(const std::string& role, const std::string& ancestor) {
  return role.size() > ancestor.size() && role[ancestor.size()] == '/' &&
         role.compare(0, ancestor.size(), ancestor) == 0;
}

Problem validateId(const std::string& id) {
  if (id.empty()) return "ID must not be empty";
  if (id.size() > NAME_MAX) {
    return "ID must not be greater than " + std::to_string(NAME_MAX) + " characters";
  }
  if (id == "." || id == "..") return "'" + id + "' is disallowed";
  bool bad = std::any_of(id.begin(), id.end(), [](char c) {
    return std::iscntrl(static_cast<unsigned char>(c)) || c == '/' || c == '\\';
  });
  if (bad) return "'" + id + "' contains invalid characters";
  return std::nullopt;
}

}  // namespace svh::fakes
