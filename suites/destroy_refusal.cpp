// Destroy refusal (SPEC 1.8, H-DATA-3/4): a volume, shared or not, cannot
// be destroyed while a task uses it; a refused DESTROY changes nothing; once
// the last task ends it can be, and its data is then gone from the agent
// (a volume created again with its id starts empty).

#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/files.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class DestroyRefusal : public Check {};

// Tasks check the data on any agent: a watcher launched with the writer
// sees its data there before the DESTROY is sent, a checker launched after
// it finds the data unchanged and the writer still writing.
SVH_CHECK(DestroyRefusal, ASharedVolumeInUseIsNotDestroyedAndNothingChanges,
          "SV-DESTROY-1 SV-DESTROY-2 H-DATA-4") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto writer = task("writer").on(agent.id).uses(v1).command(
      "echo kept > data/f && touch started && "
      "while true; do cat data/f >> data/beat; sleep 0.05; done");
  // The data a refused DESTROY must leave alone: there before it is sent.
  auto watcher = task("watcher").on(agent.id).uses(v1).command(
      awaitInTask("[ -s data/beat ]", "the writer to write f and start its beat"));
  fw.accept(offer, {launch({writer, watcher})});
  fw.awaitTaskState(writer.taskId(), {TASK_RUNNING});
  expectTaskPasses(fw, agent, watcher.taskId(), "the writer's data before the DESTROY");

  offer = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                        "an offer with v1 while the writer uses it");
  fw.accept(offer, {destroy({offered(offer, "v1")})});
  // SV-DESTROY-2: still offered after the DESTROY was processed.
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                        "an offer with v1 after the refused DESTROY");
  asserted("SV-DESTROY-1 SV-DESTROY-2");

  // H-DATA-4: data intact, the task still running, reading and writing.
  auto checker = task("checker").on(agent.id).uses(v1).command(
      expectFileHolds("data/f", "kept") + " && size=$(wc -c < data/beat) && " +
      awaitInTask("[ $(wc -c < data/beat) -gt $size ]",
                  "the writer to go on reading and writing after the refused DESTROY"));
  fw.accept(offer, {launch({checker})});
  expectTaskPasses(fw, agent, checker.taskId(),
                   "H-DATA-4: the data changed, or the writer stopped, after a refused DESTROY");
  expectUndisturbed(fw, writer.taskId());
  asserted("H-DATA-4");
}

SVH_MIRRORS(DestroyRefusal, OnlyTheLastTaskEndingMakesTheVolumeDestroyable,
            "DestroyOperationValidationTest.SharedPersistentVolumeInUse "
            "PersistentVolumeTest.DestroyPersistentVolumeMultipleTasks");
SVH_CHECK(DestroyRefusal, OnlyTheLastTaskEndingMakesTheVolumeDestroyable,
          "SV-DESTROY-1 SV-DESTROY-7 SV-MODEL-5 H-DATA-3 PV-DESTROY-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto one = task("one").on(agent.id).uses(v1).command(runUntilKilled("echo 1 > data/one"));
  auto two = task("two").on(agent.id).uses(v1).command(runUntilKilled("echo 2 > data/two"));
  fw.accept(offer, {launch({one, two})});
  fw.awaitTaskState(one.taskId(), {TASK_RUNNING});
  fw.awaitTaskState(two.taskId(), {TASK_RUNNING});

  // One user left: still refused.
  fw.kill(one.taskId(), agent.id);
  fw.awaitTaskState(one.taskId(), {TASK_KILLED});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 while one task still uses it");
  fw.accept(offer, {destroy({offered(offer, "v1")})});
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                        "an offer with v1 after the DESTROY refused for the second user");
  asserted("SV-DESTROY-1");

  // No user left: the DESTROY goes through.
  fw.kill(two.taskId(), agent.id);
  fw.awaitTaskState(two.taskId(), {TASK_KILLED});
  fw.decline(offer);
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 once no task uses it");
  fw.accept(offer, {destroy({offered(offer, "v1")})});
  // SV-DESTROY-7, SV-MODEL-5: back as plain, non-shared disk of the same
  // size and reservation; never offered as a volume again.
  offer = fw.awaitOfferWithout(hasVolume("v1"), "destroyed volume v1",
                               allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                               "the volume's 32 MB back as disk reserved to " + role);
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == role) {
      EXPECT_FALSE(r.has_shared()) << "SV-MODEL-5: the disk a DESTROY gave back is shared";
      EXPECT_FALSE(r.has_disk() && r.disk().has_persistence()) << describe(offer);
    }
  }
  asserted("SV-DESTROY-7 SV-MODEL-5");

  // PV-DESTROY-3, H-DATA-3: the data is gone from the agent's disk, and a
  // new volume with the same id starts empty (which a task can see on any
  // agent).
  if (auto why = needsLocalAgents()) {
    skipPart("PV-DESTROY-3 H-DATA-3",
             "the destroyed volume's directory leaving the agent's disk: " + *why);
  } else {
    awaitGone(volumeDir(agent, role, "v1"), kDefaultWait,
              "the destroyed volume's directory to leave the agent");
    asserted("PV-DESTROY-3 H-DATA-3");
  }
  fw.accept(offer, {create({v1})});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 created again");
  auto looker = task("looker").on(agent.id).uses(v1).command(
      expectInTask("[ -z \"$(ls -A data)\" ]", "v1, created again after its DESTROY, to be empty"));
  fw.accept(offer, {launch({looker})});
  expectTaskPasses(fw, agent, looker.taskId(),
                   "H-DATA-3: a re-created volume v1 holds the old one's files");
  asserted("PV-DESTROY-3 H-DATA-3");
}

// SV-DESTROY-3: the offers an ACCEPT uses hold two copies of v1 (offered in
// two cycles; offer_filters let the second offer hold nothing else).
SVH_MIRRORS(DestroyRefusal, ADestroyMustRemoveEveryCopyTheAcceptHolds,
            "ResourcesOperationTest.DestroySharedPersistentVolumeMultipleCopies");
SVH_CHECK(DestroyRefusal, ADestroyMustRemoveEveryCopyTheAcceptHolds, "SV-DESTROY-3 SV-OFFER-2") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-DESTROY-3: 1.1 did not check copies (a Mesos 1.1 master would abort, "
                    "OQ-12; profile mesos-1.1)";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  auto with_filters = spec(role);
  with_filters.min_allocatable = {{"disk", 1}};
  Framework fw(cluster().master(), with_filters);
  fw.subscribe();
  auto first = createVolumes(fw, agent.id, {volume("v1").role(role).size(32).shared()});
  auto second = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                              "a second offer with v1 while the first is held");
  ASSERT_NE(first.id().value(), second.id().value());

  Call call;
  call.set_type(Call::ACCEPT);
  *call.mutable_accept()->add_offer_ids() = first.id();
  *call.mutable_accept()->add_offer_ids() = second.id();
  *call.mutable_accept()->add_operations() = destroy({offered(first, "v1")});
  call.mutable_accept()->mutable_filters()->set_refuse_seconds(0);
  fw.client().call(call);
  fw.decline(fw.awaitOffer(allOf({returnedFrom(first), hasSharedVolume("v1")}),
                           "an offer with v1 after the DESTROY of one of two copies"));
  asserted("SV-DESTROY-3 SV-OFFER-2");
}

SVH_CHECK(DestroyRefusal, DestroyAndLaunchOfOneVolumeInOneAccept, "SV-DESTROY-4 SV-LAUNCH-6") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});

  // [LAUNCH(t uses v1), DESTROY(v1)]: the launch makes v1 used, so the
  // DESTROY is dropped (every profile).
  auto first = task("first").on(agent.id).uses(v1).command(runUntilKilled("echo a > data/a"));
  fw.accept(offer, {launch({first}), destroy({offered(offer, "v1")})});
  fw.awaitTaskState(first.taskId(), {TASK_RUNNING});
  offer = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                        "an offer with v1 after [LAUNCH, DESTROY]");
  fw.kill(first.taskId(), agent.id);
  fw.awaitTaskState(first.taskId(), {TASK_KILLED});
  fw.decline(offer);

  // [DESTROY(v1), LAUNCH(t uses v1)]: HEAD destroys v1 and fails t; 1.1
  // kept v1 for the pending task. Either way no task runs on a destroyed
  // volume (SPEC 0, H).
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 once no task uses it");
  auto second = task("second").on(agent.id).uses(v1).command("cat data/a > seen");
  fw.accept(offer, {destroy({offered(offer, "v1")}), launch({second})});
  auto end = fw.awaitTaskState(second.taskId(), {TASK_ERROR, TASK_FINISHED, TASK_FAILED});
  OfferMatch volume_or_disk = [&](const Offer& o) {
    return findVolume(o, "v1").has_value() || scalarIn(o, "disk", role) >= 32;
  };
  auto after = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), volume_or_disk}),
                             "an offer after [DESTROY, LAUNCH] with v1 or its disk");
  fw.decline(after);
  bool destroyed = !findVolume(after, "v1").has_value();
  if (destroyed) {
    outcome("SV-DESTROY-4", "destroyed; the task failed (HEAD)");
    EXPECT_EQ(end.state(), TASK_ERROR) << "a task ran on destroyed volume v1: " << describe(end);
    EXPECT_NE(end.message().find("more than available"), std::string::npos) << describe(end);
    if (runOptions().profile == "mesos-1.1") ADD_FAILURE() << "1.1 keeps v1 for the pending task";
    asserted("SV-DESTROY-4 SV-LAUNCH-6");
  } else {
    outcome("SV-DESTROY-4", "kept for the pending task; the task ran (1.1)");
    EXPECT_EQ(end.state(), TASK_FINISHED) << describe(end);
    if (runOptions().profile != "mesos-1.1") {
      ADD_FAILURE() << "HEAD destroys v1 and fails the task (SV-DESTROY-4)";
    }
    asserted("SV-DESTROY-4");
    skipPart("SV-LAUNCH-6", "the master kept v1 for the pending task (1.1), so the task was valid");
  }
}

SVH_MIRRORS(DestroyRefusal, ADestroyRescindsEveryOtherOfferOfTheVolume,
            "PersistentVolumeTest.SharedPersistentVolumeRescindOnDestroy");
SVH_CHECK(DestroyRefusal, ADestroyRescindsEveryOtherOfferOfTheVolume,
          "SV-DESTROY-5 SV-OFFER-8 SV-OFFER-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw1(cluster().master(), spec(role));
  fw1.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto v2 = volume("v2").role(role).size(32).shared();
  auto offer = createVolumes(fw1, agent.id, {v1, v2});
  auto splitter = task("splitter").on(agent.id).cpus(1).uses(v1).command(runUntilKilled());
  fw1.accept(offer, {launch({splitter})});
  fw1.awaitTaskState(splitter.taskId(), {TASK_RUNNING});

  Framework fw2(cluster().master(), spec(role));
  fw2.subscribe();
  auto both = allOf({onAgent(agent.id), hasSharedVolume("v1"), hasSharedVolume("v2")});
  auto held2 = fw2.awaitOffer(both, "fw2: an offer with v1 and v2");
  fw1.kill(splitter.taskId(), agent.id);
  fw1.awaitTaskState(splitter.taskId(), {TASK_KILLED});
  auto held1 = fw1.awaitOffer(both, "fw1: an offer with v1 and v2 while fw2 holds one");

  fw2.accept(held2, {destroy({offered(held2, "v1"), offered(held2, "v2")})});
  fw1.awaitRescind(held1);
  fw1.decline(fw1.awaitOfferWithout(
      [](const Offer& o) { return findVolume(o, "v1") || findVolume(o, "v2"); },
      "destroyed volume v1 or v2", allOf({onAgent(agent.id), hasScalar("disk", 64, role)}),
      "an offer with the volumes' disk back"));
  asserted("SV-DESTROY-5 SV-OFFER-8 SV-OFFER-2");
}

SVH_MIRRORS(DestroyRefusal, ADestroyOfAVolumeTheOffersDoNotHoldIsDropped,
            "DestroyOperationValidationTest.UnknownPersistentVolume");
SVH_CHECK(DestroyRefusal, ADestroyOfAVolumeTheOffersDoNotHoldIsDropped,
          "SV-DESTROY-9 PV-DESTROY-2 SV-MODEL-4 SV-MODEL-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = createVolumes(fw, agent.id, {volume("v1").role(role).size(32).shared()});
  auto real = offered(offer, "v1");

  auto unknown = real;
  unknown.mutable_disk()->mutable_persistence()->set_id("no-such-volume");
  auto unshared = real;
  unshared.clear_shared();
  auto bigger = real;
  bigger.mutable_scalar()->set_value(64);
  for (const auto& [what, wrong] : std::vector<std::pair<std::string, Resource>>{
           {"an unknown id", unknown}, {"no shared flag", unshared}, {"another size", bigger}}) {
    SCOPED_TRACE("DESTROY naming v1 with " + what);
    fw.accept(offer, {destroy({wrong})});
    offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                          "an offer with v1 after a DESTROY naming it with " + what);
  }
  asserted("SV-DESTROY-9 PV-DESTROY-2 SV-MODEL-4");
  // SV-MODEL-3: a different container_path still names v1.
  auto elsewhere = real;
  elsewhere.mutable_disk()->mutable_volume()->set_container_path("elsewhere");
  fw.accept(offer, {destroy({elsewhere})});
  fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "v1 (destroyed by container path elsewhere)",
                                  allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                                  "the volume's disk back"));
  asserted("SV-MODEL-3");
}

// SV-DESTROY-6: the rescind matches offers by allocation role too, so in
// HEAD an offer of the volume to a sub-role framework is not rescinded
// (OQ-4). Either is accepted and recorded; a task launched from such a
// stale offer must not run on the destroyed volume.
SVH_CHECK(DestroyRefusal, ADestroyAndAnOfferOfTheVolumeToASubRole, "SV-DESTROY-6 SV-OFFER-4") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "SV-DESTROY-6 with sub-roles: Mesos 1.1 has no hierarchical roles";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  auto owner_spec = spec(role);
  owner_spec.min_allocatable = {{"disk", 1}};
  Framework owner(cluster().master(), owner_spec);
  owner.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  owner.decline(createVolumes(owner, agent.id, {v1}));

  Framework child(cluster().master(), spec(role + "/child"));
  child.subscribe();
  auto stale = child.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                                "an offer with v1 to the sub-role framework");
  asserted("SV-OFFER-4");
  auto offer = owner.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                                "an offer with v1 to the owner while the sub-role holds one");
  owner.accept(offer, {destroy({offered(offer, "v1")})});
  owner.decline(owner.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                                        allOf({onAgent(agent.id), hasScalar("disk", 32, role)}),
                                        "the volume's disk back"));

  auto t = task("late")
               .on(agent.id)
               .uses(volume("v1").role(role).size(32).shared())
               .command("echo x > data/x");
  child.accept(stale, {launch({t})});
  auto end = child.awaitTaskState(
      t.taskId(), {TASK_ERROR, TASK_LOST, TASK_DROPPED, TASK_RUNNING, TASK_FINISHED, TASK_FAILED});
  outcome("SV-DESTROY-6", child.wasRescinded(stale) ? "the sub-role's offer was rescinded"
                                                    : "the sub-role's offer was not rescinded");
  EXPECT_TRUE(end.state() == TASK_ERROR || end.state() == TASK_LOST || end.state() == TASK_DROPPED)
      << "a task ran on destroyed volume v1: " << describe(end);
  asserted("SV-DESTROY-6");
}

// SV-DESTROY-6: the rescind comes before the DESTROY is applied to the
// ACCEPT's offers, so a DESTROY that is then dropped (two copies,
// SV-DESTROY-3) may still rescind another framework's offer (HEAD). Either
// is accepted and recorded; the volume must survive.
SVH_CHECK(DestroyRefusal, ADroppedDestroyAndTheOffersItRescinds, "SV-DESTROY-6 SV-DESTROY-3") {
  if (runOptions().profile == "mesos-1.1") {
    GTEST_SKIP() << "needs offer_filters (Mesos 1.7+) and the copy check of 1.4+";
  }
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("destroy");
  Framework fw1(cluster().master(), spec(role));
  fw1.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto held = createVolumes(fw1, agent.id, {v1});

  auto fw2_spec = spec(role);
  fw2_spec.min_allocatable = {{"disk", 1}};
  Framework fw2(cluster().master(), fw2_spec);
  fw2.subscribe();
  auto first =
      fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}), "fw2: an offer with v1");
  auto second = fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                               "fw2: a second offer with v1");
  Call call;
  call.set_type(Call::ACCEPT);
  *call.mutable_accept()->add_offer_ids() = first.id();
  *call.mutable_accept()->add_offer_ids() = second.id();
  *call.mutable_accept()->add_operations() = destroy({offered(first, "v1")});
  call.mutable_accept()->mutable_filters()->set_refuse_seconds(0);
  fw2.client().call(call);

  // v1 survives: fw2 is offered it again.
  fw2.decline(fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                             "fw2: an offer with v1 after its dropped DESTROY"));
  outcome("SV-DESTROY-6",
          fw1.wasRescinded(held) ? "fw1's offer was rescinded" : "fw1's offer was not rescinded");
  fw1.decline(held);
  asserted("SV-DESTROY-6 SV-DESTROY-3");
}

}  // namespace svh::suites
