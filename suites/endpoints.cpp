// Operator endpoints (SPEC 1.9, PV-DESTROY-*, RES-*): /reserve,
// /create-volumes, /destroy-volumes, /unreserve and the v1 operator API's
// CREATE_VOLUMES / DESTROY_VOLUMES, with Mesos's status codes and texts.
// Mirrors PersistentVolumeEndpointsTest.* and MasterAPITest.CreateAndDestroyVolumes.

#include "harness/client/operator_client.hpp"
#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/files.hpp"
#include "harness/wire/json_codec.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class Endpoints : public Check {
 protected:
  void SetUp() override {
    Check::SetUp();
    if (IsSkipped()) return;
    op_ = std::make_unique<OperatorClient>(cluster().master());
  }
  // Reserves the volume's disk and creates it, both through the endpoints.
  void makeVolume(const std::string& agent_id, const VolumeBuilder& v) {
    auto reserved = op_->reserve(agent_id, {v.reservedDisk()});
    ASSERT_EQ(reserved.result_int(), 202) << "/reserve: " << reserved.body();
    auto created = op_->createVolumes(agent_id, {v});
    ASSERT_EQ(created.result_int(), 202) << "/create-volumes: " << created.body();
  }
  // Destroys volume `name` through /destroy-volumes, which must take it (202),
  // and waits for an offer to `fw` without it that matches `back`.
  void destroyAndAwaitOffer(Framework& fw, const std::string& agent_id, const Resource& v,
                            const std::string& name, const OfferMatch& back,
                            const std::string& back_what) {
    auto destroyed = op_->destroyVolumes(agent_id, {v});
    ASSERT_EQ(destroyed.result_int(), 202) << "/destroy-volumes: " << destroyed.body();
    fw.decline(fw.awaitOfferWithout(hasVolume(name), "destroyed volume " + name, back, back_what));
  }

  std::unique_ptr<OperatorClient> op_;
};

SVH_MIRRORS(Endpoints, ReserveCreateDestroyUnreserveThroughTheFormEndpoints,
            "PersistentVolumeEndpointsTest.DynamicReservation");
SVH_CHECK(Endpoints, ReserveCreateDestroyUnreserveThroughTheFormEndpoints,
          "SV-HTTP-1 SV-CREATE-1 PV-OFFER-2 SV-DESTROY-7 RES-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  makeVolume(agent.id, v1);
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                           "an offer with the operator's volume v1"));

  destroyAndAwaitOffer(fw, agent.id, v1, "v1",
                       allOf({onAgent(agent.id), hasScalar("disk", 32, role)}),
                       "the volume's disk back, reserved");
  auto unreserved = op_->unreserve(agent.id, {v1.reservedDisk()});
  ASSERT_EQ(unreserved.result_int(), 202) << unreserved.body();
  fw.decline(fw.awaitOfferWithout(
      [&](const Offer& o) { return scalarIn(o, "disk", role) > 0; }, "disk reserved to " + role,
      allOf({onAgent(agent.id), hasScalar("disk", 32, "*")}), "the disk back, unreserved"));
  asserted("SV-HTTP-1 SV-CREATE-1 PV-OFFER-2 SV-DESTROY-7 RES-1");
}

// A watcher launched with the user sees the data written before the
// destroys are sent; once the user is gone, a task finds it unchanged.
SVH_CHECK(Endpoints, DestroyingAVolumeInUseIsABadRequestAndChangesNothing,
          "SV-HTTP-2 SV-DESTROY-1 H-DATA-4") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  auto w1 = volume("w1").role(role).size(32);
  makeVolume(agent.id, v1);
  makeVolume(agent.id, w1);
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasVolume("w1")}),
                             "an offer with v1 and w1");
  auto user = task("user")
                  .on(agent.id)
                  .uses(v1)
                  .uses(w1.path("other"))
                  .command(runUntilKilled("echo w > other/f && echo v > data/f"));
  auto watcher = task("watcher").on(agent.id).uses(v1).command(
      awaitInTask("[ -s data/f ]", "the user to write its files"));
  fw.accept(offer, {launch({user, watcher})});
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});
  expectTaskPasses(fw, agent, watcher.taskId(), "the user's data before the destroys");

  for (const auto& v : {v1, w1}) {
    SCOPED_TRACE("/destroy-volumes of " + v.id() + " while a task uses it");
    auto answer = op_->destroyVolumes(agent.id, {v});
    // OQ-3: the docs name 409; Mesos answers 400 (validation runs first).
    EXPECT_TRUE(answer.result_int() == 400 || answer.result_int() == 409) << answer.body();
    outcome("SV-HTTP-2", std::to_string(answer.result_int()) + " " + answer.body());
    if (answer.result_int() == 400) {
      EXPECT_NE(answer.body().find("Persistent volumes in use"), std::string::npos)
          << answer.body();
    }
  }
  // Nothing changed: both volumes are still offered, the user still runs,
  // and once it is gone a task finds their data as it was.
  fw.decline(fw.awaitOffer(allOf({returnedFrom(offer, 0.1), hasSharedVolume("v1")}),
                           "an offer with v1 after the refused destroys"));
  expectUndisturbed(fw, user.taskId());
  asserted("SV-HTTP-2 SV-DESTROY-1");
  fw.kill(user.taskId(), agent.id);
  fw.awaitTaskState(user.taskId(), {TASK_KILLED});
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1"), hasVolume("w1")}),
                        "an offer with v1 and w1 once their user is gone");
  auto checker =
      task("checker")
          .on(agent.id)
          .uses(v1)
          .uses(w1.path("other"))
          .command(expectFileHolds("data/f", "v") + " && " + expectFileHolds("other/f", "w"));
  fw.accept(offer, {launch({checker})});
  expectTaskPasses(fw, agent, checker.taskId(),
                   "H-DATA-4: a refused /destroy-volumes changed the volumes' data");
  asserted("H-DATA-4");
}

SVH_MIRRORS(Endpoints, DestroyingAVolumeThatDoesNotExistIsABadRequest,
            "PersistentVolumeEndpointsTest.DeleteNonExistentVolume "
            "DestroyOperationValidationTest.UnknownPersistentVolume");
SVH_CHECK(Endpoints, DestroyingAVolumeThatDoesNotExistIsABadRequest,
          "SV-HTTP-2 PV-DESTROY-2 SV-MODEL-3 SV-MODEL-4") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  makeVolume(agent.id, v1);
  const std::vector<std::pair<std::string, VolumeBuilder>> wrong = {
      {"an unknown id", volume("no-such-volume").role(role).size(32).shared()},
      {"another role", volume("v1").role(role + "-other").size(32).shared()},
      {"another size", volume("v1").role(role).size(64).shared()},
      {"no shared flag", volume("v1").role(role).size(32)},
  };
  for (const auto& [what, v] : wrong) {
    SCOPED_TRACE("/destroy-volumes naming v1 with " + what);
    expectAnswer(op_->destroyVolumes(agent.id, {v}), 400, "Persistent volumes not found");
  }
  asserted("SV-HTTP-2 PV-DESTROY-2 SV-MODEL-4");
  // SV-MODEL-3: the container path is not part of a volume's identity.
  auto answer =
      op_->destroyVolumes(agent.id, {volume("v1").role(role).size(32).shared().path("x")});
  EXPECT_EQ(answer.result_int(), 202) << answer.body();
  asserted("SV-MODEL-3");
}

SVH_MIRRORS(Endpoints, TheDiskUnderAVolumeCannotBeUnreserved,
            "PersistentVolumeEndpointsTest.UnreserveVolumeResources "
            "UnreserveOperationValidationTest.NoPersistentVolumes");
SVH_CHECK(Endpoints, TheDiskUnderAVolumeCannotBeUnreserved, "SV-HTTP-4 RES-6 PV-UNRESERVE-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  makeVolume(agent.id, v1);
  auto answer = op_->unreserve(agent.id, {v1.reservedDisk()});
  EXPECT_EQ(answer.result_int(), 409) << "SV-HTTP-4: " << answer.body();
  answer = op_->unreserve(agent.id, {v1});
  EXPECT_EQ(answer.result_int(), 400) << answer.body();
  EXPECT_NE(answer.body().find("cannot be unreserved directly"), std::string::npos)
      << "PV-UNRESERVE-1: " << answer.body();

  // The framework path drops it the same way: the volume stays.
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}), "an offer with v1");
  fw.accept(offer, {harness::unreserve({*findVolume(offer, "v1")})});
  fw.decline(fw.awaitOffer(allOf({returnedFrom(offer), hasSharedVolume("v1")}),
                           "an offer with v1 after an UNRESERVE naming it"));
  asserted("SV-HTTP-4 RES-6 PV-UNRESERVE-1");
}

SVH_MIRRORS(Endpoints, AVolumeTheReservationCannotHoldConflicts,
            "PersistentVolumeEndpointsTest.VolumeExceedsReservedSize "
            "PersistentVolumeEndpointsTest.DynamicReservationRoleMismatch");
SVH_CHECK(Endpoints, AVolumeTheReservationCannotHoldConflicts, "PV-CREATE-6 PV-CREATE-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto reserved = op_->reserve(agent.id, {volume("v1").role(role).size(32).reservedDisk()});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  auto answer = op_->createVolumes(agent.id, {volume("v1").role(role).size(64).shared()});
  EXPECT_EQ(answer.result_int(), 409) << "larger than its reservation: " << answer.body();
  answer = op_->createVolumes(agent.id, {volume("v1").role(role + "-other").size(32).shared()});
  EXPECT_EQ(answer.result_int(), 409) << "reserved to another role: " << answer.body();
  // PV-CREATE-1: from unreserved disk.
  auto unreserved = volume("v1").size(32).build();
  unreserved.clear_reservations();
  expectAnswer(op_->createVolumes(agent.id, {unreserved}), 400,
               "Persistent volumes cannot be created from unreserved resources");
  asserted("PV-CREATE-6 PV-CREATE-1");
}

SVH_MIRRORS(Endpoints, RoleStarCannotBeReserved, "PersistentVolumeEndpointsTest.InvalidVolume");
SVH_CHECK(Endpoints, RoleStarCannotBeReserved, "RES-2") {
  auto& agent = cluster().agents().front();
  auto star = volume("v1").role("*").size(32).shared();
  expectAnswer(op_->createVolumes(agent.id, {star}), 400, "role \"*\" cannot be reserved");
  expectAnswer(op_->destroyVolumes(agent.id, {star}), 400, "role \"*\" cannot be reserved");
  asserted("RES-2");
}

SVH_MIRRORS(Endpoints, VolumesAreCreatedReadWriteAndNamedSoInADestroy,
            "CreateOperationValidationTest.ReadOnlyPersistentVolume "
            "DestroyOperationValidationTest.PersistentVolumes");
SVH_CHECK(Endpoints, VolumesAreCreatedReadWriteAndNamedSoInADestroy,
          "SV-RO-1 SV-RO-6 PV-DESTROY-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto reserved = op_->reserve(agent.id, {volume("v1").role(role).size(32).reservedDisk()});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  const std::string read_only =
      "Not a persistent volume: Read-only persistent volume not supported";
  expectAnswer(op_->createVolumes(agent.id, {volume("v1").role(role).size(32).shared().readOnly()}),
               400, read_only);
  auto created = op_->createVolumes(agent.id, {volume("v1").role(role).size(32).shared()});
  ASSERT_EQ(created.result_int(), 202) << created.body();
  expectAnswer(
      op_->destroyVolumes(agent.id, {volume("v1").role(role).size(32).shared().readOnly()}), 400,
      read_only);
  // PV-DESTROY-1: a DESTROY must name a persistent volume.
  expectAnswer(op_->destroyVolumes(agent.id, {volume("v1").role(role).size(32).reservedDisk()}),
               400, "Not a persistent volume");

  // The scheduler path drops an RO CREATE: the reserved disk stays plain.
  const std::string role2 = ownRole("http-fw");
  Framework fw(cluster().master(), spec(role2));
  fw.subscribe();
  auto ro = volume("v2").role(role2).size(32).shared().readOnly();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasScalar("disk", 32, "*")}),
                             "an offer with 32 MB of unreserved disk");
  fw.accept(offer, {harness::reserve({ro.reservedDisk()}), harness::create({ro})});
  fw.decline(fw.awaitOfferWithout(hasVolume("v2"), "read-only volume v2",
                                  allOf({onAgent(agent.id), hasScalar("disk", 32, role2)}),
                                  "the reserved disk, with no volume made from it"));
  asserted("SV-RO-1 SV-RO-6 PV-DESTROY-1");
}

SVH_MIRRORS(Endpoints, MissingParametersAreBadRequests,
            "PersistentVolumeEndpointsTest.NoSlaveId PersistentVolumeEndpointsTest.NoVolumes");
SVH_CHECK(Endpoints, MissingParametersAreBadRequests, "SV-HTTP-1") {
  auto& agent = cluster().agents().front();
  auto v = "[" + wire::toJsonString(volume("v1").role(unique("http")).size(32).shared()) + "]";
  EXPECT_EQ(op_->form("/master/create-volumes", {{"volumes", v}}).result_int(), 400);
  EXPECT_EQ(op_->form("/master/create-volumes", {{"slaveId", agent.id}}).result_int(), 400);
  EXPECT_EQ(op_->form("/master/destroy-volumes", {{"volumes", v}}).result_int(), 400);
  EXPECT_EQ(op_->form("/master/destroy-volumes", {{"slaveId", agent.id}}).result_int(), 400);
  asserted("SV-HTTP-1");
}

SVH_MIRRORS(Endpoints, TheV1OperatorApiCreatesAndDestroysVolumes,
            "MasterAPITest.CreateAndDestroyVolumes");
SVH_CHECK(Endpoints, TheV1OperatorApiCreatesAndDestroysVolumes,
          "SV-HTTP-1 SV-HTTP-2 PV-DESTROY-2") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  auto reserved = op_->reserve(agent.id, {v1.reservedDisk()});
  ASSERT_EQ(reserved.result_int(), 202) << reserved.body();
  auto type = runOptions().content_type;
  auto volumesCall = [&](mesos::v1::master::Call::Type which) {
    mesos::v1::master::Call call;
    call.set_type(which);
    auto* body = which == mesos::v1::master::Call::CREATE_VOLUMES
                     ? call.mutable_create_volumes()->mutable_volumes()
                     : call.mutable_destroy_volumes()->mutable_volumes();
    *body->Add() = v1;
    if (which == mesos::v1::master::Call::CREATE_VOLUMES) {
      call.mutable_create_volumes()->mutable_agent_id()->set_value(agent.id);
    } else {
      call.mutable_destroy_volumes()->mutable_agent_id()->set_value(agent.id);
    }
    return op_->v1(call, type);
  };
  auto created = volumesCall(mesos::v1::master::Call::CREATE_VOLUMES);
  ASSERT_EQ(created.result_int(), 202) << created.body();

  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                             "an offer with v1 made through the v1 operator API");
  auto user = task("user").on(agent.id).uses(v1).command(runUntilKilled());
  fw.accept(offer, {launch({user})});
  fw.awaitTaskState(user.taskId(), {TASK_RUNNING});
  expectAnswer(volumesCall(mesos::v1::master::Call::DESTROY_VOLUMES), 400,
               "Persistent volumes in use");
  fw.kill(user.taskId(), agent.id);
  fw.awaitTaskState(user.taskId(), {TASK_KILLED});
  auto destroyed = volumesCall(mesos::v1::master::Call::DESTROY_VOLUMES);
  EXPECT_EQ(destroyed.result_int(), 202) << destroyed.body();
  expectAnswer(volumesCall(mesos::v1::master::Call::DESTROY_VOLUMES), 400,
               "Persistent volumes not found");
  asserted("SV-HTTP-1 SV-HTTP-2 PV-DESTROY-2");
}

// SV-HTTP-3: the endpoint rescinds only enough offers to cover the DESTROY.
// HEAD answers 202 and may leave an offer holding the destroyed volume; 1.1
// answered 409. Whatever the master does, no task may run on the destroyed
// volume: a launch from a stale offer fails (SV-LAUNCH-11).
SVH_CHECK(Endpoints, DestroyingAVolumeHeldInSeveralOffers, "SV-HTTP-3 SV-LAUNCH-11") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  Framework fw1(cluster().master(), spec(role));
  fw1.subscribe();
  auto offer = harness::createVolumes(fw1, agent.id, {v1});
  auto splitter = task("splitter").on(agent.id).cpus(1).command(runUntilKilled());
  fw1.accept(offer, {launch({splitter})});
  fw1.awaitTaskState(splitter.taskId(), {TASK_RUNNING});
  Framework fw2(cluster().master(), spec(role));
  fw2.subscribe();
  auto held2 =
      fw2.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}), "fw2: an offer with v1");
  fw1.kill(splitter.taskId(), agent.id);
  fw1.awaitTaskState(splitter.taskId(), {TASK_KILLED});
  auto held1 = fw1.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                              "fw1: an offer with v1 while fw2 holds one");

  auto answer = op_->destroyVolumes(agent.id, {v1});
  outcome("SV-HTTP-3", std::to_string(answer.result_int()));
  if (runOptions().profile == "mesos-1.1") {
    // 1.1: the copy left in the other offer makes the apply fail.
    EXPECT_EQ(answer.result_int(), 409) << "SV-HTTP-3: 1.1 answers 409 when another offer still "
                                           "holds the volume: "
                                        << answer.body();
    asserted("SV-HTTP-3");
    skipPart("SV-LAUNCH-11", "the master refused the DESTROY (409, as 1.1 did): no offer went stale");
    return;
  }
  ASSERT_EQ(answer.result_int(), 202) << answer.body();
  // Any offer still held after the DESTROY is stale. Launching on v1 from it
  // must not run a task.
  // SV-LAUNCH-11 is seen only if a launch reached the agent, which then
  // refused it for resources it does not know.
  bool agent_refused = false;
  std::string ends;  // how each launch ended
  for (auto [fw, held] : {std::make_pair(&fw1, held1), std::make_pair(&fw2, held2)}) {
    // A rescind may still be on its way: a launch then gets a TASK_ERROR or
    // TASK_LOST for invalid offers, which is equally fine.
    auto t = task("late").on(agent.id).uses(v1).command("echo x > data/x");
    fw->accept(held, {launch({t})});
    auto end = fw->awaitTaskState(t.taskId(), {TASK_ERROR, TASK_LOST, TASK_DROPPED, TASK_FINISHED,
                                               TASK_FAILED, TASK_RUNNING});
    EXPECT_TRUE(end.state() == TASK_ERROR || end.state() == TASK_LOST ||
                end.state() == TASK_DROPPED)
        << "a task ran on destroyed volume v1: " << describe(end);
    ends += (ends.empty() ? "" : "; ") + describe(end);
    agent_refused |= end.reason() == mesos::v1::TaskStatus::REASON_RESOURCES_UNKNOWN;
  }
  outcome("SV-LAUNCH-11", "the launches from stale offers: " + ends);
  asserted("SV-HTTP-3");
  if (agent_refused) {
    asserted("SV-LAUNCH-11");
  } else {
    skipPart("SV-LAUNCH-11",
             "the master itself refused each launch from a stale offer (TASK_ERROR, or "
             "TASK_LOST for invalid offers), so no agent was asked to run a task on a volume "
             "it no longer has");
  }
}

SVH_MIRRORS(Endpoints, AVolumeCreatedThroughAnOfferIsDestroyedThroughTheEndpoint,
            "PersistentVolumeEndpointsTest.OfferCreateThenEndpointRemove");
SVH_CHECK(Endpoints, AVolumeCreatedThroughAnOfferIsDestroyedThroughTheEndpoint,
          "SV-HTTP-1 SV-CREATE-1 PV-DESTROY-3") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = harness::createVolumes(fw, agent.id, {v1});
  auto writer = task("writer").on(agent.id).uses(v1).command("echo old > data/f");
  fw.accept(offer, {launch({writer})});
  fw.awaitTaskState(writer.taskId(), {TASK_FINISHED});
  asserted("SV-CREATE-1");
  destroyAndAwaitOffer(fw, agent.id, v1, "v1",
                       allOf({onAgent(agent.id), hasScalar("disk", 32, role)}),
                       "the volume's disk back");
  asserted("SV-HTTP-1");
  // PV-DESTROY-3: the data leaves the agent's disk; a volume created again
  // with the same id starts empty.
  if (auto why = needsLocalAgents()) {
    skipPart("PV-DESTROY-3", "the volume's data leaving the agent's disk: " + *why);
  } else {
    awaitGone(volumeDir(agent, role, "v1"), kDefaultWait, "the volume's data to leave the agent");
    asserted("PV-DESTROY-3");
  }
  auto created = op_->createVolumes(agent.id, {v1});
  ASSERT_EQ(created.result_int(), 202) << "/create-volumes: " << created.body();
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 created again");
  auto looker = task("looker").on(agent.id).uses(v1).command(
      expectInTask("[ -z \"$(ls -A data)\" ]", "v1, created again after its DESTROY, to be empty"));
  fw.accept(offer, {launch({looker})});
  expectTaskPasses(fw, agent, looker.taskId(),
                   "PV-DESTROY-3: a re-created volume v1 holds the old one's files");
  asserted("PV-DESTROY-3");
}

SVH_MIRRORS(Endpoints, AVolumeCreatedThroughTheEndpointIsDestroyedThroughAnOffer,
            "PersistentVolumeEndpointsTest.EndpointCreateThenOfferRemove "
            "PersistentVolumeEndpointsTest.NoAuthentication");
SVH_CHECK(Endpoints, AVolumeCreatedThroughTheEndpointIsDestroyedThroughAnOffer,
          "SV-HTTP-1 SV-CREATE-1 SV-DESTROY-7") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("http");
  auto v1 = volume("v1").role(role).size(32).shared();
  makeVolume(agent.id, v1);
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                             "an offer with the operator's volume v1");
  fw.accept(offer, {destroy({*findVolume(offer, "v1")})});
  fw.decline(fw.awaitOfferWithout(hasVolume("v1"), "destroyed v1",
                                  allOf({returnedFrom(offer), hasScalar("disk", 32, role)}),
                                  "the volume's disk back"));
  asserted("SV-HTTP-1 SV-CREATE-1 SV-DESTROY-7");
}

// The agents the harness starts hold 128 MB of disk statically reserved to
// role svh-static (their --resources); a static reservation can carry a
// volume but cannot be unreserved.
SVH_MIRRORS(Endpoints, AStaticReservationCarriesVolumesAndCannotBeUnreserved,
            "PersistentVolumeEndpointsTest.StaticReservation");
SVH_CHECK(Endpoints, AStaticReservationCarriesVolumesAndCannotBeUnreserved,
          "RES-1 SV-HTTP-1 SV-HTTP-2") {
  auto& agent = cluster().agents().front();
  const std::string role = "svh-static";
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto offer = fw.awaitOffer(onAgent(agent.id), "an offer of the agent to role " + role);
  Resource statically;
  for (const auto& r : offer.resources()) {
    if (r.name() == "disk" && reservedRole(r) == role && !r.has_disk()) statically = r;
  }
  fw.decline(offer);
  if (!statically.has_scalar()) {
    GTEST_SKIP() << "agent " << agent.id << " holds no disk statically reserved to " << role
                 << " (svh-agents started by svharness do)";
  }
  auto v1 = volume("v1").size(32).shared().principal("").build();
  v1.clear_reservations();
  auto* reservation = v1.add_reservations();
  reservation->set_type(Resource::ReservationInfo::STATIC);
  reservation->set_role(role);
  auto created = op_->createVolumes(agent.id, {v1});
  ASSERT_EQ(created.result_int(), 202) << created.body();
  fw.decline(fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                           "an offer with v1 on the static reservation"));
  destroyAndAwaitOffer(fw, agent.id, v1, "v1",
                       allOf({onAgent(agent.id), hasScalar("disk", 128, role)}),
                       "the whole static reservation back");

  auto plain = statically;
  plain.clear_allocation_info();
  plain.mutable_scalar()->set_value(32);
  expectAnswer(op_->unreserve(agent.id, {plain}), 400, "not dynamically reserved");
  asserted("RES-1 SV-HTTP-1 SV-HTTP-2");
}

}  // namespace svh::suites
