#pragma once
// Builders for the resources Mesos's own unit tests use (their
// createDiskResource, createPersistentVolume, ...), so our versions of those
// scenarios read like the originals.

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>

#include "fakes/common/resource_parse.hpp"
#include "fakes/common/resources.hpp"

namespace svh::fakes::testing {

using mesos::v1::Volume;
using Source = Resource::DiskInfo::Source;

// Records the SPEC.md clause ids a test checks (shown in JUnit XML).
inline void clauses(const std::string& ids) {
  ::testing::Test::RecordProperty("clauses", ids);
}

// Mesos Resources::parse(name, value, role).
inline Resource resource(const std::string& name, const std::string& value,
                         const std::string& role = "*") {
  auto parsed = parseResource(name, value, role);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  return parsed.ok() ? *parsed : Resource();
}

// Mesos Resources::parse(text), which our --resources parser implements.
inline Resources resources(const std::string& text) {
  auto parsed = parseResourcesFlag(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error());
  return parsed.ok() ? *parsed : Resources();
}

inline Resource::ReservationInfo dynamicReservation(
    const std::string& role, const std::optional<std::string>& principal = std::nullopt) {
  Resource::ReservationInfo reservation;
  reservation.set_type(Resource::ReservationInfo::DYNAMIC);
  reservation.set_role(role);
  if (principal) reservation.set_principal(*principal);
  return reservation;
}

inline Resource::ReservationInfo staticReservation(const std::string& role) {
  Resource::ReservationInfo reservation;
  reservation.set_type(Resource::ReservationInfo::STATIC);
  reservation.set_role(role);
  return reservation;
}

inline Source mountSource(const std::optional<std::string>& root = std::nullopt) {
  Source source;
  source.set_type(Source::MOUNT);
  if (root) source.mutable_mount()->set_root(*root);
  return source;
}

inline Source pathSource(const std::optional<std::string>& root = std::nullopt) {
  Source source;
  source.set_type(Source::PATH);
  if (root) source.mutable_path()->set_root(*root);
  return source;
}

// Mesos createDiskInfo: the volume only when a container path is given,
// mode RW unless said otherwise.
inline Resource::DiskInfo diskInfo(const std::optional<std::string>& id,
                                   const std::optional<std::string>& path,
                                   std::optional<Volume::Mode> mode = std::nullopt,
                                   const std::optional<std::string>& host_path = std::nullopt,
                                   const std::optional<Source>& source = std::nullopt,
                                   const std::optional<std::string>& principal = std::nullopt) {
  Resource::DiskInfo info;
  if (id) info.mutable_persistence()->set_id(*id);
  if (principal) info.mutable_persistence()->set_principal(*principal);
  if (path) {
    auto* volume = info.mutable_volume();
    volume->set_container_path(*path);
    volume->set_mode(mode ? *mode : Volume::RW);
    if (host_path) volume->set_host_path(*host_path);
  }
  if (source) *info.mutable_source() = *source;
  return info;
}

// Mesos createDiskResource: disk statically reserved to `role` (unless
// "*"), with DiskInfo when an id, path or source is given.
inline Resource diskResource(const std::string& value, const std::string& role,
                             const std::optional<std::string>& id,
                             const std::optional<std::string>& path,
                             const std::optional<Source>& source = std::nullopt,
                             bool shared = false) {
  Resource disk = resource("disk", value, role);
  if (id || path || source) {
    *disk.mutable_disk() = diskInfo(id, path, std::nullopt, std::nullopt, source);
    if (shared) disk.mutable_shared();
  }
  return disk;
}

// Mesos createPersistentVolume(size, role, id, path, reservationPrincipal,
// source, creatorPrincipal, shared): with a reservation principal the
// reservation becomes DYNAMIC.
inline Resource persistentVolume(double megabytes, const std::string& role, const std::string& id,
                                 const std::string& path,
                                 const std::optional<std::string>& reservation_principal = {},
                                 const std::optional<Source>& source = {},
                                 const std::optional<std::string>& creator_principal = {},
                                 bool shared = false) {
  std::ostringstream size;
  size << megabytes;
  Resource volume = resource("disk", size.str(), role);
  *volume.mutable_disk() =
      diskInfo(id, path, std::nullopt, std::nullopt, source, creator_principal);
  if (reservation_principal) {
    auto& reservation = *volume.mutable_reservations()->rbegin();
    reservation.set_type(Resource::ReservationInfo::DYNAMIC);
    reservation.set_principal(*reservation_principal);
  }
  if (shared) volume.mutable_shared();
  return volume;
}

inline Resource allocated(Resource resource, const std::string& role) {
  resource.mutable_allocation_info()->set_role(role);
  return resource;
}

inline Resource withReservations(Resource resource,
                                 std::initializer_list<Resource::ReservationInfo> stack) {
  resource.clear_reservations();
  for (const auto& reservation : stack) *resource.add_reservations() = reservation;
  return resource;
}

}  // namespace svh::fakes::testing
