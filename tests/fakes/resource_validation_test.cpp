// Resources::validate, roles::validate and validateID texts, including
// Mesos's ResourceValidationTest.UnshareableResource / .SharedPersistentVolume
// (SV-MODEL-2) and the reservation-format checks (RES-2, PROTOCOL.md 3.3).

#include "fakes/common/resource_validation.hpp"

#include <gtest/gtest.h>

#include "test_resources.hpp"

namespace svh::fakes {
namespace {

using namespace svh::fakes::testing;

std::string errorOf(const Resource& resource) {
  auto error = validateResource(resource);
  return error ? *error : "";
}

// SV-MODEL-2, ResourceValidationTest.UnshareableResource.
TEST(ResourceValidationTest, UnshareableResource) {
  clauses("SV-MODEL-2");
  Resource volume = resource("disk", "128", "role1");
  volume.mutable_shared();
  EXPECT_EQ("Only persistent volumes can be shared", errorOf(volume));

  Resource cpus = resource("cpus", "1");
  cpus.mutable_shared();
  EXPECT_EQ("Resource cpus cannot be shared", errorOf(cpus));
}

// SV-MODEL-2, ResourceValidationTest.SharedPersistentVolume.
TEST(ResourceValidationTest, SharedPersistentVolume) {
  clauses("SV-MODEL-2");
  Resource volume = resource("disk", "128", "role1");
  *volume.mutable_disk() = diskInfo("id1", "path1");
  volume.mutable_shared();
  EXPECT_FALSE(validateResource(volume));
}

TEST(ResourceValidationTest, ValueShapes) {
  Resource unnamed = resource("cpus", "1");
  unnamed.clear_name();
  EXPECT_EQ("Empty resource name", errorOf(unnamed));

  Resource scalar = resource("cpus", "1");
  scalar.mutable_ranges();
  EXPECT_EQ("Invalid scalar resource", errorOf(scalar));
  scalar.clear_ranges();
  scalar.mutable_scalar()->set_value(-1);
  EXPECT_EQ("Invalid scalar resource: value <= 0", errorOf(scalar));
  scalar.mutable_scalar()->set_value(0.0001);  // rounds to zero thousandths
  EXPECT_EQ("Invalid scalar resource: value <= 0", errorOf(scalar));
  scalar.mutable_scalar()->set_value(0);
  EXPECT_EQ("", errorOf(scalar));

  Resource ports = resource("ports", "[1-10]");
  ports.mutable_ranges()->mutable_range(0)->set_begin(11);
  EXPECT_EQ("Invalid ranges resource: begin > end", errorOf(ports));
  ports = resource("ports", "[1-10]");
  auto* more = ports.mutable_ranges()->add_range();
  more->set_begin(5);
  more->set_end(20);
  EXPECT_EQ("Invalid ranges resource: overlapping ranges", errorOf(ports));

  Resource set = resource("foo", "{a,b}");
  set.mutable_set()->add_item("a");
  EXPECT_EQ("Invalid set resource: duplicated elements", errorOf(set));

  Resource text = resource("cpus", "1");
  text.set_type(mesos::v1::Value::TEXT);
  EXPECT_EQ("Unsupported resource type", errorOf(text));
}

TEST(ResourceValidationTest, DiskInfoOnlyOnDisk) {
  Resource cpus = resource("cpus", "1");
  *cpus.mutable_disk() = diskInfo("id", "path");
  EXPECT_EQ("DiskInfo should not be set for cpus resource", errorOf(cpus));

  Resource block = resource("disk", "10");
  block.mutable_disk()->mutable_source()->set_type(Source::BLOCK);
  block.mutable_disk()->mutable_source()->mutable_mount();
  EXPECT_EQ("Mount should not be set for BLOCK disk source", errorOf(block));

  Resource unknown = resource("disk", "10");
  unknown.mutable_disk()->mutable_source()->set_type(Source::UNKNOWN);
  EXPECT_EQ("Unsupported 'DiskInfo.Source.Type' in 'UNKNOWN'", errorOf(unknown));
}

// RES-2 and the two reservation formats.
TEST(ResourceValidationTest, ReservationFormats) {
  clauses("RES-2");
  Resource star = withReservations(resource("disk", "10"), {dynamicReservation("*", "ops")});
  EXPECT_EQ("Invalid reservation: role \"*\" cannot be reserved", errorOf(star));

  Resource old_star = resource("disk", "10");
  old_star.set_role("*");
  old_star.mutable_reservation()->set_principal("ops");
  EXPECT_EQ("Invalid reservation: role \"*\" cannot be dynamically reserved", errorOf(old_star));

  Resource old_dynamic = resource("disk", "10");
  old_dynamic.set_role("eng");
  old_dynamic.mutable_reservation()->set_principal("ops");
  EXPECT_EQ("", errorOf(old_dynamic));
  old_dynamic.mutable_reservation()->set_role("eng");
  EXPECT_EQ("'Resource.ReservationInfo.role' must not be set for the 'Resource.reservation' field",
            errorOf(old_dynamic));

  Resource bad_role = resource("disk", "10");
  bad_role.set_role("-eng");
  EXPECT_EQ("Role component '-eng' is invalid because it starts with a dash", errorOf(bad_role));

  Resource untyped = resource("disk", "10");
  untyped.add_reservations()->set_role("eng");
  EXPECT_EQ("Invalid reservation: 'Resource.ReservationInfo.type' field must be set.",
            errorOf(untyped));

  Resource refined = withReservations(resource("cpus", "1"),
                                      {staticReservation("eng"), dynamicReservation("ops", "p")});
  EXPECT_EQ("Invalid refined reservation: role 'ops' is not a refinement of 'eng'",
            errorOf(refined));
  refined = withReservations(resource("cpus", "1"),
                             {dynamicReservation("eng"), staticReservation("eng/a")});
  EXPECT_EQ("Invalid refined reservation: A refined reservation cannot be STATIC",
            errorOf(refined));
  refined = withReservations(resource("cpus", "1"),
                             {staticReservation("eng"), dynamicReservation("eng/a", "p")});
  EXPECT_EQ("", errorOf(refined));
  refined.set_role("eng/a");
  EXPECT_EQ(
      "Invalid resource format: 'Resource.role' must not be set if there is more than one "
      "reservation in 'Resource.reservations'",
      errorOf(refined));

  // The endpoint format: both forms, consistent.
  Resource both = withReservations(resource("cpus", "1"), {dynamicReservation("eng", "ops")});
  both.set_role("eng");
  both.mutable_reservation()->set_principal("ops");
  EXPECT_EQ("", errorOf(both));
  both.set_role("other");
  EXPECT_EQ(
      "Invalid resource format: 'Resource.role' field with 'other' does not match the role "
      "'eng' in 'Resource.reservations'",
      errorOf(both));
  both.set_role("eng");
  both.mutable_reservation()->set_principal("mallory");
  EXPECT_EQ(
      "Invalid resource format: 'Resource.reservation.principal' field with 'mallory' does not "
      "match the principal 'ops' in 'Resource.reservations'",
      errorOf(both));
  both.clear_reservation();
  EXPECT_EQ(
      "Invalid resource format: 'Resource.role' and 'Resource.reservation' must either be both "
      "set or both not set if the single reservation in 'Resource.reservations' is DYNAMIC",
      errorOf(both));

  Resource static_both = resource("cpus", "1", "eng");
  static_both.set_role("eng");
  EXPECT_EQ("", errorOf(static_both));
  static_both.mutable_reservation();
  EXPECT_EQ(
      "Invalid resource format: 'Resource.reservation' must not be set if the single "
      "reservation in 'Resource.reservations' is STATIC",
      errorOf(static_both));
}

TEST(ResourceValidationTest, ListNamesTheResource) {
  google::protobuf::RepeatedPtrField<Resource> list;
  *list.Add() = resource("cpus", "1");
  Resource shared = resource("disk", "128", "role1");
  shared.mutable_shared();
  *list.Add() = shared;
  auto error = validateResources(list);
  ASSERT_TRUE(error);
  EXPECT_EQ(
      "Resource 'disk(reservations: [(STATIC,role1)])<SHARED>:128' is invalid: Only persistent "
      "volumes can be shared",
      *error);
}

TEST(RoleValidationTest, MesosTexts) {
  EXPECT_FALSE(validateRole("*"));
  EXPECT_FALSE(validateRole("eng"));
  EXPECT_FALSE(validateRole("eng/backend"));
  EXPECT_FALSE(validateRole("a*b"));
  EXPECT_EQ("Role names cannot be the empty string", validateRole("").value_or(""));
  EXPECT_EQ("Role '/a' cannot start with a slash", validateRole("/a").value_or(""));
  EXPECT_EQ("Role 'a/' cannot end with a slash", validateRole("a/").value_or(""));
  EXPECT_EQ("Role 'a//b' cannot contain two adjacent slashes", validateRole("a//b").value_or(""));
  EXPECT_EQ("Role 'a/./b' cannot include '.' as a component", validateRole("a/./b").value_or(""));
  EXPECT_EQ("Role '..' cannot include '..' as a component", validateRole("..").value_or(""));
  EXPECT_EQ("Role 'a/*' cannot include '*' as a component", validateRole("a/*").value_or(""));
  EXPECT_EQ("Role component 'a b' is invalid because it contains backspace or whitespace",
            validateRole("a b").value_or(""));
  EXPECT_TRUE(isStrictSubroleOf("eng/a", "eng"));
  EXPECT_FALSE(isStrictSubroleOf("eng", "eng"));
  EXPECT_FALSE(isStrictSubroleOf("engineering", "eng"));
}

// PV-CREATE-2: persistence ids follow the common id rules.
TEST(IdValidationTest, MesosTexts) {
  clauses("PV-CREATE-2");
  EXPECT_FALSE(validateId("task-1.a_b"));
  EXPECT_EQ("ID must not be empty", validateId("").value_or(""));
  EXPECT_EQ("ID must not be greater than 255 characters",
            validateId(std::string(256, 'x')).value_or(""));
  EXPECT_EQ("'..' is disallowed", validateId("..").value_or(""));
  EXPECT_EQ("'id1/' contains invalid characters", validateId("id1/").value_or(""));
  EXPECT_EQ("'a\\b' contains invalid characters", validateId("a\\b").value_or(""));
  EXPECT_EQ("'a\tb' contains invalid characters", validateId("a\tb").value_or(""));
}

}  // namespace
}  // namespace svh::fakes
