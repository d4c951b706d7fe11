// Offer visibility (SPEC 1.5, PV-OFFER-*): which offers a volume appears in
// while tasks use it. A shared volume keeps being offered to the frameworks
// of its role; a non-shared one in use is withheld until its task ends.

#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class OfferVisibility : public Check {};

SVH_CHECK(OfferVisibility, ASharedVolumeInUseIsStillOfferedAsItWasCreated,
          "SV-OFFER-1 SV-OFFER-5 PV-OFFER-2 SV-MODEL-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("offers");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).path("data").shared();
  auto offer = createVolumes(fw, agent.id, {v1});

  // PV-OFFER-2, SV-OFFER-5: offered as created (SV-MODEL-1: `shared` set).
  auto offered = *findVolume(offer, "v1");
  EXPECT_TRUE(offered.has_shared()) << describe(offer);
  EXPECT_EQ(offered.disk().volume().container_path(), "data");
  EXPECT_EQ(offered.disk().volume().mode(), mesos::v1::Volume::RW);
  EXPECT_EQ(reservedRole(offered), role);
  EXPECT_DOUBLE_EQ(offered.scalar().value(), 32);
  asserted("PV-OFFER-2 SV-MODEL-1");

  auto user = task("user").on(agent.id).uses(v1).command(runUntilKilled());
  fw.accept(offer, {launch({user})});
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});
  // SV-OFFER-1: every offer made while the task runs holds the volume.
  for (int round = 0; round < 3; ++round) {
    auto again = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                               "an offer with shared v1 while a task uses it");
    auto still = *findVolume(again, "v1");
    EXPECT_EQ(still.disk().volume().container_path(), "data") << "SV-OFFER-5";
    EXPECT_EQ(still.disk().volume().mode(), mesos::v1::Volume::RW) << "SV-OFFER-5";
    fw.decline(again);
  }
  asserted("SV-OFFER-1 SV-OFFER-5");
}

SVH_CHECK(OfferVisibility, ANonSharedVolumeInUseIsWithheldUntilItsTaskEnds, "PV-OFFER-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("offers");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto w1 = volume("w1").role(role).size(32);
  auto offer = createVolumes(fw, agent.id, {w1});
  auto user = task("user").on(agent.id).uses(w1).command(runUntilKilled());
  fw.accept(offer, {launch({user})});
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});

  // Fenced absence (SPEC 0): offers of the agent's other resources, made
  // after the launch, never hold w1.
  for (int round = 0; round < 3; ++round) {
    fw.decline(fw.awaitOfferWithout(hasVolume("w1"), "the in-use, non-shared volume w1",
                                    returnedFrom(offer, 0.1),
                                    "an offer of the agent's other resources"));
  }
  fw.kill(user.taskId(), agent.id);
  fw.awaitTaskState(user.taskId(), {TASK_KILLED});
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasVolume("w1")}),
                           "an offer with w1 once its task ended"));
  asserted("PV-OFFER-1");
}

// The volume sits in two frameworks' outstanding offers at once (the first
// half of PersistentVolumeTest.SharedPersistentVolumeRescindOnDestroy).
SVH_MIRRORS(OfferVisibility, EveryFrameworkOfTheRoleIsOfferedTheVolumeWhileOthersHoldIt,
            "HierarchicalAllocatorTestWithParam.AllocateSharedResources");
SVH_CHECK(OfferVisibility, EveryFrameworkOfTheRoleIsOfferedTheVolumeWhileOthersHoldIt,
          "SV-OFFER-1 SV-OFFER-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("offers");
  Framework fw1(cluster().master(), spec(role));
  fw1.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw1, agent.id, {v1});
  auto splitter = task("splitter").on(agent.id).cpus(1).uses(v1).command(runUntilKilled());
  fw1.accept(offer, {launch({splitter})});
  fw1.awaitTaskState(splitter.taskId(), {TASK_RUNNING});

  // fw2 is offered the volume while fw1's task uses it, and holds that offer.
  Framework fw2(cluster().master(), spec(role));
  fw2.subscribe();
  auto held = fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                             "fw2: an offer with v1 while fw1's task uses it");

  // Once fw1's task ends, fw1 is offered the volume too, although fw2 still
  // holds an offer with it.
  fw1.kill(splitter.taskId(), agent.id);
  fw1.awaitTaskState(splitter.taskId(), {TASK_KILLED});
  auto second = fw1.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                               "fw1: an offer with v1 while fw2 holds one");
  EXPECT_NE(second.id().value(), held.id().value());
  fw1.decline(second);
  fw2.decline(held);
  asserted("SV-OFFER-1 SV-OFFER-2");
}

SVH_CHECK(OfferVisibility, FrameworksOfSubRolesAreOfferedTheVolumeOthersAreNot,
          "SV-OFFER-4 RES-7") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-OFFER-4: Mesos 1.1 has no hierarchical roles (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("offers");
  Framework owner(cluster().master(), spec(role));
  owner.subscribe();
  owner.decline(createVolumes(owner, agent.id, {volume("v1").role(role).size(32).shared()}));

  // A framework of a strict sub-role is offered it, allocated to its own role.
  Framework child(cluster().master(), spec(role + "/child"));
  child.subscribe();
  auto offer = child.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                                "an offer with v1 to a framework of " + role + "/child");
  EXPECT_EQ(findVolume(offer, "v1")->allocation_info().role(), role + "/child") << describe(offer);
  child.decline(offer);

  // A framework of another role never is: each of its offers of this agent,
  // all made after the volume existed, lacks it.
  Framework other(cluster().master(), spec(role + "-other"));
  other.subscribe();
  for (int round = 0; round < 3; ++round) {
    other.decline(other.awaitOfferWithout(hasVolume("v1"), "volume v1 of role " + role,
                                          allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                                          "an offer of the agent to another role"));
  }
  asserted("SV-OFFER-4 RES-7");
}

SVH_CHECK(OfferVisibility, DecliningOrLeavingTheVolumeDoesNotDisturbItsTasks, "SV-OFFER-6") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("offers");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto writer = task("writer").on(agent.id).uses(v1).command(
      "touch started; while true; do echo x >> data/beat; sleep 0.05; done");
  fw.accept(offer, {launch({writer})});
  fw.awaitTaskState(writer.taskId(), {TASK_RUNNING});

  // Decline offers holding the volume, and leave it unused in an ACCEPT
  // that launches something else (an implicit decline).
  for (int round = 0; round < 2; ++round) {
    fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                             "an offer with v1 to decline"));
  }
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 to leave unused");
  auto bystander = task("bystander").on(agent.id).command("true");
  fw.accept(offer, {launch({bystander})});
  fw.awaitTaskState(bystander.taskId(), {TASK_FINISHED});
  offer = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                        "an offer with v1 after the ACCEPT that left it unused");

  // The writer never noticed: it still runs, and a task sees it writing.
  auto checker = task("checker").on(agent.id).uses(v1).command(
      awaitInTask("[ -s data/beat ]", "the writer's beat") + " && size=$(wc -c < data/beat) && " +
      awaitInTask("[ $(wc -c < data/beat) -gt $size ]",
                  "the writer to keep writing after its volume was declined"));
  fw.accept(offer, {launch({checker})});
  expectTaskPasses(fw, agent, checker.taskId(),
                   "SV-OFFER-6: the writer stopped after its volume was declined");
  expectUndisturbed(fw, writer.taskId());
  asserted("SV-OFFER-6");
}

}  // namespace svh::suites
