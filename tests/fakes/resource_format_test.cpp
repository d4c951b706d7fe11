// Pre-/post-refinement and endpoint formats (PROTOCOL.md 3.3) and
// validateAndUpgradeResources on offer operations.

#include "fakes/common/resource_format.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "fakes/common/resource_validation.hpp"
#include "test_resources.hpp"

namespace svh::fakes {
namespace {

using namespace svh::fakes::testing;
using google::protobuf::util::MessageDifferencer;
using Operation = mesos::v1::Offer::Operation;

Resource preRefinement(const std::string& role, const std::optional<std::string>& principal) {
  Resource disk = resource("disk", "10");
  disk.set_role(role);
  if (principal) disk.mutable_reservation()->set_principal(*principal);
  return disk;
}

TEST(ResourceFormatTest, UpgradeUnreservedStaticDynamic) {
  Resource unreserved = preRefinement("*", std::nullopt);
  ASSERT_FALSE(upgradeResource(&unreserved));
  EXPECT_FALSE(unreserved.has_role());
  EXPECT_EQ(0, unreserved.reservations_size());

  Resource fixed = preRefinement("eng", std::nullopt);
  ASSERT_FALSE(upgradeResource(&fixed));
  EXPECT_FALSE(fixed.has_role());
  ASSERT_EQ(1, fixed.reservations_size());
  EXPECT_TRUE(MessageDifferencer::Equals(staticReservation("eng"), fixed.reservations(0)));

  Resource dynamic = preRefinement("eng", "ops");
  auto* label = dynamic.mutable_reservation()->mutable_labels()->add_labels();
  label->set_key("k");
  label->set_value("v");
  ASSERT_FALSE(upgradeResource(&dynamic));
  EXPECT_FALSE(dynamic.has_role());
  EXPECT_FALSE(dynamic.has_reservation());
  ASSERT_EQ(1, dynamic.reservations_size());
  EXPECT_EQ(Resource::ReservationInfo::DYNAMIC, dynamic.reservations(0).type());
  EXPECT_EQ("eng", dynamic.reservations(0).role());
  EXPECT_EQ("ops", dynamic.reservations(0).principal());
  EXPECT_EQ("k", dynamic.reservations(0).labels().labels(0).key());
}

// RES-2: the invalid pair is refused instead of converted.
TEST(ResourceFormatTest, UpgradeRefusesStarWithReservation) {
  clauses("RES-2");
  Resource star = preRefinement("*", "ops");
  Resource before = star;
  auto error = upgradeResource(&star);
  ASSERT_TRUE(error);
  EXPECT_EQ("Invalid reservation: role \"*\" cannot be dynamically reserved", *error);
  EXPECT_TRUE(MessageDifferencer::Equals(before, star));

  google::protobuf::RepeatedPtrField<Resource> list;
  *list.Add() = preRefinement("eng", std::nullopt);
  *list.Add() = preRefinement("*", "ops");
  error = upgradeResources(&list);
  ASSERT_TRUE(error);
  EXPECT_EQ(
      "Resource 'disk:10' is invalid: Invalid reservation: role \"*\" cannot be dynamically "
      "reserved",
      *error);
  EXPECT_TRUE(list.Get(0).has_role());  // all or nothing
}

TEST(ResourceFormatTest, UpgradeDropsEndpointEcho) {
  Resource endpoint = withReservations(resource("disk", "10"), {dynamicReservation("eng", "ops")});
  endpoint.set_role("eng");
  endpoint.mutable_reservation()->set_principal("ops");
  ASSERT_FALSE(upgradeResource(&endpoint));
  EXPECT_FALSE(endpoint.has_role());
  EXPECT_FALSE(endpoint.has_reservation());
  EXPECT_EQ(1, endpoint.reservations_size());
}

// Post -> pre -> post is the identity for every single-reservation shape.
TEST(ResourceFormatTest, DowngradeUpgradeRoundTrip) {
  std::vector<Resource> shapes = {
      resource("cpus", "2"),
      resource("mem", "64", "eng"),
      withReservations(resource("disk", "10"), {dynamicReservation("eng", "ops")}),
      persistentVolume(64, "eng", "v1", "data", "ops", std::nullopt, "ops", /*shared=*/true),
  };
  for (const auto& post : shapes) {
    Resource copy = post;
    ASSERT_TRUE(downgradeResource(&copy));
    EXPECT_TRUE(copy.has_role());
    EXPECT_EQ(0, copy.reservations_size());
    ASSERT_FALSE(upgradeResource(&copy));
    EXPECT_TRUE(MessageDifferencer::Equals(post, copy)) << copy.DebugString();
  }
}

TEST(ResourceFormatTest, DowngradeRefusesRefined) {
  Resource refined = withReservations(resource("cpus", "1"),
                                      {staticReservation("eng"), dynamicReservation("eng/a", "p")});
  Resource before = refined;
  EXPECT_FALSE(downgradeResource(&refined));
  EXPECT_TRUE(MessageDifferencer::Equals(before, refined));

  google::protobuf::RepeatedPtrField<Resource> list;
  *list.Add() = resource("mem", "1", "eng");
  *list.Add() = refined;
  EXPECT_FALSE(downgradeResources(&list));
  EXPECT_EQ(1, list.Get(0).reservations_size());  // nothing changed
}

TEST(ResourceFormatTest, EndpointFormat) {
  Resource unreserved = resource("cpus", "1");
  toEndpointFormat(&unreserved);
  EXPECT_EQ("*", unreserved.role());
  EXPECT_TRUE(unreserved.has_role());

  Resource dynamic = withReservations(resource("disk", "10"), {dynamicReservation("eng", "ops")});
  toEndpointFormat(&dynamic);
  EXPECT_EQ("eng", dynamic.role());
  EXPECT_EQ("ops", dynamic.reservation().principal());
  EXPECT_EQ(1, dynamic.reservations_size());
  EXPECT_FALSE(validateResource(dynamic));  // a consistent pair

  Resource fixed = resource("disk", "10", "eng");
  toEndpointFormat(&fixed);
  EXPECT_EQ("eng", fixed.role());
  EXPECT_FALSE(fixed.has_reservation());
  EXPECT_EQ(1, fixed.reservations_size());

  Resource refined = withReservations(resource("cpus", "1"),
                                      {staticReservation("eng"), dynamicReservation("eng/a", "p")});
  toEndpointFormat(&refined);
  EXPECT_FALSE(refined.has_role());
  EXPECT_EQ(2, refined.reservations_size());

  // And back.
  ASSERT_FALSE(upgradeResource(&dynamic));
  EXPECT_FALSE(dynamic.has_role());
}

TEST(ResourceFormatTest, NestedResourcesOfMessages) {
  mesos::v1::TaskInfo task;
  task.set_name("t");
  task.mutable_task_id()->set_value("t");
  task.mutable_agent_id()->set_value("a");
  *task.add_resources() = preRefinement("eng", "ops");
  *task.mutable_executor()->add_resources() = preRefinement("eng", std::nullopt);
  ASSERT_FALSE(upgradeResources(&task));
  EXPECT_EQ(Resource::ReservationInfo::DYNAMIC, task.resources(0).reservations(0).type());
  EXPECT_EQ(Resource::ReservationInfo::STATIC, task.executor().resources(0).reservations(0).type());

  ASSERT_TRUE(downgradeResources(&task));
  EXPECT_EQ("eng", task.resources(0).role());
  EXPECT_EQ("ops", task.resources(0).reservation().principal());
  EXPECT_EQ(0, task.executor().resources(0).reservations_size());

  *task.add_resources() = preRefinement("*", "ops");
  auto error = upgradeResources(&task);
  ASSERT_TRUE(error);
  EXPECT_NE(std::string::npos, error->find("cannot be dynamically reserved"));
}

TEST(ResourceFormatTest, ValidateAndUpgradeOperation) {
  Operation create;
  create.set_type(Operation::CREATE);
  auto error = validateAndUpgradeResources(&create);
  ASSERT_TRUE(error);
  EXPECT_EQ("A CREATE offer operation must have the Offer.Operation.create field set.", *error);

  Resource shared_plain = resource("disk", "10", "eng");
  shared_plain.mutable_shared();
  *create.mutable_create()->add_volumes() = shared_plain;
  error = validateAndUpgradeResources(&create);
  ASSERT_TRUE(error);
  EXPECT_EQ(
      "Resource 'disk(reservations: [(STATIC,eng)])<SHARED>:10' is invalid: Only persistent "
      "volumes can be shared",
      *error);

  Operation grow;
  grow.set_type(Operation::GROW_VOLUME);
  error = validateAndUpgradeResources(&grow);
  ASSERT_TRUE(error);
  EXPECT_EQ("A GROW_VOLUME operation must have the Offer.Operation.grow_volume field set", *error);

  Operation unknown;
  EXPECT_EQ("Unknown offer operation", validateAndUpgradeResources(&unknown).value_or(""));

  Operation destroy;
  destroy.set_type(Operation::DESTROY);
  Resource volume = preRefinement("eng", "ops");
  *volume.mutable_disk() = diskInfo("v1", "data");
  *destroy.mutable_destroy()->add_volumes() = volume;
  ASSERT_FALSE(validateAndUpgradeResources(&destroy));
  EXPECT_FALSE(destroy.destroy().volumes(0).has_role());
  EXPECT_EQ("eng", destroy.destroy().volumes(0).reservations(0).role());
}

}  // namespace
}  // namespace svh::fakes
