// The master-side clauses of SPEC.md as a running svh-master shows them to
// frameworks, operators and agents (scripted agents, so every step is
// deterministic). Each test names the clauses it checks.

#include <nlohmann/json.hpp>

#include "tests/master/semantics_fixture.hpp"

namespace svh::master::test {
namespace {

TEST_F(Semantics, DestroyRescindsEveryOfferHoldingTheVolume) {
  clauses("SV-DESTROY-5 SV-DESTROY-6 SV-DESTROY-7 SV-OFFER-2 SV-OFFER-8");
  start({"--min_allocatable_resources=disk:1"});
  auto v = createVolume("v1", 128);
  auto fw1 = subscribe(*master, frameworkInfo({"eng"}));
  auto offer1 = awaitOffer(
      *fw1, [](const auto& o) { return offerHasVolume(o, "v1"); }, "fw1's offer with v1");
  // fw2 gets the volume although fw1 holds it in an offer (SV-OFFER-2).
  auto fw2 = subscribe(*master, frameworkInfo({"eng"}));
  auto offer2 = awaitOffer(
      *fw2, [](const auto& o) { return offerHasVolume(o, "v1"); }, "fw2's offer with v1");
  EXPECT_TRUE(offered(offer2).contains(allocated(v)));

  fw2->call(acceptCall(offer2, {destroyOp({v})}));
  awaitEvent(
      *fw1, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == offer1.id().value(); },
      "fw1's offer rescinded");
  // Its resources went back without a filter (fw2 accepted with none).
  EXPECT_EQ(0, metric("allocator/mesos/offer_filters/roles/eng/active"));
  auto checkpoint = agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 0; });
  EXPECT_EQ(0, checkpoint.resources_size());
  // Later offers no longer hold the volume; its disk is back.
  auto later = awaitOffer(
      *fw1, [](const auto& o) { return offered(o).scalar("disk") == 1024; },
      "fw1's offer with the whole disk back");
  EXPECT_FALSE(offerHasVolume(later, "v1"));
}

TEST_F(Semantics, RescindHappensEvenWhenTheDestroyIsThenDropped) {
  clauses("SV-DESTROY-6 SV-DESTROY-9 SV-CAP-5");
  start({"--min_allocatable_resources=disk:1"});
  auto v = createVolume("v1", 128);
  // A framework of the role without SHARED_RESOURCES is never offered v1
  // (SV-CAP-1), yet DESTROY has no capability check (SV-CAP-5): the
  // operation passes validation, rescinds every offer holding v1, and only
  // then fails to apply to the accepted offer (SV-DESTROY-9).
  auto incapable = subscribe(*master, frameworkInfo({"eng"}, {Capability::RESERVATION_REFINEMENT}));
  auto offer = awaitOffer(
      *incapable, [](const auto&) { return true; }, "an offer");
  EXPECT_FALSE(offerHasVolume(offer, "v1"));
  auto holder = subscribe(*master, frameworkInfo({"eng"}));
  auto held = awaitOffer(
      *holder, [](const auto& o) { return offerHasVolume(o, "v1"); }, "an offer with v1");
  incapable->call(acceptCall(offer, {destroyOp({v})}));
  awaitEvent(
      *holder, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == held.id().value(); },
      "the holder's offer rescinded");
  EXPECT_TRUE(
      logHas("Dropping DESTROY operation from framework " + incapable->frameworkId() + ": "));
  EXPECT_TRUE(
      logHas(" does not contain disk(allocated: eng)(reservations: [(STATIC,eng)])"
             "[v1:data]<SHARED>:128"));
  // The volume still exists.
  awaitOffer(
      *holder, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1 offered again");
}

TEST_F(Semantics, DestroyFromAnotherRoleRescindsNothing) {
  clauses("SV-DESTROY-6");
  start({"--min_allocatable_resources=disk:1"}, "cpus:4;mem:4096;disk(eng):1024;disk(other):64");
  auto v = createVolume("v1", 128);
  auto holder = subscribe(*master, frameworkInfo({"eng"}));
  auto held = awaitOffer(
      *holder, [](const auto& o) { return offerHasVolume(o, "v1"); }, "an offer with v1");
  // Offers match the DESTROY's volume with its allocation role: a DESTROY
  // made under role "other" rescinds no "eng" offer.
  auto other = subscribe(*master, frameworkInfo({"other"}));
  auto offer = awaitOffer(
      *other, [](const auto&) { return true; }, "an offer to role other");
  other->call(acceptCall(offer, {destroyOp({v})}));
  EXPECT_TRUE(logHas("Dropping DESTROY operation from framework " + other->frameworkId() + ": "));
  // The held offer is still valid: it can be used.
  holder->call(acceptCall(held, {launchOp({task("t1", agent->id(), {scalar("cpus", 1)})})}));
  agent->await<internal::RunTaskMessage>();
}

TEST_F(Semantics, DestroyOfAVolumeInUseIsRefused) {
  clauses("SV-DESTROY-1 SV-DESTROY-2 SV-HTTP-2 SV-OFFER-1 SV-LAUNCH-9");
  start();
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  auto reader = v;
  reader.mutable_disk()->mutable_volume()->set_mode(mesos::v1::Volume::RO);  // SV-RO-2
  reader.mutable_disk()->mutable_volume()->set_container_path("elsewhere");
  fw->call(acceptCall(
      offer,
      {launchOp({task("t1", agent->id(), {scalar("cpus", 1), scalar("mem", 32), reader})})}));
  auto run = agent->await<internal::RunTaskMessage>();
  // The agent is told the task's own path and mode.
  bool path_kept = false;
  for (const auto& r : run.task().resources()) {
    path_kept |= r.has_disk() && r.disk().volume().container_path() == "elsewhere" &&
                 r.disk().volume().mode() == mesos::Volume::RO;
  }
  EXPECT_TRUE(path_kept);
  agent->sendStatus(master->upid(), fw->frameworkId(), "t1", mesos::TASK_RUNNING);
  awaitTaskStatus(*fw, "t1");

  // Still offered while in use; a DESTROY of it is dropped.
  offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1 offered while in use");
  fw->call(acceptCall(offer, {destroyOp({v})}));
  EXPECT_TRUE(logHas("Dropping DESTROY operation from framework " + fw->frameworkId() +
                     ": Persistent volumes in use" + onAgent()));
  EXPECT_TRUE(eventually([&] { return metric("master/operations/destroy/error") == 1; }));

  // The operator gets 400 (not the documented 409).
  auto answer = op->form("/master/destroy-volumes",
                         {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}});
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Invalid DESTROY operation: Persistent volumes in use", answer.body());

  // Once the task ended and its update was acknowledged, it can go.
  agent->sendStatus(master->upid(), fw->frameworkId(), "t1", mesos::TASK_FINISHED);
  agent->await<internal::StatusUpdateAcknowledgementMessage>(
      [](const auto& m) { return m.task_id().value() == "t1"; });
  EXPECT_TRUE(eventually([&] {
    return op->form("/master/destroy-volumes",
                    {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}})
               .result_int() == 202;
  }));
}

TEST_F(Semantics, SeveralTasksShareOneOfferedCopy) {
  clauses(
      "SV-LAUNCH-1 SV-LAUNCH-2 SV-LAUNCH-3 SV-LAUNCH-4 SV-CREATE-1 SV-CREATE-2 SV-CREATE-3 "
      "SV-ALLOC-5 SV-OFFER-5");
  start();
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto v = volume(128, "eng", "v1", true, "");
  auto small = [&](const std::string& id) {
    return task(id, agent->id(), {scalar("cpus", 0.5), scalar("mem", 32), v});
  };
  // CREATE and two tasks on the new volume in one ACCEPT.
  fw->call(acceptCall(offer, {createOp({v}), launchOp({small("t1"), small("t2")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "t1"; });
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "t2"; });
  EXPECT_TRUE(logHas("Allocating additional resources"));
  for (const char* id : {"t1", "t2"}) {
    agent->sendStatus(master->upid(), fw->frameworkId(), id, mesos::TASK_RUNNING);
  }

  // Offered again while both tasks run, as created (SV-OFFER-5).
  offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1 while in use");
  for (const auto& r : offer.resources()) {
    if (r.disk().persistence().id() != "v1") continue;
    EXPECT_TRUE(r.has_shared());
    EXPECT_EQ("data", r.disk().volume().container_path());
    EXPECT_EQ(mesos::v1::Volume::RW, r.disk().volume().mode());
  }
  // A later ACCEPT uses it again (SV-LAUNCH-4).
  fw->call(acceptCall(offer, {launchOp({small("t3")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "t3"; });

  // Another framework of the role uses it too (SV-LAUNCH-3); disk_used
  // counts it once (SV-ALLOC-5).
  auto fw2 = subscribe(*master, frameworkInfo({"eng"}));
  auto offer2 = awaitOffer(
      *fw2, [](const auto& o) { return offerHasVolume(o, "v1"); }, "fw2's offer with v1");
  fw2->call(acceptCall(offer2, {launchOp({small("u1")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "u1"; });
  EXPECT_TRUE(eventually([&] { return metric("master/cpus_used") == 2.0; }));
  EXPECT_EQ(128, metric("master/disk_used"));
  EXPECT_EQ(128, metric("master/mem_used"));
}

TEST_F(Semantics, TaskErrorsWithSharedVolumes) {
  clauses("SV-LAUNCH-5 SV-LAUNCH-6 SV-LAUNCH-7 SV-LAUNCH-8 SV-MODEL-4 SV-CAP-5");
  start();
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto next = [&] {
    return awaitOffer(
        *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  };

  // Executor resources with a shared volume (SV-LAUNCH-5).
  auto offer = next();
  auto with_executor = task("e1", agent->id(), {scalar("cpus", 0.5), scalar("mem", 32)});
  with_executor.clear_command();
  auto* executor = with_executor.mutable_executor();
  executor->mutable_executor_id()->set_value("ex");
  executor->mutable_command()->set_value("run");
  *executor->add_resources() = v;
  fw->call(acceptCall(offer, {launchOp({with_executor})}));
  auto status = awaitTaskStatus(*fw, "e1");
  EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
  EXPECT_EQ(TaskStatus::REASON_TASK_INVALID, status.reason());
  EXPECT_EQ(TaskStatus::SOURCE_MASTER, status.source());
  EXPECT_NE(std::string::npos, status.message().find("should not contain any shared resources"))
      << status.message();

  // The volume named without `shared` does not match (SV-MODEL-4, SV-LAUNCH-6).
  offer = next();
  auto unshared = v;
  unshared.clear_shared();
  fw->call(
      acceptCall(offer, {launchOp({task("m1", agent->id(), {scalar("cpus", 0.5), unshared})})}));
  status = awaitTaskStatus(*fw, "m1");
  EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
  EXPECT_EQ(0u, status.message().rfind("Total resources ", 0)) << status.message();
  EXPECT_NE(std::string::npos,
            status.message().find("required by task and its executor is more than available"));

  // LAUNCH_GROUP: no add-back of shared copies (SV-LAUNCH-7).
  offer = next();
  Operation group;
  group.set_type(Operation::LAUNCH_GROUP);
  auto* launch_group = group.mutable_launch_group();
  launch_group->mutable_executor()->set_type(mesos::v1::ExecutorInfo::DEFAULT);
  launch_group->mutable_executor()->mutable_executor_id()->set_value("default");
  launch_group->mutable_executor()->mutable_framework_id()->set_value(fw->frameworkId());
  for (const auto& r : {scalar("cpus", 0.1), scalar("mem", 32), scalar("disk", 32, "eng")}) {
    *launch_group->mutable_executor()->add_resources() = r;
  }
  for (const char* id : {"g1", "g2"}) {
    auto member = task(id, agent->id(), {scalar("cpus", 0.1), scalar("mem", 32), v});
    *launch_group->mutable_task_group()->add_tasks() = member;
  }
  fw->call(acceptCall(offer, {group}));
  // Mesos's overlap check counts the volume once per task against once in
  // their sum, so it rejects the group before the "more than available"
  // check SPEC.md quotes is reached.
  status = awaitTaskStatus(*fw, "g1");
  EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
  EXPECT_EQ(TaskStatus::REASON_TASK_GROUP_INVALID, status.reason());
  EXPECT_EQ(0u, status.message().rfind(
                    "There are overlapping resources in the task group's task resources", 0))
      << status.message();
  EXPECT_EQ(TaskStatus::REASON_TASK_GROUP_INVALID, awaitTaskStatus(*fw, "g2").reason());

  // [LAUNCH(V), CREATE(W), LAUNCH(V)]: the CREATE resets the shared copies
  // (SV-LAUNCH-8).
  offer = next();
  auto w = volume(64, "eng", "w1", true, "");
  fw->call(acceptCall(offer,
                      {launchOp({task("q1", agent->id(), {scalar("cpus", 0.1), v})}), createOp({w}),
                       launchOp({task("q2", agent->id(), {scalar("cpus", 0.1), v})})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "q1"; });
  status = awaitTaskStatus(*fw, "q2");
  EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
}

TEST_F(Semantics, CreatingASharedVolumeNeedsTheCapability) {
  clauses("SV-CAP-1 SV-CAP-2 SV-CAP-3");
  start();
  auto fw = subscribe(*master, frameworkInfo({"eng"}, {Capability::RESERVATION_REFINEMENT}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto v = volume(128, "eng", "v1", true, "");
  fw->call(acceptCall(offer, {createOp({v})}));
  EXPECT_TRUE(logHas("Dropping CREATE operation from framework " + fw->frameworkId() +
                     ": Create volume operation for 'disk(allocated: eng)(reservations: "
                     "[(STATIC,eng)])[v1:data]<SHARED>:128' has been attempted by framework '" +
                     fw->frameworkId() + "' with no SHARED_RESOURCES capability" + onAgent()));
  // The operator may (SV-CAP-3); the framework is still never offered it
  // (SV-CAP-1).
  createVolume("v1", 128);
  // The first offer made after the create (the rest of the disk) has no
  // volume.
  auto later = awaitOffer(
      *fw, [](const auto& o) { return offered(o).scalar("disk") == 1024 - 128; },
      "an offer made after the create");
  EXPECT_FALSE(offerHasVolume(later, "v1"));
}

TEST_F(Semantics, Mesos11LetsAnyFrameworkCreateSharedVolumes) {
  clauses("SV-CAP-2");
  start({"--profile=mesos-1.1"});
  auto fw = subscribe(*master, frameworkInfo({"eng"}, {Capability::RESERVATION_REFINEMENT}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  fw->call(acceptCall(offer, {createOp({volume(128, "eng", "v1", true, "")})}));
  auto checkpoint = agent->await<internal::CheckpointResourcesMessage>();
  ASSERT_EQ(1, checkpoint.resources_size());
  EXPECT_TRUE(checkpoint.resources(0).has_shared());
}

TEST_F(Semantics, DestroyWithTwoCopiesInOneAccept) {
  clauses("SV-DESTROY-3");
  start({"--min_allocatable_resources=disk:1"});
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto first = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  auto second = awaitOffer(
      *fw,
      [&](const auto& o) {
        return o.id().value() != first.id().value() && offerHasVolume(o, "v1");
      },
      "a second offer with v1");
  auto call = acceptCall(first, {destroyOp({v})});
  *call.mutable_accept()->add_offer_ids() = second.id();
  fw->call(call);
  EXPECT_TRUE(logHas("cannot be removed due to additional shared copies"));
  // Nothing was destroyed.
  EXPECT_EQ(0u, agent->count("mesos.internal.CheckpointResourcesMessage") - 1);
}

class PendingTasks : public Semantics, public ::testing::WithParamInterface<std::string> {};

TEST_P(PendingTasks, DestroyThenLaunchInOneAccept) {
  clauses("SV-DESTROY-4 OQ-5");
  bool head = GetParam() == "mesos-1.12";
  start({"--profile=" + GetParam()});
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  fw->call(acceptCall(
      offer, {destroyOp({v}), launchOp({task("t1", agent->id(), {scalar("cpus", 0.1), v})})}));
  if (head) {
    // The DESTROY wins; the task finds no volume.
    auto status = awaitTaskStatus(*fw, "t1");
    EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
    agent->await<internal::CheckpointResourcesMessage>(
        [](const auto& m) { return m.resources_size() == 0; });
  } else {
    EXPECT_TRUE(logHas("Dropping DESTROY operation from framework " + fw->frameworkId() +
                       ": Persistent volume in pending tasks" + onAgent()));
    agent->await<internal::RunTaskMessage>();
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, PendingTasks, ::testing::Values("mesos-1.12", "mesos-1.1"));

TEST_F(Semantics, NonSharedVolumeCanGoWhileASharedOneIsUsed) {
  clauses("SV-DESTROY-8 PV-OFFER-1 PV-DESTROY-2");
  start();
  auto shared = createVolume("shared", 128);
  auto plain = createVolume("plain", 64, false);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "shared") && offerHasVolume(o, "plain"); },
      "both volumes");
  fw->call(
      acceptCall(offer, {launchOp({task("long", agent->id(), {scalar("cpus", 0.1), shared}),
                                   task("short", agent->id(), {scalar("cpus", 0.1), plain})})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "short"; });
  // While "short" runs, the plain volume is withheld (PV-OFFER-1).
  offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "shared"); }, "shared only");
  EXPECT_FALSE(offerHasVolume(offer, "plain"));
  fw->call(declineCall(offer));
  agent->sendStatus(master->upid(), fw->frameworkId(), "short", mesos::TASK_FINISHED);
  agent->await<internal::StatusUpdateAcknowledgementMessage>(
      [](const auto& m) { return m.task_id().value() == "short"; });
  offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "plain"); }, "plain back");
  fw->call(acceptCall(offer, {destroyOp({plain})}));
  agent->await<internal::CheckpointResourcesMessage>([](const auto& m) {
    for (const auto& r : m.resources()) {
      if (r.disk().persistence().id() == "plain") return false;
    }
    return true;
  });
  // A volume that is gone cannot be destroyed again (PV-DESTROY-2).
  auto answer = op->form("/master/destroy-volumes",
                         {{"slaveId", agent->id()}, {"volumes", resourceArray({plain})}});
  EXPECT_EQ("Invalid DESTROY operation: Persistent volumes not found", answer.body());
}

TEST_F(Semantics, OperationFeedbackNeedsAnAgentThatGivesIt) {
  start();
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto create = createOp({volume(64, "eng", "v1", true, "")});
  create.mutable_id()->set_value("op-1");
  auto launch = launchOp({task("t1", agent->id(), {scalar("cpus", 0.1)})});
  launch.mutable_id()->set_value("op-2");
  fw->call(acceptCall(offer, {create, launch}));
  auto error = awaitEvent(*fw, Event::UPDATE_OPERATION_STATUS, nullptr, "OPERATION_ERROR");
  const auto& status = error.update_operation_status().status();
  EXPECT_EQ("op-1", status.operation_id().value());
  EXPECT_EQ(mesos::v1::OPERATION_ERROR, status.state());
  EXPECT_EQ("Operation requested feedback, but agent " + agent->id() +
                " does not have the required RESOURCE_PROVIDER capability",
            status.message());
  auto task_error = awaitTaskStatus(*fw, "t1");
  EXPECT_EQ("The `id` field cannot be set on LAUNCH operations", task_error.message());
  EXPECT_EQ(1, metric("master/operations/create/error"));
}

TEST_F(Semantics, ConvertedResourcesComeBackWithoutTheDeclineFilter) {
  clauses("SV-OFFER-6");
  start();
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  // CREATE and an hour-long filter: the new volume is not filtered, so the
  // rest (which is) comes back with it.
  fw->call(acceptCall(offer, {createOp({volume(64, "eng", "v1", true, "")})}, 3600));
  auto again = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "the new volume offered");
  EXPECT_EQ(4, offered(again).scalar("cpus"));
  // An ACCEPT without operations filters everything for the hour: a second
  // framework of the role, which would otherwise come after fw (same share,
  // later id), now gets the whole agent.
  fw->call(acceptCall(again, {}, 3600));
  EXPECT_TRUE(
      eventually([&] { return metric("allocator/mesos/offer_filters/roles/eng/active") == 2; }));
  auto second = subscribe(*master, frameworkInfo({"eng"}));
  auto whole = awaitOffer(
      *second, [](const auto& o) { return offerHasVolume(o, "v1"); },
      "the agent offered to the second framework");
  EXPECT_EQ(4, offered(whole).scalar("cpus"));
}

TEST_F(Semantics, OffersFollowTheFrameworksCapabilities) {
  clauses("SV-MODEL-1 SV-OFFER-5");
  start();
  createVolume("v1", 128);
  // No MULTI_ROLE, no RESERVATION_REFINEMENT: pre-refinement resources,
  // no allocation_info.
  mesos::v1::FrameworkInfo old;
  old.set_user("root");
  old.set_name("old");
  old.set_role("eng");
  old.add_capabilities()->set_type(Capability::SHARED_RESOURCES);
  auto legacy = subscribe(*master, old);
  auto offer = awaitOffer(
      *legacy, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  EXPECT_FALSE(offer.has_allocation_info());
  for (const auto& r : offer.resources()) {
    EXPECT_FALSE(r.has_allocation_info());
    EXPECT_EQ(0, r.reservations_size());
    if (r.name() == "disk") {
      EXPECT_EQ("eng", r.role());
    }
    if (r.name() == "cpus") {
      EXPECT_EQ("*", r.role());
    }
  }
  legacy->disconnect();
  auto modern = subscribe(*master, frameworkInfo({"eng"}));
  offer = awaitOffer(
      *modern, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  EXPECT_EQ("eng", offer.allocation_info().role());
  for (const auto& r : offer.resources()) {
    EXPECT_EQ("eng", r.allocation_info().role());
    EXPECT_FALSE(r.has_role());
    if (r.name() == "disk") {
      ASSERT_EQ(1, r.reservations_size());
      EXPECT_EQ(Resource::ReservationInfo::STATIC, r.reservations(0).type());
    }
  }
}

TEST_F(Semantics, ExecutorsAreTracked) {
  start({"--min_allocatable_resources=cpus:0.01"});
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto with_executor = [&](const std::string& id) {
    auto info = task(id, agent->id(), {scalar("cpus", 0.5), scalar("mem", 32)});
    info.clear_command();
    auto* executor = info.mutable_executor();
    executor->mutable_executor_id()->set_value("ex");
    executor->mutable_command()->set_value("run-executor");
    *executor->add_resources() = scalar("cpus", 1);
    *executor->add_resources() = scalar("mem", 64);
    return info;
  };
  fw->call(acceptCall(offer, {launchOp({with_executor("a"), with_executor("b")})}));
  auto first = agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "a"; });
  auto second = agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "b"; });
  EXPECT_TRUE(first.launch_executor());
  EXPECT_FALSE(second.launch_executor());  // the executor exists already
  // Executor resources once: 0.5 + 0.5 + 1 cpus.
  EXPECT_TRUE(eventually([&] { return op->metrics()["master/cpus_used"] == 2.0; }));
  offer = awaitOffer(*fw, anyOffer, "an offer naming the executor");
  ASSERT_EQ(1, offer.executor_ids_size());
  EXPECT_EQ("ex", offer.executor_ids(0).value());
  mesos::v1::master::Call get;
  get.set_type(mesos::v1::master::Call::GET_EXECUTORS);
  auto executors = op->v1Response(get).get_executors();
  ASSERT_EQ(1, executors.executors_size());
  EXPECT_EQ("ex", executors.executors(0).executor_info().executor_id().value());

  // The agent reports the executor gone: the framework hears of it.
  internal::ExitedExecutorMessage exited;
  exited.mutable_slave_id()->set_value(agent->id());
  exited.mutable_framework_id()->set_value(fw->frameworkId());
  exited.mutable_executor_id()->set_value("ex");
  exited.set_status(9);
  agent->send(master->upid(), exited);
  auto failure = awaitEvent(
      *fw, Event::FAILURE, [](const Event& e) { return e.failure().has_executor_id(); },
      "FAILURE for the executor");
  EXPECT_EQ(9, failure.failure().status());
  EXPECT_TRUE(
      eventually([&] { return op->v1Response(get).get_executors().executors_size() == 0; }));
}

TEST_F(Semantics, StateListsVolumesUnderReservedResources) {
  clauses("H-STATE-1 SV-ARITH-8");
  start();
  auto v = createVolume("v1", 128);
  auto state = op->state();
  EXPECT_EQ(1024, state["slaves"][0]["reserved_resources"]["eng"]["disk"]);
  auto slaves = op->slaves();
  int volumes = 0;
  for (const auto& r : slaves["slaves"][0]["reserved_resources_full"]["eng"]) {
    if (r.contains("disk") && r["disk"]["persistence"]["id"] == "v1") {
      ++volumes;
      EXPECT_TRUE(r.contains("shared"));
      EXPECT_EQ("eng", r["role"]);
    }
  }
  EXPECT_EQ(1, volumes);
  EXPECT_EQ(202, op->form("/master/destroy-volumes",
                          {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}})
                     .result_int());
  auto after = op->slaves();
  for (const auto& r : after["slaves"][0]["reserved_resources_full"]["eng"]) {
    EXPECT_FALSE(r.contains("disk") && r["disk"].contains("persistence"));
  }
}

TEST_F(Semantics, SchedulerResizeAndUnreserveOfVolumesAreDropped) {
  clauses("SV-RESIZE-1 PV-UNRESERVE-1 RES-6 RES-8");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto v = volume(128, "eng", "v1", true, "");
  // RESERVE and CREATE in one ACCEPT (RES-8).
  auto reserved = scalar("disk", 256, "eng", "");
  reserved.mutable_reservations(0)->set_type(Resource::ReservationInfo::DYNAMIC);
  fw->call(acceptCall(offer, {reserveOp({reserved}), createOp({[&] {
                                auto dynamic = volume(128, "eng", "v1", true, "");
                                dynamic.mutable_reservations(0)->set_type(
                                    Resource::ReservationInfo::DYNAMIC);
                                return dynamic;
                              }()})}));
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 2; });
  offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  Resource shared;
  for (const auto& r : offer.resources()) {
    if (r.disk().persistence().id() == "v1") shared = r;
  }
  Operation grow;
  grow.set_type(Operation::GROW_VOLUME);
  *grow.mutable_grow_volume()->mutable_volume() = shared;
  *grow.mutable_grow_volume()->mutable_addition() = scalar("disk", 64, "eng", "");
  grow.mutable_grow_volume()->mutable_addition()->mutable_reservations(0)->set_type(
      Resource::ReservationInfo::DYNAMIC);
  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() = shared;
  fw->call(acceptCall(offer, {grow, unreserve}));
  EXPECT_TRUE(logHas("Dropping GROW_VOLUME operation from framework " + fw->frameworkId() +
                     ": Growing a shared persistent volume is not supported" + onAgent()));
  EXPECT_TRUE(logHas("Dropping UNRESERVE operation from framework " + fw->frameworkId() +
                     ": A dynamically reserved persistent volume "));
  EXPECT_TRUE(
      logHas("cannot be unreserved directly. Please destroy the persistent volume first "
             "then unreserve the resource" +
             onAgent()));
}

TEST_F(Semantics, OneTaskPerGroupOnASharedVolumeWorks) {
  clauses("SV-LAUNCH-7");
  start();
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  Operation group;
  group.set_type(Operation::LAUNCH_GROUP);
  auto* launch_group = group.mutable_launch_group();
  auto* executor = launch_group->mutable_executor();
  executor->set_type(mesos::v1::ExecutorInfo::DEFAULT);
  executor->mutable_executor_id()->set_value("default");
  executor->mutable_framework_id()->set_value(fw->frameworkId());
  for (const auto& r : {scalar("cpus", 0.1), scalar("mem", 32), scalar("disk", 32, "eng")}) {
    *executor->add_resources() = r;
  }
  *launch_group->mutable_task_group()->add_tasks() =
      task("g1", agent->id(), {scalar("cpus", 0.1), scalar("mem", 32), v});
  fw->call(acceptCall(offer, {group}));
  auto run = agent->await<internal::RunTaskGroupMessage>();
  EXPECT_EQ("g1", run.task_group().tasks(0).task_id().value());
  EXPECT_TRUE(run.launch_executor());
}

TEST_F(Semantics, RolesOutsideTheWhitelistAreRefused) {
  start({"--roles=eng"});
  harness::SchedulerOptions options;
  options.master = master->url();
  options.framework = frameworkInfo({"eng", "ops"});
  harness::SchedulerClient refused(options);
  try {
    refused.subscribe();
    FAIL() << "a role outside --roles was accepted";
  } catch (const harness::HarnessError& e) {
    EXPECT_NE(std::string::npos,
              std::string(e.what()).find("Roles { ops } are not present in the master's --roles"))
        << e.what();
  }
}

}  // namespace
}  // namespace svh::master::test
