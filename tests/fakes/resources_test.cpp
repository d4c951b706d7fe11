// Resource arithmetic with shared copy counts: Mesos's SharedResourcesTest.*,
// ResourcesTest.Count and ResourcesTest.ContainsResourceQuantities
// (src/tests/resources_tests.cpp), redone on fakes::Resources, plus the
// SPEC.md SV-MODEL and SV-ARITH clauses they stand for.

#include "fakes/common/resources.hpp"

#include <gtest/gtest.h>

#include "test_resources.hpp"

namespace svh::fakes {
namespace {

using namespace svh::fakes::testing;

// SV-ARITH-7: "disk(reservations: [(STATIC,role1)])[id1:path1]<SHARED>:64<1>".
TEST(SharedResourcesTest, Printing) {
  clauses("SV-ARITH-7");
  Resources volume =
      persistentVolume(64, "role1", "id1", "path1", std::nullopt, std::nullopt, "principal1",
                       /*shared=*/true);
  EXPECT_EQ("disk(reservations: [(STATIC,role1)])[id1:path1]<SHARED>:64<1>", volume.str());
  EXPECT_EQ("disk(reservations: [(STATIC,role1)])[id1:path1]<SHARED>:64<2>",
            (volume + volume).str());
}

// SV-ARITH-1, SV-ARITH-6: copies add up, the disk quantity does not.
TEST(SharedResourcesTest, ScalarAdditionShared) {
  clauses("SV-ARITH-1 SV-ARITH-6");
  Resource disk = diskResource("50", "role1", "1", "path", std::nullopt, /*shared=*/true);

  Resources r1;
  r1 += resource("cpus", "1");
  r1 += resource("mem", "5");
  r1 += disk;
  EXPECT_EQ(1, r1.count(disk));

  Resources r2 = resources("cpus:2;mem:10") + disk;
  EXPECT_EQ(1, r2.count(disk));

  Resources sum = r1 + r2;
  EXPECT_FALSE(sum.empty());
  EXPECT_EQ(3u, sum.size());
  EXPECT_EQ(3, sum.scalar("cpus"));
  EXPECT_EQ(15, sum.scalar("mem"));
  EXPECT_EQ(50, sum.scalar("disk"));
  EXPECT_EQ(2, sum.count(disk));

  Resources r = r1;
  r += r2;
  EXPECT_EQ(r, sum);
}

// SV-ARITH-2, SV-ARITH-5: subtraction takes copies away; at zero the
// volume is gone and no longer contained.
TEST(SharedResourcesTest, ScalarSubtractionShared) {
  clauses("SV-ARITH-2 SV-ARITH-5");
  Resource disk = diskResource("8192", "role1", "1", "path", std::nullopt, /*shared=*/true);

  Resources r1 = resources("cpus:40;mem:4096") + disk + disk;
  Resources r2 = resources("cpus:5;mem:512") + disk;

  Resources diff = r1 - r2;
  EXPECT_FALSE(diff.empty());
  EXPECT_EQ(3u, diff.size());
  EXPECT_EQ(35, diff.scalar("cpus"));
  EXPECT_EQ(3584, diff.scalar("mem"));
  EXPECT_EQ(8192, diff.scalar("disk"));
  EXPECT_EQ(1, diff.count(disk));
  EXPECT_TRUE(diff.contains(disk));

  Resources r = r1;
  r -= r2;
  EXPECT_EQ(diff, r);

  EXPECT_EQ(2, r1.count(disk));
  EXPECT_TRUE(r1.contains(disk));
  EXPECT_EQ(1, r2.count(disk));
  EXPECT_TRUE(r2.contains(disk));

  EXPECT_EQ(0, (r1 - r2 - r2).count(disk));
  EXPECT_FALSE((r1 - r2 - r2).contains(disk));
  EXPECT_EQ(0, (r2 - r1).count(disk));
  EXPECT_FALSE((r2 - r1).contains(disk));
}

// SV-ARITH-1, SV-ARITH-2, SV-ARITH-5: algebra with counts 4 and 3.
TEST(SharedResourcesTest, ScalarSharedCompoundExpressions) {
  clauses("SV-ARITH-1 SV-ARITH-2 SV-ARITH-5");
  Resource disk = diskResource("50", "role1", "1", "path", std::nullopt, /*shared=*/true);

  Resources r1 = resources("cpus:2;mem:10") + disk + disk + disk + disk;
  Resources r2 = resources("cpus:2;mem:10") + disk + disk + disk;
  EXPECT_EQ(4, r1.count(disk));
  EXPECT_EQ(3, r2.count(disk));

  EXPECT_EQ(r1 + r1 - r1, r1);
  EXPECT_EQ(r1 + r2 - r1, r2);
  EXPECT_EQ(r2 + r1 - r2, r1);
  EXPECT_EQ(r2 + r1 - r1, r2);
  EXPECT_EQ(r2 - r1 + r1, r1);
  EXPECT_EQ(r1 - r2 + r2, r1);

  EXPECT_TRUE((r2 - r1).empty());
  EXPECT_FALSE((r1 - r2).empty());
}

// SV-ARITH-3: different shared volumes keep separate counts and do not
// subtract from each other.
TEST(SharedResourcesTest, ScalarNonEqualSharedOperations) {
  clauses("SV-ARITH-3");
  Resource disk1 = diskResource("50", "role1", "1", "path1", std::nullopt, /*shared=*/true);
  Resource disk2 = diskResource("100", "role1", "2", "path2", std::nullopt, /*shared=*/true);

  Resources r1 = Resources(disk1) + disk2;
  EXPECT_EQ(1, r1.count(disk1));
  EXPECT_EQ(1, r1.count(disk2));

  Resources r2 = Resources(disk1) + disk2 - disk1;
  EXPECT_EQ(0, r2.count(disk1));
  EXPECT_EQ(1, r2.count(disk2));

  Resources r3 = Resources(disk1) - disk2;
  EXPECT_EQ(1, r3.count(disk1));
  EXPECT_EQ(0, r3.count(disk2));
}

// SV-ARITH-3: the same id and path but another size is another shared
// resource.
TEST(SharedResourcesTest, SameIdDifferentSizeIsAnotherSharedResource) {
  clauses("SV-ARITH-3 SV-MODEL-3");
  Resource small = diskResource("50", "role1", "1", "path", std::nullopt, /*shared=*/true);
  Resource large = diskResource("100", "role1", "1", "path", std::nullopt, /*shared=*/true);
  Resources both = Resources(small) + large;
  EXPECT_EQ(2u, both.size());
  EXPECT_EQ(1, both.count(small));
  EXPECT_EQ(1, (both - large).count(small));
  EXPECT_FALSE(Resources(small).contains(large));
}

// SV-ARITH-4, SV-MODEL-4: shared and non-shared never add, subtract or
// contain each other.
TEST(SharedResourcesTest, ScalarSharedAndNonSharedOperations) {
  clauses("SV-ARITH-4 SV-MODEL-4");
  Resource shared = diskResource("100", "role1", "1", "path", std::nullopt, /*shared=*/true);
  Resource plain = diskResource("100", "role1", "1", "path");

  Resources r1 = resources("cpus:1;mem:5") + shared;
  Resources r2 = resources("cpus:1;mem:5") + plain;
  EXPECT_FALSE(r2.contains(r1));
  EXPECT_FALSE(r1.contains(r2));

  Resources r3 = shared;
  r3 += shared;
  r3 += plain;
  EXPECT_FALSE(r3.empty());
  EXPECT_EQ(2u, r3.size());
  EXPECT_EQ(200, r3.scalar("disk"));
  EXPECT_EQ(2, r3.count(shared));
  EXPECT_EQ(1, r3.count(plain));

  Resources r4 = plain;
  r4 -= shared;
  EXPECT_EQ(r4, Resources(plain));
}

// SV-ARITH-9: shared() and nonShared() partition.
TEST(SharedResourcesTest, Filter) {
  clauses("SV-ARITH-9");
  Resources r1 = diskResource("10", "role1", "1", "path", std::nullopt, /*shared=*/true);
  EXPECT_EQ(r1, r1.shared());
  EXPECT_TRUE(r1.nonShared().empty());

  Resources r2 = diskResource("20", "role2", std::nullopt, std::nullopt);
  EXPECT_TRUE(r2.shared().empty());
  EXPECT_EQ(r2, r2.nonShared());

  EXPECT_EQ(r1, (r1 + r2).shared());
  EXPECT_EQ(r2, (r1 + r2).nonShared());

  Resources plain = resources("cpus:1;mem:512;disk:1000");
  Resources sum = plain + r1 + r2;
  EXPECT_EQ(r1, sum.shared());
  EXPECT_EQ(plain + r2, sum.nonShared());
}

// SV-ARITH-1: count is the copy count for shared resources and at most 1
// otherwise; a merged scalar no longer equals its parts.
TEST(ResourcesTest, Count) {
  clauses("SV-ARITH-1");
  Resource shared = diskResource("100", "role1", "1", "path1", std::nullopt, /*shared=*/true);
  EXPECT_EQ(1, Resources(shared).count(shared));
  EXPECT_EQ(2, (Resources(shared) + shared).count(shared));

  Resource plain = diskResource("100", "role1", "1", "path1");
  EXPECT_EQ(1, Resources(plain).count(plain));
  EXPECT_EQ(1, (Resources(plain) + plain).count(plain));

  Resource cpus = resource("cpus", "1");
  EXPECT_EQ(1, Resources(cpus).count(cpus));
  EXPECT_EQ(0, (Resources(cpus) + cpus).count(cpus));
}

// SV-ARITH-6: quantities count each distinct shared volume once.
TEST(ResourcesTest, ContainsResourceQuantities) {
  clauses("SV-ARITH-6");
  EXPECT_TRUE(Resources().containsQuantities({}));
  EXPECT_FALSE(Resources().containsQuantities({{"cpus", 1}}));
  EXPECT_TRUE(resources("cpus:2").containsQuantities({{"cpus", 1}}));
  EXPECT_FALSE(resources("cpus:0.5").containsQuantities({{"cpus", 1}}));
  EXPECT_TRUE(resources("ports:[1-2]").containsQuantities({{"ports", 2}}));
  EXPECT_FALSE(resources("ports:[1-1]").containsQuantities({{"ports", 2}}));
  EXPECT_TRUE(resources("features:{a,b}").containsQuantities({{"features", 2}}));
  EXPECT_FALSE(resources("features:{a}").containsQuantities({{"features", 2}}));
  EXPECT_FALSE(resources("cpus(role1):2").containsQuantities({{"cpus", 3}}));
  EXPECT_TRUE(resources("cpus(role1):2;cpus:1").containsQuantities({{"cpus", 3}}));

  Resource volume = persistentVolume(64, "role1", "id1", "path1", std::nullopt, std::nullopt,
                                     "principal1", /*shared=*/true);
  Resources twice = Resources(volume) + volume;
  EXPECT_FALSE(twice.containsQuantities({{"disk", 128}}));
  twice += resources("disk:64");
  EXPECT_TRUE(twice.containsQuantities({{"disk", 128}}));
}

// SV-ARITH-6: V(100)x2 + non-shared disk(100) has disk = 200.
TEST(ResourcesTest, SharedVolumeCountsOnceInScalarTotals) {
  clauses("SV-ARITH-6");
  Resource volume = diskResource("100", "role1", "1", "path", std::nullopt, /*shared=*/true);
  Resources total =
      Resources(volume) + volume + diskResource("100", "role1", std::nullopt, std::nullopt);
  EXPECT_EQ(200, total.scalar("disk"));
  EXPECT_EQ(200, *total.disk());
}

// SV-ARITH-8: one protobuf entry per distinct shared resource.
TEST(ResourcesTest, ProtobufListCarriesNoCounts) {
  clauses("SV-ARITH-8");
  Resource volume = diskResource("100", "role1", "1", "path", std::nullopt, /*shared=*/true);
  Resources three = Resources(volume) + volume + volume;
  ASSERT_EQ(1, three.toRepeated().size());
  EXPECT_EQ(1u, three.toVector().size());
  EXPECT_EQ(1, Resources(three.toRepeated()).count(volume));
}

// SV-ARITH-1: identical non-shared persistent volumes never merge: they
// stay two entries (as in Mesos), each counted once.
TEST(ResourcesTest, NonSharedVolumesNeverMerge) {
  clauses("SV-ARITH-1");
  Resource volume = diskResource("100", "role1", "1", "path");
  Resources twice;
  twice.add(volume);
  twice.add(volume);
  EXPECT_EQ(2u, twice.size());
  EXPECT_EQ(1, twice.count(volume));
  EXPECT_EQ(200, twice.scalar("disk"));
  EXPECT_EQ(1u, (twice - volume).size());
}

// SV-MODEL-1: shared iff the `shared` field is present.
TEST(ResourcesTest, SharedIsPresenceOfTheField) {
  clauses("SV-MODEL-1");
  Resource volume = diskResource("10", "role1", "1", "path");
  EXPECT_FALSE(isShared(volume));
  volume.mutable_shared();
  EXPECT_TRUE(isShared(volume));
}

// SV-MODEL-3: identity ignores container_path, mode and the persistence
// principal, but not the id, the size or the reservation.
TEST(ResourcesTest, VolumeIdentityIgnoresVolumeInfoAndCreator) {
  clauses("SV-MODEL-3");
  Resource volume = persistentVolume(64, "role1", "id1", "path1", "ops", std::nullopt, "alice",
                                     /*shared=*/true);
  Resource other_path = volume;
  other_path.mutable_disk()->mutable_volume()->set_container_path("elsewhere");
  other_path.mutable_disk()->mutable_volume()->set_mode(mesos::v1::Volume::RO);
  other_path.mutable_disk()->mutable_persistence()->set_principal("bob");
  EXPECT_TRUE(sameResource(volume, other_path));
  EXPECT_TRUE(Resources(volume).contains(other_path));

  Resource other_id = volume;
  other_id.mutable_disk()->mutable_persistence()->set_id("id2");
  EXPECT_FALSE(Resources(volume).contains(other_id));

  Resource other_role = withReservations(volume, {dynamicReservation("role2", "ops")});
  EXPECT_FALSE(Resources(volume).contains(other_role));

  Resource allocated_copy = allocated(volume, "role1");
  EXPECT_FALSE(Resources(volume).contains(allocated_copy));
  EXPECT_TRUE(Resources(allocated_copy).unallocate().contains(volume));
}

// Reservation labels compare as an unordered list, as in Mesos.
TEST(ResourcesTest, ReservationLabelsCompareUnordered) {
  clauses("SV-MODEL-3");
  auto labelled = [](std::initializer_list<std::pair<const char*, const char*>> labels) {
    Resource cpus = resource("cpus", "1");
    auto reservation = dynamicReservation("role", "ops");
    for (const auto& [key, value] : labels) {
      auto* label = reservation.mutable_labels()->add_labels();
      label->set_key(key);
      label->set_value(value);
    }
    return withReservations(cpus, {reservation});
  };
  EXPECT_TRUE(sameResource(labelled({{"a", "1"}, {"b", "2"}}), labelled({{"b", "2"}, {"a", "1"}})));
  EXPECT_FALSE(sameResource(labelled({{"a", "1"}}), labelled({{"a", "2"}})));
}

// Like Mesos, adding an invalid resource (here: shared plain disk,
// SV-MODEL-2) or a zero one is a no-op, and nothing contains it.
TEST(ResourcesTest, InvalidAndEmptyResourcesAreIgnored) {
  clauses("SV-MODEL-2");
  Resource shared_disk = resource("disk", "10", "role1");
  shared_disk.mutable_shared();
  EXPECT_TRUE(Resources(shared_disk).empty());
  EXPECT_FALSE(resources("disk(role1):10").contains(shared_disk));

  Resource negative = resource("cpus", "1");
  negative.mutable_scalar()->set_value(-1);
  EXPECT_TRUE(Resources(negative).empty());
  EXPECT_FALSE(resources("cpus:4").contains(negative));

  EXPECT_TRUE(Resources(resource("cpus", "0")).empty());
}

// A MOUNT disk is exclusive: never merged, and only taken out whole.
TEST(ResourcesTest, MountDisksAreExclusive) {
  clauses("PV-CREATE-7");
  Resource mount = diskResource("200", "role", std::nullopt, std::nullopt, mountSource("mnt"));
  Resources twice = Resources(mount) + mount;
  EXPECT_EQ(2u, twice.size());
  Resource part = diskResource("50", "role", std::nullopt, std::nullopt, mountSource("mnt"));
  EXPECT_FALSE(Resources(mount).contains(part));
  EXPECT_TRUE(Resources(mount).contains(mount));
}

TEST(ResourcesTest, PrintingScalarsRangesSetsAndReservations) {
  Resources mixed = resources("cpus:1.5;ports:[31000-32000];foo:{a,b}");
  EXPECT_EQ("cpus:1.5; ports:[31000-32000]; foo:{a, b}", mixed.str());
  EXPECT_EQ("{}", Resources().str());

  Resource reserved =
      withReservations(resource("mem", "0.1234"), {dynamicReservation("eng", "ops")});
  reserved.mutable_allocation_info()->set_role("eng");
  EXPECT_EQ("mem(allocated: eng)(reservations: [(DYNAMIC,eng,ops)]):0.123", toString(reserved));

  Resource mount_volume =
      persistentVolume(10, "r", "v1", "data", std::nullopt, mountSource("/mnt/a"));
  EXPECT_EQ("disk(reservations: [(STATIC,r)])[MOUNT:/mnt/a,v1:data]:10", toString(mount_volume));
}

}  // namespace
}  // namespace svh::fakes
