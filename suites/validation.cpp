// Creating volumes and the reservations under them (SPEC 1.1, 1.4, 1.12,
// 1.13): what the master accepts and what it drops. A dropped operation has
// no effect on later offers (the only feedback 1.1 gives) and, in HEAD,
// counts in master/operations/<type>/error.

#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class Validation : public Check {
 protected:
  // Counts master/operations/<type>/error around a dropped operation, where
  // the master reports it (HEAD does; 1.1 did not).
  class DropCounter {
   public:
    DropCounter(Validation& check, std::string type)
        : check_(check),
          op_(check.cluster().master()),
          metric_("master/operations/" + type + "/error"),
          before_(read()) {}
    // Call once the drop is fenced.
    void expectOneMore() {
      if (!before_) {
        check_.outcome(metric_, "not reported by the master");
        return;
      }
      EXPECT_EQ(read().value_or(-1), *before_ + 1) << metric_;
    }

   private:
    std::optional<double> read() {
      auto metrics = op_.metrics();
      if (!metrics.contains(metric_)) return std::nullopt;
      return metrics[metric_].get<double>();
    }
    Validation& check_;
    OperatorClient op_;
    std::string metric_;
    std::optional<double> before_;
  };
  friend class DropCounter;

  // An offer to `fw` of the agent with at least `mb` MB of unreserved disk.
  static Offer unreservedDiskOffer(Framework& fw, const std::string& agent_id, double mb) {
    return fw.awaitOffer(
        allOf({onAgent(agent_id), hasScalar("disk", mb, "*")}),
        "an offer with " + std::to_string(static_cast<int>(mb)) + " MB of unreserved disk");
  }
  // Reserves `mb` MB of `offer`'s disk to `role` and returns the offer
  // that comes back with it.
  static Offer reserveDisk(Framework& fw, const Offer& offer, double mb, const std::string& role) {
    fw.accept(offer, {reserve({reservedTo(disk(mb), role, "svharness")})});
    return fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", mb, role)}),
                         "an offer with " + std::to_string(static_cast<int>(mb)) +
                             " MB of disk reserved to " + role);
  }

  // Plain (non-volume) disk reserved to `role` in `offer`.
  static double reservedDisk(const Offer& offer, const std::string& role) {
    return scalarIn(offer, "disk", role);
  }
};

SVH_MIRRORS(Validation, OnlyPersistentVolumesCanBeShared,
            "ResourceValidationTest.UnshareableResource");
SVH_CHECK(Validation, OnlyPersistentVolumesCanBeShared, "SV-MODEL-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  OperatorClient op(cluster().master());
  auto shared_disk = reservedTo(disk(32), role, "svharness");
  shared_disk.mutable_shared();
  expectAnswer(op.reserve(agent.id, {shared_disk}), 400, "Only persistent volumes can be shared");
  auto shared_cpus = reservedTo(cpus(0.1), role, "svharness");
  shared_cpus.mutable_shared();
  expectAnswer(op.reserve(agent.id, {shared_cpus}), 400, "Resource cpus cannot be shared");

  // The scheduler path drops a RESERVE of shared disk: nothing is reserved.
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 32);
  DropCounter dropped(*this, "reserve");
  fw.accept(offer, {reserve({shared_disk})});
  fw.decline(fw.awaitOfferWithout([&](const Offer& o) { return reservedDisk(o, role) > 0; },
                                  "disk reserved to " + role, returnedFrom(offer),
                                  "an offer after the RESERVE of shared disk"));
  dropped.expectOneMore();
  asserted("SV-MODEL-2");
}

SVH_MIRRORS(Validation, ACreateTurnsReservedDiskIntoTheVolumeAndADestroyTurnsItBack,
            "ResourcesOperationTest.CreateSharedPersistentVolume "
            "CreateOperationValidationTest.InsufficientDiskResource "
            "HierarchicalAllocatorTest.UpdateAllocationSharedPersistentVolume");
SVH_CHECK(Validation, ACreateTurnsReservedDiskIntoTheVolumeAndADestroyTurnsItBack,
          "SV-CREATE-2 PV-CREATE-6 SV-DESTROY-7 SV-ARITH-8") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 100);
  offer = reserveDisk(fw, offer, 100, role);

  // Too big for the reservation: dropped, the offer is as it was.
  DropCounter dropped(*this, "create");
  fw.accept(offer, {create({volume("big").role(role).size(200).shared()})});
  offer = fw.awaitOfferWithout(hasVolume("big"), "a volume larger than its reservation",
                               allOf({returnedFrom(offer), hasScalar("disk", 100, role)}),
                               "the 100 MB reserved disk unchanged");
  dropped.expectOneMore();

  // 20 MB of the 100 become the volume, count one.
  fw.accept(offer, {create({volume("v1").role(role).size(20).shared()})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}), "an offer with v1");
  EXPECT_DOUBLE_EQ(reservedDisk(offer, role), 80) << describe(offer);
  int copies = 0;
  for (const auto& r : offer.resources()) copies += r.has_disk() && r.disk().has_persistence();
  EXPECT_EQ(copies, 1) << "SV-ARITH-8: one entry per shared volume: " << describe(offer);

  // And back.
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  offer = fw.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                               allOf({returnedFrom(offer), hasScalar("disk", 100, role)}),
                               "the 100 MB reserved disk back");
  EXPECT_DOUBLE_EQ(reservedDisk(offer, role), 100) << describe(offer);
  fw.decline(offer);
  asserted("SV-CREATE-2 PV-CREATE-6 SV-DESTROY-7 SV-ARITH-8");
}

SVH_MIRRORS(Validation, PersistenceIdsAreUniquePerRoleOnAnAgent,
            "CreateOperationValidationTest.DuplicatedPersistenceID");
SVH_CHECK(Validation, PersistenceIdsAreUniquePerRoleOnAnAgent, "PV-CREATE-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = createVolumes(
      fw, agent.id,
      {volume("v1").role(role).size(32).shared(), volume("spare").role(role).size(32)});
  // A second v1 on the spare disk's reservation would be a duplicate.
  fw.accept(offer, {destroy({*findVolume(offer, "spare")})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                        "the spare volume's disk back");
  DropCounter dropped(*this, "create");
  fw.accept(offer, {create({volume("v1").role(role).size(32)})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                        "the 32 MB reserved disk still plain after a duplicate CREATE");
  dropped.expectOneMore();
  fw.decline(offer);

  // The operator path says why.
  OperatorClient op(cluster().master());
  expectAnswer(op.createVolumes(agent.id, {volume("v1").role(role).size(32)}), 400,
               "Persistence ID 'v1' is not unique");
  // So is one identical to the shared v1 there (same id, role, size and
  // shared), which a master that adds it to the agent's resources would take
  // for a second copy of v1: Mesos 1.12 accepts it and aborts later.
  expectAnswer(op.createVolumes(agent.id, {volume("v1").role(role).size(32).shared()}), 400,
               "Persistence ID 'v1' is not unique");

  // The same id in another role is another volume.
  const std::string other = ownRole("valid-other");
  Framework fw2(cluster().master(), spec(other));
  fw2.subscribe();
  fw2.decline(createVolumes(fw2, agent.id, {volume("v1").role(other).size(32).shared()}));
  asserted("PV-CREATE-3");
}

SVH_CHECK(Validation, AVolumeNeedsAVolumeInfoAValidIdAndNoHostPath, "PV-CREATE-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  OperatorClient op(cluster().master());
  auto reserved = op.reserve(agent.id, {reservedTo(disk(32), role, "svharness")});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  auto base = volume("v1").role(role).size(32).shared().build();
  auto no_volume = base;
  no_volume.mutable_disk()->clear_volume();
  auto host_path = base;
  host_path.mutable_disk()->mutable_volume()->set_host_path("/tmp");
  auto bad_id = base;
  bad_id.mutable_disk()->mutable_persistence()->set_id("a/b");
  const std::vector<std::tuple<std::string, Resource, std::string>> cases = {
      {"no volume", no_volume, "Expecting 'volume' to be set for persistent volume"},
      {"a host path", host_path, "Expecting 'host_path' to be unset for persistent volume"},
      {"an invalid id", bad_id, "Invalid persistence ID for persistent volume"},
  };
  for (const auto& [what, resource, says] : cases) {
    SCOPED_TRACE("/create-volumes with " + what);
    expectAnswer(op.createVolumes(agent.id, {resource}), 400, says);
  }
  asserted("PV-CREATE-2");
}

SVH_MIRRORS(Validation, AFrameworkNamesItsOwnPrincipalInWhatItReservesAndCreates,
            "CreateOperationValidationTest.NonMatchingPrincipal");
SVH_CHECK(Validation, AFrameworkNamesItsOwnPrincipalInWhatItReservesAndCreates,
          "PV-CREATE-4 RES-4") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));  // principal "svharness"
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 64);
  // RES-4: a reservation by someone else is dropped.
  DropCounter reserve_dropped(*this, "reserve");
  fw.accept(offer, {reserve({reservedTo(disk(32), role, "someone-else")})});
  offer = fw.awaitOfferWithout([&](const Offer& o) { return reservedDisk(o, role) > 0; },
                               "disk reserved to " + role, returnedFrom(offer),
                               "an offer after the RESERVE under another principal");
  reserve_dropped.expectOneMore();

  offer = reserveDisk(fw, offer, 32, role);
  // PV-CREATE-4: a volume with another principal, or none, is dropped.
  for (const std::string principal : {"someone-else", ""}) {
    SCOPED_TRACE("CREATE with persistence principal '" + principal + "'");
    DropCounter dropped(*this, "create");
    fw.accept(offer, {create({volume("v1").role(role).size(32).principal(principal)})});
    offer = fw.awaitOfferWithout(hasVolume("v1"), "volume v1",
                                 allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                                 "the reserved disk still plain");
    dropped.expectOneMore();
  }
  fw.decline(offer);
  asserted("PV-CREATE-4 RES-4");
}

// RES-5: reservations of one role (and labels) merge; a part can be
// unreserved; different labels keep reservations apart.
SVH_CHECK(Validation, ReservationsOfOneRoleMergeAndCanBeUnreservedInParts, "RES-5 RES-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 96);
  auto labelled = reservedTo(disk(32), role, "svharness");
  auto* label = labelled.mutable_reservations(0)->mutable_labels()->add_labels();
  label->set_key("tier");
  label->set_value("gold");
  fw.accept(offer, {reserve({reservedTo(disk(32), role, "svharness")}),
                    reserve({reservedTo(disk(32), role, "svharness")}), reserve({labelled})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 96, role)}),
                        "an offer with the three reservations");
  std::vector<double> sizes;
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == role) sizes.push_back(r.scalar().value());
  }
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<double>{32, 64})) << "RES-5: " << describe(offer);

  fw.accept(offer, {harness::unreserve({reservedTo(disk(16), role, "svharness")})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 80, role)}),
                        "an offer after unreserving 16 MB of the merged reservation");
  EXPECT_DOUBLE_EQ(reservedDisk(offer, role), 80) << describe(offer);
  fw.decline(offer);
  asserted("RES-5 RES-1");
}

SVH_CHECK(Validation, AFrameworkReservesOnlyForItsOwnRoles, "RES-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 32);
  DropCounter dropped(*this, "reserve");
  fw.accept(offer, {reserve({reservedTo(disk(32), role + "-not-mine", "svharness")})});
  fw.decline(fw.awaitOffer(returnedFrom(offer), "an offer after the RESERVE for another role"));
  dropped.expectOneMore();
  // Nobody got the reservation.
  Framework other(cluster().master(), spec(role + "-not-mine"));
  other.subscribe();
  other.decline(other.awaitOfferWithout(
      [&](const Offer& o) { return reservedDisk(o, role + "-not-mine") > 0; },
      "disk reserved to " + role + "-not-mine", allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
      "an offer of the agent to that role"));

  // The operator API reserves unallocated resources only.
  OperatorClient op(cluster().master());
  auto allocated = reservedTo(disk(32), role, "svharness");
  allocated.mutable_allocation_info()->set_role(role);
  expectAnswer(op.reserve(agent.id, {allocated}), 400,
               "only allows reservations to be made to unallocated resources");
  asserted("RES-3");
}

// RES-8: RESERVE and CREATE in one ACCEPT are applied one by one; a CREATE
// that fails leaves the reservation made.
SVH_CHECK(Validation, ReserveAndCreateInOneAcceptAreNotAtomic, "RES-8") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 32);
  fw.accept(offer, {reserve({reservedTo(disk(32), role, "svharness")}),
                    create({volume("v1").role(role).size(64).shared()})});
  fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "volume v1 (too big to create)",
                                  allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                                  "the reservation, made although the CREATE failed"));
  asserted("RES-8");
}

// RES-7: a framework of a sub-role refines its parent's reservation and,
// by unreserving, gives it back to the parent.
SVH_CHECK(Validation, ASubRoleRefinesAndReturnsItsParentsReservation, "RES-7") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "RES-7: Mesos 1.1 has no reservation refinement (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  const std::string child = role + "/child";
  Framework parent(cluster().master(), spec(role));
  parent.subscribe();
  auto offer = unreservedDiskOffer(parent, agent.id, 32);
  parent.decline(reserveDisk(parent, offer, 32, role));

  Framework fw(cluster().master(), spec(child));
  fw.subscribe();
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 32, role)}),
                        "an offer of the parent's reservation to the sub-role");
  auto refined = reservedTo(reservedTo(disk(32), role, "svharness"), child, "svharness");
  fw.accept(offer, {reserve({refined})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 32, child)}),
                        "an offer with the disk refined to " + child);
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == child) {
      EXPECT_EQ(r.reservations_size(), 2) << "a refined reservation keeps its parent's";
    }
  }
  fw.accept(offer, {harness::unreserve({refined})});
  fw.decline(fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                           "the disk back with the parent's reservation"));
  asserted("RES-7");
}

// PV-CREATE-5: one CREATE's volumes must be allocated to one role.
SVH_CHECK(Validation, TheVolumesOfOneCreateAreAllocatedToOneRole, "PV-CREATE-5") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = unreservedDiskOffer(fw, agent.id, 64);
  offer = reserveDisk(fw, offer, 64, role);
  Resource v1 = volume("v1").role(role).size(32).shared();
  Resource v2 = volume("v2").role(role).size(32).shared();
  v1.mutable_allocation_info()->set_role(role);
  v2.mutable_allocation_info()->set_role(role + "-other");
  DropCounter dropped(*this, "create");
  fw.accept(offer, {create({v1, v2})});
  fw.decline(fw.awaitOfferWithout(
      [](const Offer& o) { return findVolume(o, "v1") || findVolume(o, "v2"); },
      "a volume of the CREATE", allOf({returnedFrom(offer), hasScalar("disk", 64, role)}),
      "the reserved disk, still plain"));
  dropped.expectOneMore();
  asserted("PV-CREATE-5");
}

// SV-CREATE-5: a framework's CREATE rescinds nobody's offers. Another role's
// framework holds the agent's unreserved resources while the volume is
// created from disk reserved to the creator's role, and can still use them.
SVH_CHECK(Validation, ACreateRescindsNoOffer, "SV-CREATE-5") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "needs offer_filters (Mesos 1.7+) to offer reserved disk alone";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  OperatorClient op(cluster().master());
  auto reserved = op.reserve(agent.id, {reservedTo(disk(32), role, "svharness")});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();

  Framework holder(cluster().master(), spec(role + "-holder"));
  holder.subscribe();
  auto held = holder.awaitOffer(allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                                "an offer of the agent's unreserved resources");
  auto creator_spec = spec(role);
  creator_spec.min_allocatable = {{"disk", 1}};
  Framework creator(cluster().master(), creator_spec);
  creator.subscribe();
  auto offer = creator.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 32, role)}),
                                  "an offer of the disk reserved to " + role);
  creator.accept(offer, {create({volume("v1").role(role).size(32).shared()})});
  creator.decline(creator.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                                     "an offer with the new volume v1"));

  // The held offer is still good: a task launched from it runs.
  auto t = task("t").on(agent.id).command("true");
  holder.accept(held, {launch({t})});
  auto end = holder.awaitTaskState(t.taskId(), {TASK_FINISHED, TASK_LOST, TASK_ERROR});
  EXPECT_EQ(end.state(), TASK_FINISHED) << "SV-CREATE-5: " << describe(end);
  EXPECT_FALSE(holder.wasRescinded(held)) << "SV-CREATE-5: the CREATE rescinded an offer";
  asserted("SV-CREATE-5");
}

// A framework without RESERVATION_REFINEMENT is offered, and names,
// resources in the pre-refinement format (Resource.role, .reservation); the
// whole life of a volume works in it, as in the post-refinement one, also
// through the v1 operator API.
SVH_MIRRORS(Validation, TheWholeLifeOfAVolumeWorksInThePreRefinementFormat,
            "MasterTestPrePostReservationRefinement.ReserveCreateLaunchDestroyUnreserve "
            "MasterTestPrePostReservationRefinement.CreateAndDestroyVolumesV1");
SVH_CHECK(Validation, TheWholeLifeOfAVolumeWorksInThePreRefinementFormat,
          "SV-CREATE-1 SV-DESTROY-7 RES-1 RES-7") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("valid");
  auto old_style = spec(role);
  old_style.capabilities = {Capability::MULTI_ROLE, Capability::SHARED_RESOURCES};
  Framework fw(cluster().master(), old_style);
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  // Every offer to this framework is in the old format: a reservation is
  // `role` + `reservation`, never the refined `reservations` stack.
  auto expectOldFormat = [&](const Offer& offer) {
    for (const auto& r : offer.resources()) {
      EXPECT_EQ(r.reservations_size(), 0) << "a post-refinement resource offered to a framework "
                                             "without RESERVATION_REFINEMENT: "
                                          << describe(offer);
      if (reservedRole(r) == role) {
        EXPECT_EQ(r.role(), role) << describe(offer);
      }
    }
  };
  auto offer = unreservedDiskOffer(fw, agent.id, 32);
  expectOldFormat(offer);
  fw.accept(offer, {reserve({preRefinement(v1.reservedDisk())})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                        "an offer with the disk reserved in the old format");
  expectOldFormat(offer);
  fw.accept(offer, {create({preRefinement(v1)})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}), "an offer with v1");
  expectOldFormat(offer);
  auto t = task("t").on(agent.id).uses(preRefinement(v1)).command("echo old > data/f");
  fw.accept(offer, {launch({t})});
  fw.awaitTaskState(t.taskId(), {TASK_FINISHED});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 after its task");
  fw.accept(offer, {destroy({preRefinement(v1)})});
  offer = fw.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                               allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                               "the volume's disk back");
  fw.accept(offer, {harness::unreserve({preRefinement(v1.reservedDisk())})});
  fw.decline(fw.awaitOfferWithout([&](const Offer& o) { return reservedDisk(o, role) > 0; },
                                  "disk reserved to " + role, returnedFrom(offer),
                                  "an offer after the UNRESERVE"));

  // The v1 operator API takes the old format too.
  OperatorClient op(cluster().master());
  auto reserved = op.reserve(agent.id, {v1.reservedDisk()});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  for (auto type :
       {mesos::v1::master::Call::CREATE_VOLUMES, mesos::v1::master::Call::DESTROY_VOLUMES}) {
    mesos::v1::master::Call call;
    call.set_type(type);
    if (type == mesos::v1::master::Call::CREATE_VOLUMES) {
      call.mutable_create_volumes()->mutable_agent_id()->set_value(agent.id);
      *call.mutable_create_volumes()->add_volumes() = preRefinement(v1);
    } else {
      call.mutable_destroy_volumes()->mutable_agent_id()->set_value(agent.id);
      *call.mutable_destroy_volumes()->add_volumes() = preRefinement(v1);
    }
    auto answer = op.v1(call, runOptions().content_type);
    EXPECT_EQ(answer.result_int(), 202)
        << mesos::v1::master::Call::Type_Name(type) << ": " << answer.body();
  }
  asserted("SV-CREATE-1 SV-DESTROY-7 RES-1 RES-7");
}

}  // namespace svh::suites
