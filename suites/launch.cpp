// LAUNCH with shared volumes (SPEC 1.6): several tasks, even in one ACCEPT
// and from several frameworks, use one shared volume; what a task may name;
// where it sees the volume.

#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class Launch : public Check {
 protected:
  // The task ended with TASK_ERROR, REASON_TASK_INVALID and a message that
  // says the task asked for more than the offers hold (SV-LAUNCH-6).
  static void expectInvalid(
      Framework& fw, const TaskBuilder& t,
      mesos::v1::TaskStatus::Reason reason = mesos::v1::TaskStatus::REASON_TASK_INVALID,
      const std::string& says = "more than available") {
    auto status = fw.awaitTaskState(t.taskId(), {TASK_ERROR});
    EXPECT_EQ(status.reason(), reason) << describe(status);
    EXPECT_NE(status.message().find(says), std::string::npos) << describe(status);
  }
};

// With the CREATE in the same ACCEPT as the launch, and three tasks.
SVH_MIRRORS(Launch, SeveralTasksOfOneAcceptShareTheOneOfferedCopy,
            "PersistentVolumeTest.SharedPersistentVolumeMultipleTasks");
SVH_CHECK(Launch, SeveralTasksOfOneAcceptShareTheOneOfferedCopy,
          "SV-LAUNCH-1 SV-CREATE-3 RES-8 H-DATA-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer =
      fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 32, "*"), hasScalar("cpus", 0.3)}),
                    "an offer with disk for v1 and cpus for three tasks");
  auto writer = task("writer").on(agent.id).uses(v1).command(runUntilKilled("echo w > data/w"));
  // Each reader waits for the writer's file and checks it, then ends.
  auto reader = [&](const std::string& name) {
    return task(name).on(agent.id).uses(v1).command(
        awaitInTask("[ -s data/w ]", "the writer's file data/w") + " && " +
        expectFileHolds("data/w", "w"));
  };
  auto r1 = reader("reader1");
  auto r2 = reader("reader2");
  fw.accept(offer, {reserve({v1.reservedDisk()}), create({v1}), launch({writer, r1, r2})});
  for (const auto& t : {writer, r1, r2}) fw.awaitTaskState(t.taskId(), {TASK_RUNNING});
  asserted("SV-LAUNCH-1 SV-CREATE-3 RES-8");
  for (const auto& t : {r1, r2}) {
    expectTaskPasses(fw, agent, t.taskId(), "H-DATA-1: a reader did not see the writer's file");
  }
  asserted("H-DATA-1");
}

SVH_MIRRORS(Launch, TasksOfTwoFrameworksUseOneVolumeAtOnce,
            "PersistentVolumeTest.SharedPersistentVolumeMultipleFrameworks");
SVH_CHECK(Launch, TasksOfTwoFrameworksUseOneVolumeAtOnce, "SV-LAUNCH-3 SV-ALLOC-5 H-DATA-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw1(cluster().master(), spec(role));
  fw1.subscribe();
  auto v1 = volume("v1").role(role).size(64).shared();
  auto offer = createVolumes(fw1, agent.id, {v1});
  auto first = task("first").on(agent.id).cpus(1).mem(128).uses(v1).command(
      runUntilKilled("echo one > data/one"));
  fw1.accept(offer, {launch({first})});
  fw1.awaitTaskState(first.taskId(), {TASK_RUNNING});

  OperatorClient op(cluster().master());
  auto before = op.metrics();
  Framework fw2(cluster().master(), spec(role));
  fw2.subscribe();
  offer = fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasScalar("cpus", 1)}),
                         "fw2: an offer with v1 while fw1's task uses it");
  auto second = task("second").on(agent.id).cpus(1).mem(256).uses(v1).command(runUntilKilled());
  fw2.accept(offer, {launch({second})});
  fw2.awaitTaskState(second.taskId(), {TASK_RUNNING});
  expectUndisturbed(fw1, first.taskId());
  asserted("SV-LAUNCH-3");

  // SV-ALLOC-5: the volume counts once in disk_used; cpus and mem add up.
  auto after = op.metrics();
  if (!before.contains("master/disk_used")) {
    outcome("SV-ALLOC-5", "the master does not report master/disk_used");
    skipPart("SV-ALLOC-5", "the master does not report master/disk_used");
  } else {
    EXPECT_DOUBLE_EQ(after.value("master/disk_used", -1.0), before.value("master/disk_used", -2.0))
        << "SV-ALLOC-5: a second task on v1 changed master/disk_used";
    EXPECT_NEAR(after.value("master/cpus_used", 0.0) - before.value("master/cpus_used", 0.0), 1,
                1e-6);
    EXPECT_NEAR(after.value("master/mem_used", 0.0) - before.value("master/mem_used", 0.0), 256,
                1e-6);
    asserted("SV-ALLOC-5");
  }

  // H-DATA-1: while both frameworks' tasks use v1, a task of fw2 sees what
  // fw1's task wrote.
  offer = fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                         "fw2: an offer with v1 while both tasks use it");
  auto reader = task("reader").on(agent.id).uses(v1).command(
      awaitInTask("[ -s data/one ]", "fw1's file data/one") + " && " +
      expectFileHolds("data/one", "one"));
  fw2.accept(offer, {launch({reader})});
  expectTaskPasses(fw2, agent, reader.taskId(), "H-DATA-1: fw2's task did not see fw1's file");
  expectUndisturbed(fw1, first.taskId());
  expectUndisturbed(fw2, second.taskId());
  asserted("H-DATA-1");
}

SVH_MIRRORS(Launch, LaterAcceptsUseTheVolumeWhileEarlierTasksRun,
            "PersistentVolumeTest.SharedPersistentVolumeMultipleIterations "
            "VolumeGidManagerTest.ROOT_UNPRIVILEGED_USER_GidReused");
SVH_CHECK(Launch, LaterAcceptsUseTheVolumeWhileEarlierTasksRun, "SV-LAUNCH-4 SV-OFFER-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto v2 = volume("v2").role(role).size(32).shared();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 64, "*")}),
                             "an offer with disk for two volumes");
  auto t1 = task("t1").on(agent.id).uses(v1).command(runUntilKilled());
  fw.accept(offer, {reserve({v1.reservedDisk(), v2.reservedDisk()}), create({v1}), launch({t1})});
  fw.awaitTaskState(t1.taskId(), {TASK_RUNNING});

  offer = fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                        "an offer with v1 while t1 uses it");
  asserted("SV-OFFER-1");
  auto t2 = task("t2").on(agent.id).uses(v1).uses(v2.path("other")).command(runUntilKilled());
  fw.accept(offer, {create({v2}), launch({t2})});
  fw.awaitTaskState(t2.taskId(), {TASK_RUNNING});
  expectUndisturbed(fw, t1.taskId());
  asserted("SV-LAUNCH-4");
  fw.decline(
      fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1"), hasSharedVolume("v2")}),
                    "an offer with v1 and v2 while t1 and t2 use them"));
}

SVH_CHECK(Launch, AnExecutorCannotHoldASharedVolume, "SV-LAUNCH-5") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto t = task("t").on(agent.id).executorUses(v1).command("true");
  fw.accept(offer, {launch({t})});
  expectInvalid(fw, t, mesos::v1::TaskStatus::REASON_TASK_INVALID,
                "should not contain any shared resources");
  asserted("SV-LAUNCH-5");
}

SVH_CHECK(Launch, ATaskNamingAVolumeTheOffersDoNotHoldIsInvalid, "SV-LAUNCH-6 SV-MODEL-4") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  const std::vector<std::pair<std::string, VolumeBuilder>> wrong = {
      {"unknown", volume("no-such-volume").role(role).size(32).shared()},
      {"unshared", volume("v1").role(role).size(32)},
      {"bigger", volume("v1").role(role).size(64).shared()},
  };
  for (const auto& [name, resource] : wrong) {
    SCOPED_TRACE("a task naming v1 as " + name);
    auto t = task(name).on(agent.id).uses(resource).command("true");
    fw.accept(offer, {launch({t})});
    expectInvalid(fw, t);
    offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                          "an offer with v1 after the invalid task");
  }
  asserted("SV-LAUNCH-6 SV-MODEL-4");
}

SVH_CHECK(Launch, TasksOfOneGroupNeedACopyEach, "SV-LAUNCH-7") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});

  // Two tasks of one group on the one offered copy: the group is invalid.
  auto a = task("a").on(agent.id).uses(v1).command("true");
  auto b = task("b").on(agent.id).uses(v1).command("true");
  fw.accept(offer, {launchGroup(unique("executor"), {a, b})});
  for (const auto& t : {a, b}) {
    auto status = fw.awaitTaskState(t.taskId(), {TASK_ERROR});
    EXPECT_EQ(status.reason(), mesos::v1::TaskStatus::REASON_TASK_GROUP_INVALID)
        << describe(status);
  }

  // One task per group works.
  offer = fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                        "an offer with v1 after the invalid group");
  auto single = task("single").on(agent.id).uses(v1).command("echo ok > data/ok");
  fw.accept(offer, {launchGroup(unique("executor"), {single})});
  fw.awaitTaskState(single.taskId(), {TASK_FINISHED});
  asserted("SV-LAUNCH-7");
}

// A known quirk (1.1 and HEAD, OQ-11): a CREATE between two launches makes
// the second launch's copy of v1 unavailable. Either outcome is accepted and
// recorded; a task that runs must see the volume.
SVH_CHECK(Launch, ACreateBetweenTwoLaunchesOfTheVolume, "SV-LAUNCH-8 SV-LAUNCH-6") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto w1 = volume("w1").role(role).size(32);
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 64, "*")}),
                             "an offer with disk for v1 and w1");
  fw.accept(offer, {reserve({v1.reservedDisk(), w1.reservedDisk()}), create({v1})});
  offer =
      fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasScalar("disk", 32, role)}),
                    "an offer with v1 and 32 MB reserved disk for w1");
  auto t1 = task("t1").on(agent.id).uses(v1).command("echo one > data/one");
  auto t2 =
      task("t2").on(agent.id).uses(v1).command(expectInTask("[ -d data ]", "the volume at data"));
  fw.accept(offer, {launch({t1}), create({w1}), launch({t2})});
  fw.awaitTaskState(t1.taskId(), {TASK_FINISHED});
  auto end = fw.awaitTaskState(t2.taskId(), {TASK_ERROR, TASK_FINISHED, TASK_FAILED});
  if (end.state() == TASK_ERROR) {
    outcome("SV-LAUNCH-8", "the second launch failed (the quirk)");
    EXPECT_NE(end.message().find("more than available"), std::string::npos) << describe(end);
    asserted("SV-LAUNCH-8 SV-LAUNCH-6");
  } else {
    outcome("SV-LAUNCH-8", "the second launch ran");
    EXPECT_EQ(end.state(), TASK_FINISHED)
        << "the second launch ran without its volume: " << describe(end);
    asserted("SV-LAUNCH-8");
    skipPart("SV-LAUNCH-6", "the second launch ran, so no task named a volume the offers lacked");
  }
}

SVH_CHECK(Launch, ATaskSeesTheVolumeAtTheContainerPathOfItsOwnResource,
          "SV-LAUNCH-9 H-PATH-1 SV-MODEL-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).path("data").shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  // The task names v1 at "mine": it writes there, and the offer's "data"
  // is not in its sandbox.
  auto t = task("t")
               .on(agent.id)
               .uses(volume("v1").role(role).size(32).path("mine").shared())
               .command("echo here > mine/f && " +
                        expectInTask("[ ! -e data ]",
                                     "no 'data' (the offer's container path) in the sandbox"));
  fw.accept(offer, {launch({t})});
  expectTaskPasses(fw, agent, t.taskId(),
                   "SV-LAUNCH-9: the task did not see v1 at its own container path only");
  asserted("SV-LAUNCH-9 SV-MODEL-3");
  // What it wrote at mine/ is in the volume: a task naming it at "data"
  // finds it there.
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 after its first task");
  auto reader = task("reader").on(agent.id).uses(v1).command(expectFileHolds("data/f", "here"));
  fw.accept(offer, {launch({reader})});
  expectTaskPasses(fw, agent, reader.taskId(),
                   "H-PATH-1: what the task wrote at mine/ did not reach the volume");
  asserted("H-PATH-1");
}

// RESERVE, CREATE of a shared volume and a task group using it, all in one
// ACCEPT, as the default executor test does (there as a non-root user).
SVH_MIRRORS(
    Launch, OneAcceptReservesCreatesAndLaunchesAGroupOnTheVolume,
    "PersistentVolumeDefaultExecutor.ROOT_UNPRIVILEGED_USER_TaskSandboxSharedPersistentVolume");
SVH_CHECK(Launch, OneAcceptReservesCreatesAndLaunchesAGroupOnTheVolume,
          "SV-LAUNCH-7 SV-CREATE-3 RES-8") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("launch");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 64, "*")}),
                             "an offer with disk for v1 and the executor");
  auto t = task("t").on(agent.id).uses(v1).command("echo group > data/f");
  fw.accept(offer,
            {reserve({v1.reservedDisk()}), create({v1}), launchGroup(unique("executor"), {t})});
  fw.awaitTaskState(t.taskId(), {TASK_STARTING});
  fw.awaitTaskState(t.taskId(), {TASK_RUNNING});
  fw.awaitTaskState(t.taskId(), {TASK_FINISHED});
  // The group's task wrote into the new volume: a later task finds it.
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 after the group's task");
  auto reader = task("reader").on(agent.id).uses(v1).command(expectFileHolds("data/f", "group"));
  fw.accept(offer, {launch({reader})});
  expectTaskPasses(fw, agent, reader.taskId(),
                   "the group's task did not write into the volume created in its ACCEPT");
  asserted("SV-LAUNCH-7 SV-CREATE-3 RES-8");
}

}  // namespace svh::suites
