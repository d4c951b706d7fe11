// Operation conversions and their application: Mesos's ResourcesOperationTest
// .CreateSharedPersistentVolume / .DestroySharedPersistentVolumeMultipleCopies
// / .CreatePersistentVolumeFromMount and the apply step of
// CreateOperationValidationTest.InsufficientDiskResource.

#include "fakes/master/core/conversions.hpp"

#include <gtest/gtest.h>

#include "test_resources.hpp"

namespace svh::master {
namespace {

using namespace svh::fakes::testing;
using fakes::Resource;
using Operation = mesos::v1::Offer::Operation;

Operation create(std::initializer_list<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::CREATE);
  for (const auto& volume : volumes) *operation.mutable_create()->add_volumes() = volume;
  return operation;
}

Operation destroy(std::initializer_list<Resource> volumes) {
  Operation operation;
  operation.set_type(Operation::DESTROY);
  for (const auto& volume : volumes) *operation.mutable_destroy()->add_volumes() = volume;
  return operation;
}

// SV-CREATE-1, SV-CREATE-2: the reserved disk becomes the shared volume
// (count 1); CREATE then DESTROY is the identity; too big a volume fails.
TEST(ResourcesOperationTest, CreateSharedPersistentVolume) {
  clauses("SV-CREATE-1 SV-CREATE-2 SV-DESTROY-7");
  Resources total = resources("cpus:1;mem:512;disk(role):1000");
  Resource volume1 = diskResource("200", "role", "1", "path", std::nullopt, /*shared=*/true);

  auto created = applyOperation(total, create({volume1}));
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(resources("cpus:1;mem:512;disk(role):800") + volume1, *created);
  EXPECT_EQ(1, created->count(volume1));

  auto destroyed = applyOperation(*created, destroy({volume1}));
  ASSERT_TRUE(destroyed.ok()) << destroyed.error();
  EXPECT_EQ(total, *destroyed);

  Resource volume2 = diskResource("2000", "role", "1", "path", std::nullopt, /*shared=*/true);
  auto too_big = applyOperation(total, create({volume2}));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(
      "cpus:1; mem:512; disk(reservations: [(STATIC,role)]):1000 does not contain "
      "disk(reservations: [(STATIC,role)]):2000",
      too_big.error());
}

// SV-DESTROY-3: with two copies in the accepted resources the DESTROY fails.
TEST(ResourcesOperationTest, DestroySharedPersistentVolumeMultipleCopies) {
  clauses("SV-DESTROY-3");
  Resources total = resources("cpus:1;mem:512;disk(role):800");
  Resource volume1 = diskResource("200", "role", "1", "path", std::nullopt, /*shared=*/true);
  total += volume1;
  total += volume1;

  auto result = applyOperation(total, destroy({volume1}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(
      "Persistent volume disk(reservations: [(STATIC,role)])[1:path]<SHARED>:200 cannot be "
      "removed due to additional shared copies",
      result.error());
}

// PV-CREATE-7: a MOUNT disk is consumed whole or not at all.
TEST(ResourcesOperationTest, CreatePersistentVolumeFromMount) {
  clauses("PV-CREATE-7");
  auto source = mountSource("mnt");
  Resources total = diskResource("200", "role", std::nullopt, std::nullopt, source);

  Resource volume1 = diskResource("200", "role", "1", "path", source);
  EXPECT_TRUE(applyOperation(total, create({volume1})).ok());

  Resource volume2 = diskResource("50", "role", "1", "path", source);
  auto partial = applyOperation(total, create({volume2}));
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(
      "disk(reservations: [(STATIC,role)])[MOUNT:mnt]:200 does not contain "
      "disk(reservations: [(STATIC,role)])[MOUNT:mnt]:50",
      partial.error());
}

// PV-CREATE-6 (CreateOperationValidationTest.InsufficientDiskResource): the
// CREATE of a 2048 MB volume on a 1024 MB offer fails to apply and leaves
// the offered resources as they were.
TEST(CreateOperationValidationTest, InsufficientDiskResource) {
  clauses("PV-CREATE-6");
  Resources offered = Resources(allocated(resource("disk", "1024", "role1"), "role1"));
  Resource volume = allocated(persistentVolume(2048, "role1", "id1", "path1"), "role1");
  auto conversions = conversionsFor(create({volume}));
  ASSERT_TRUE(conversions.ok());
  auto result = applyConversions(offered, *conversions);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(
      "disk(allocated: role1)(reservations: [(STATIC,role1)]):1024 does not contain "
      "disk(allocated: role1)(reservations: [(STATIC,role1)]):2048",
      result.error());
  EXPECT_EQ(offered.str(), "disk(allocated: role1)(reservations: [(STATIC,role1)]):1024");
}

// SV-MODEL-5: CREATE consumes a non-shared plain disk; DESTROY gives one
// back. No conversion makes an existing volume shared.
TEST(ConversionsTest, SharedOnlyAtCreate) {
  clauses("SV-MODEL-5");
  Resource volume = diskResource("100", "role", "1", "path", pathSource("/p"), /*shared=*/true);

  auto created = conversionsFor(create({volume}));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(1u, created->size());
  const Resource& consumed = created->front().consumed.entries().at(0).resource;
  EXPECT_FALSE(consumed.has_shared());
  EXPECT_FALSE(consumed.disk().has_persistence());
  EXPECT_FALSE(consumed.disk().has_volume());
  EXPECT_EQ("/p", consumed.disk().source().path().root());  // the source is kept
  EXPECT_EQ(1, created->front().converted.count(volume));

  auto destroyed = conversionsFor(destroy({volume}));
  ASSERT_TRUE(destroyed.ok());
  const Resource& given_back = destroyed->front().converted.entries().at(0).resource;
  EXPECT_FALSE(given_back.has_shared());
  EXPECT_FALSE(given_back.disk().has_persistence());

  // A root-disk volume gives back a disk without any DiskInfo.
  Resource root_volume = diskResource("100", "role", "2", "path", std::nullopt, true);
  auto root = conversionsFor(destroy({root_volume}));
  ASSERT_TRUE(root.ok());
  EXPECT_FALSE(root->front().converted.entries().at(0).resource.has_disk());
}

// SV-DESTROY-9: a DESTROY of a volume that is not in the accepted offers.
TEST(ConversionsTest, DestroyOfAVolumeNotOffered) {
  clauses("SV-DESTROY-9");
  Resources offered = resources("cpus:1");
  Resource volume = diskResource("10", "role", "1", "path", std::nullopt, true);
  auto result = applyOperation(offered, destroy({volume}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ("cpus:1 does not contain disk(reservations: [(STATIC,role)])[1:path]<SHARED>:10<1>",
            result.error());
}

// SV-MODEL-4: naming the volume with the wrong `shared` flag does not match.
TEST(ConversionsTest, DestroyWithWrongSharedFlagDoesNotMatch) {
  clauses("SV-MODEL-4");
  Resource shared = diskResource("10", "role", "1", "path", std::nullopt, true);
  Resource plain = diskResource("10", "role", "1", "path");
  Resources offered = Resources(shared);
  EXPECT_FALSE(applyOperation(offered, destroy({plain})).ok());
  EXPECT_TRUE(applyOperation(offered, destroy({shared})).ok());
}

TEST(ConversionsTest, ReserveAndUnreserve) {
  clauses("RES-1");
  Resource reserved = withReservations(resource("cpus", "2"), {dynamicReservation("eng", "ops")});
  Operation reserve;
  reserve.set_type(Operation::RESERVE);
  *reserve.mutable_reserve()->add_resources() = reserved;

  Resources total = resources("cpus:4;mem:10");
  auto after = applyOperation(total, reserve);
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(resources("cpus:2;mem:10") + reserved, *after);

  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() = reserved;
  auto back = applyOperation(*after, unreserve);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(total, *back);

  // With `source`, the source is what is consumed.
  Resource refined = withReservations(resource("cpus", "2"), {dynamicReservation("eng", "ops"),
                                                              dynamicReservation("eng/a", "ops")});
  Operation with_source;
  with_source.set_type(Operation::RESERVE);
  *with_source.mutable_reserve()->add_source() = resource("cpus", "2");
  *with_source.mutable_reserve()->add_resources() = refined;
  auto conversions = conversionsFor(with_source);
  ASSERT_TRUE(conversions.ok());
  EXPECT_EQ(resources("cpus:2"), conversions->front().consumed);
  EXPECT_EQ(Resources(refined), conversions->front().converted);
}

Operation reserveOf(const Resource& resource) {
  Operation operation;
  operation.set_type(Operation::RESERVE);
  *operation.mutable_reserve()->add_resources() = resource;
  return operation;
}

Operation unreserveOf(const Resource& resource) {
  Operation operation;
  operation.set_type(Operation::UNRESERVE);
  *operation.mutable_unreserve()->add_resources() = resource;
  return operation;
}

// RES-5: two reservations of one role and labels merge; part of it can be
// unreserved; other labels stay a reservation of their own, which only its
// own labels unreserve.
TEST(ConversionsTest, ReservationsMergeAndSplit) {
  clauses("RES-5");
  auto cpus = [](const std::string& amount, std::optional<std::string> label = std::nullopt) {
    auto reservation = dynamicReservation("eng", "ops");
    if (label) {
      auto* l = reservation.mutable_labels()->add_labels();
      l->set_key("k");
      l->set_value(*label);
    }
    return withReservations(resource("cpus", amount), {reservation});
  };
  auto total = applyOperation(resources("cpus:8"), reserveOf(cpus("2")));
  ASSERT_TRUE(total.ok()) << total.error();
  total = applyOperation(*total, reserveOf(cpus("3")));
  ASSERT_TRUE(total.ok()) << total.error();
  EXPECT_EQ(resources("cpus:3") + cpus("5"), *total);
  EXPECT_EQ(2u, total->size());  // one reserved entry of 5

  total = applyOperation(*total, unreserveOf(cpus("1")));
  ASSERT_TRUE(total.ok()) << total.error();
  EXPECT_EQ(resources("cpus:4") + cpus("4"), *total);

  total = applyOperation(*total, reserveOf(cpus("1", "a")));
  ASSERT_TRUE(total.ok()) << total.error();
  EXPECT_EQ(3u, total->size());
  EXPECT_TRUE(total->contains(cpus("4")));
  EXPECT_TRUE(total->contains(cpus("1", "a")));
  auto wrong_labels = applyOperation(*total, unreserveOf(cpus("1", "b")));
  ASSERT_FALSE(wrong_labels.ok());
  EXPECT_EQ(total->str() + " does not contain " + Resources(cpus("1", "b")).str(),
            wrong_labels.error());
  auto right_labels = applyOperation(*total, unreserveOf(cpus("1", "a")));
  ASSERT_TRUE(right_labels.ok()) << right_labels.error();
  EXPECT_EQ(resources("cpus:4") + cpus("4"), *right_labels);
}

// RES-7: unreserving a refined reservation (eng -> eng/backend) gives the
// resources back to the previous owner, eng, still reserved.
TEST(ConversionsTest, UnreservingARefinementReturnsItToTheParent) {
  clauses("RES-7");
  Resource parent = withReservations(resource("disk", "64"), {dynamicReservation("eng", "ops")});
  Resource refined = withReservations(
      resource("disk", "64"),
      {dynamicReservation("eng", "ops"), dynamicReservation("eng/backend", "ops")});
  auto back = applyOperation(Resources(refined), unreserveOf(refined));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(Resources(parent), *back);
  // A further UNRESERVE makes it unreserved.
  auto free = applyOperation(*back, unreserveOf(parent));
  ASSERT_TRUE(free.ok()) << free.error();
  EXPECT_EQ(resources("disk:64"), *free);
}

TEST(ConversionsTest, GrowAndShrink) {
  Resource volume = persistentVolume(128, "role1", "id1", "path1");
  Operation grow;
  grow.set_type(Operation::GROW_VOLUME);
  *grow.mutable_grow_volume()->mutable_volume() = volume;
  *grow.mutable_grow_volume()->mutable_addition() = resource("disk", "128", "role1");
  Resources total = Resources(volume) + resource("disk", "200", "role1");
  auto grown = applyOperation(total, grow);
  ASSERT_TRUE(grown.ok()) << grown.error();
  Resource bigger = volume;
  bigger.mutable_scalar()->set_value(256);
  EXPECT_EQ(Resources(bigger) + resource("disk", "72", "role1"), *grown);

  Operation shrink;
  shrink.set_type(Operation::SHRINK_VOLUME);
  *shrink.mutable_shrink_volume()->mutable_volume() = volume;
  shrink.mutable_shrink_volume()->mutable_subtract()->set_value(64);
  auto shrunk = applyOperation(Resources(volume), shrink);
  ASSERT_TRUE(shrunk.ok()) << shrunk.error();
  Resource smaller = volume;
  smaller.mutable_scalar()->set_value(64);
  EXPECT_EQ(Resources(smaller) + resource("disk", "64", "role1"), *shrunk);

  Resource provided = volume;
  provided.mutable_provider_id()->set_value("rp");
  *shrink.mutable_shrink_volume()->mutable_volume() = provided;
  auto refused = conversionsFor(shrink);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ("Operation not supported for resource provider", refused.error());
}

TEST(ConversionsTest, UnsupportedOperations) {
  Operation launch;
  launch.set_type(Operation::LAUNCH);
  EXPECT_EQ("Operation not supported", conversionsFor(launch).error());
  EXPECT_EQ("Cannot get conversions: Operation not supported",
            applyOperation(Resources(), launch).error());
  EXPECT_EQ("Unknown operation", conversionsFor(Operation()).error());
}

// Conversions apply in order; the first failure stops.
TEST(ConversionsTest, AppliedInOrder) {
  Resource volume = diskResource("10", "role", "1", "path", std::nullopt, true);
  auto both = conversionsFor(create({volume}));
  ASSERT_TRUE(both.ok());
  auto more = conversionsFor(destroy({volume}));
  both->insert(both->end(), more->begin(), more->end());
  Resources total = resources("disk(role):10");
  auto result = applyConversions(total, *both);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(total, *result);
}

}  // namespace
}  // namespace svh::master
