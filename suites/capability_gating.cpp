// Capability gating (SPEC 1.3): only frameworks that registered with
// SHARED_RESOURCES are offered shared volumes or may create them; operators
// always may.

#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class CapabilityGating : public Check {
 protected:
  FrameworkSpec capable(const std::string& role) {
    return {.role = role, .content_type = runOptions().content_type};
  }
  FrameworkSpec incapable(const std::string& role) {
    return {.role = role,
            .capabilities = {Capability::MULTI_ROLE, Capability::RESERVATION_REFINEMENT},
            .content_type = runOptions().content_type};
  }
};

SVH_MIRRORS(CapabilityGating, AFrameworkWithoutTheCapabilityIsOfferedAllButSharedVolumes,
            "HierarchicalAllocatorTest.SharedResourcesCapability");
SVH_CHECK(CapabilityGating, AFrameworkWithoutTheCapabilityIsOfferedAllButSharedVolumes,
          "SV-CAP-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  Framework owner(cluster().master(), capable(role));
  owner.subscribe();
  owner.decline(
      createVolumes(owner, agent.id,
                    {volume("v1").role(role).size(32).shared(), volume("w1").role(role).size(32)}));

  // Every offer to the incapable framework comes after both volumes existed
  // (the owner has seen them). Each holds the non-shared volume and the
  // agent's other resources, never the shared one.
  Framework fw(cluster().master(), incapable(role));
  fw.subscribe();
  for (int round = 0; round < 3; ++round) {
    fw.decline(
        fw.awaitOfferWithout(hasVolume("v1"), "shared volume v1",
                             allOf({onAgent(agent.id), hasVolume("w1"), hasScalar("cpus", 0.1)}),
                             "an offer with w1 and cpus"));
  }
  asserted("SV-CAP-1");
}

SVH_MIRRORS(CapabilityGating, CreatingASharedVolumeNeedsTheCapability,
            "CreateOperationValidationTest.SharedVolumeBasedOnCapability");
SVH_CHECK(CapabilityGating, CreatingASharedVolumeNeedsTheCapability, "SV-CAP-2 SV-CREATE-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  Framework fw(cluster().master(), incapable(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 32, "*")}),
                             "an offer with 32 MB of unreserved disk");
  fw.accept(offer, {reserve({v1.reservedDisk()}), create({v1})});

  // A capable framework of the role sees what the ACCEPT left: the disk
  // RESERVE made, either still plain (CREATE dropped) or as volume v1. The
  // RESERVE and the CREATE were applied in one ACCEPT, so either is fenced.
  Framework watcher(cluster().master(), capable(role));
  watcher.subscribe();
  OfferMatch reserved_or_created = [&](const Offer& o) {
    return scalarIn(o, "disk", role) >= 32 || findVolume(o, "v1").has_value();
  };
  auto seen = watcher.awaitOffer(allOf({onAgent(agent.id), reserved_or_created}),
                                 "an offer of the reserved disk or of v1 to a capable framework");
  bool created = findVolume(seen, "v1").has_value();
  outcome("SV-CAP-2", created ? "created" : "dropped");
  if (runOptions().profile == "mesos-1.1") {
    // SV-CAP-2 says 1.1 had no such check: any framework created one.
    EXPECT_TRUE(created) << "SV-CAP-2: 1.1 had no capability check, so any framework creates "
                            "shared volumes (profile mesos-1.1): "
                         << describe(seen);
    asserted("SV-CAP-2");
  } else {
    EXPECT_FALSE(created) << "SV-CAP-2: a framework without SHARED_RESOURCES created shared "
                             "volume v1: "
                          << describe(seen);
    asserted("SV-CAP-2");
  }
  // The same CREATE from the capable framework makes the shared volume.
  if (!created) {
    watcher.accept(seen, {create({v1})});
    seen = watcher.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                              "an offer with v1, created by the capable framework");
  }
  EXPECT_TRUE(findVolume(seen, "v1")->has_shared()) << describe(seen);
  watcher.decline(seen);
  asserted("SV-CREATE-1");
}

SVH_MIRRORS(CapabilityGating, OperatorsCreateSharedVolumesWithoutAnyCapability,
            "CreateOperationValidationTest.SharedVolumeBasedOnCapability "
            "ResourceValidationTest.SharedPersistentVolume");
SVH_CHECK(CapabilityGating, OperatorsCreateSharedVolumesWithoutAnyCapability,
          "SV-CAP-3 SV-CREATE-1 SV-HTTP-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  auto v1 = volume("v1").role(role).size(32).shared().principal("");
  OperatorClient op(cluster().master());
  auto reserved = op.reserve(agent.id, {v1.reservedDisk()});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  auto created = op.createVolumes(agent.id, {v1});
  ASSERT_EQ(created.result_int(), 202) << "SV-CAP-3: " << created.body();

  Framework fw(cluster().master(), capable(role));
  fw.subscribe();
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                           "an offer with the operator's shared volume v1"));
  asserted("SV-CAP-3 SV-CREATE-1 SV-HTTP-1");
}

SVH_CHECK(CapabilityGating, AFrameworkThatDropsTheCapabilityStopsSeeingSharedVolumes, "SV-CAP-4") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-CAP-4 describes how HEAD re-reads capabilities (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  auto first = capable(role);
  first.failover_timeout = 60;
  Framework fw(cluster().master(), first);
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto user = task("user").on(agent.id).uses(v1).command(runUntilKilled());
  fw.accept(offer, {launch({user})});
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});

  // The same framework subscribes again, without SHARED_RESOURCES.
  fw.resubscribe(incapable(role).capabilities);
  for (int round = 0; round < 3; ++round) {
    fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "shared volume v1",
                                    allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                                    "an offer of the agent after the capability was dropped"));
  }
  // Its task was not touched.
  expectUndisturbed(fw, user.taskId());
  asserted("SV-CAP-4");
  fw.kill(user.taskId(), agent.id);
  fw.awaitTaskState(user.taskId(), {TASK_KILLED});
}

SVH_CHECK(CapabilityGating, AFrameworkWithoutTheCapabilityCannotUseOrDestroyASharedVolume,
          "SV-CAP-5 SV-LAUNCH-6 SV-DESTROY-9") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  Framework owner(cluster().master(), capable(role));
  owner.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  owner.decline(createVolumes(owner, agent.id, {v1}));

  Framework fw(cluster().master(), incapable(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("cpus", 0.2)}),
                             "an offer of the agent to the incapable framework");
  ASSERT_FALSE(findVolume(offer, "v1")) << "SV-CAP-1: " << describe(offer);
  auto user = task("user").on(agent.id).uses(v1).command("true");
  fw.accept(offer, {destroy({v1}), launch({user})});
  auto error = fw.awaitTaskState(user.taskId(), {TASK_ERROR});
  EXPECT_EQ(error.reason(), mesos::v1::TaskStatus::REASON_TASK_INVALID) << describe(error);
  EXPECT_NE(error.message().find("more than available"), std::string::npos)
      << "SV-LAUNCH-6: " << describe(error);

  // The DESTROY was dropped: the owner is offered the volume together with
  // the cpus that ACCEPT gave back.
  owner.decline(owner.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                                 "an offer with v1 after the incapable framework's DESTROY"));
  asserted("SV-CAP-5 SV-LAUNCH-6 SV-DESTROY-9");
}

// SV-CAP-4 through the other door: UPDATE_FRAMEWORK (Mesos 1.9+), with the
// framework still subscribed on its stream.
SVH_CHECK(CapabilityGating, AFrameworkThatUpdatesItselfWithoutTheCapabilityStopsSeeingSharedVolumes,
          "SV-CAP-4") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-CAP-4 describes how HEAD re-reads capabilities, and UPDATE_FRAMEWORK came "
                    "in 1.9 (profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("cap");
  Framework fw(cluster().master(), capable(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  fw.decline(createVolumes(fw, agent.id, {v1}));

  auto answer = fw.update(incapable(role).capabilities);
  ASSERT_EQ(answer.result_int(), 200) << "UPDATE_FRAMEWORK: " << answer.body();
  // The answer comes on another connection than the event stream: one offer
  // made just before the update may still be on its way, with v1.
  fw.declineOutstanding();
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                           "an offer of the agent (perhaps made before the update)"));
  for (int round = 0; round < 3; ++round) {
    fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "shared volume v1",
                                    allOf({onAgent(agent.id), hasScalar("cpus", 0.1)}),
                                    "an offer of the agent after UPDATE_FRAMEWORK dropped the "
                                    "capability"));
  }
  // And taking it back brings the volume back.
  answer = fw.update(capable(role).capabilities);
  ASSERT_EQ(answer.result_int(), 200) << "UPDATE_FRAMEWORK: " << answer.body();
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                           "an offer with v1 once UPDATE_FRAMEWORK gave the capability back"));
  asserted("SV-CAP-4");
}

}  // namespace svh::suites
