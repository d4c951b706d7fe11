// Clauses about what one ACCEPT does, shown by a running svh-master: what
// CREATE and DESTROY tell the agent and whose offers they rescind (SV-CREATE-4
// master half, SV-CREATE-5, PV-DESTROY-3 master half, SV-DESTROY-6), the
// shared copies LAUNCH may use after other operations (SV-LAUNCH-8), and
// operations failing one by one (PV-CREATE-6, RES-6, RES-8).

#include "tests/master/semantics_fixture.hpp"

namespace svh::master::test {
namespace {

// Events of `fw` received so far of `type`.
int countEvents(const harness::SchedulerClient& fw, Event::Type type) {
  int n = 0;
  for (const auto& event : fw.history()) n += event.type() == type ? 1 : 0;
  return n;
}

bool checkpointHolds(const internal::CheckpointResourcesMessage& message, const std::string& id) {
  for (const auto& r : message.resources()) {
    if (r.disk().persistence().id() == id) return true;
  }
  return false;
}

// Two frameworks holding offers on the one agent at once: "other" the
// unreserved cpus and mem, "eng" the disk reserved to eng.
class TwoOffers : public Semantics {
 protected:
  void SetUp() override {
    start({"--min_allocatable_resources=cpus:0.01|disk:1"});
    other = subscribe(*master, frameworkInfo({"other"}));
    other_offer = awaitOffer(
        *other, [](const auto& o) { return offered(o).scalar("cpus") == 4; }, "cpus for other");
    eng = subscribe(*master, frameworkInfo({"eng"}));
    eng_offer = awaitOffer(
        *eng, [](const auto& o) { return offered(o).scalar("disk") == 1024; }, "eng's disk");
  }

  // The held offer is still valid: a LAUNCH from it reaches the agent.
  void expectStillUsable(harness::SchedulerClient& fw, const mesos::v1::Offer& offer,
                         const std::string& task_id) {
    fw.call(acceptCall(offer, {launchOp({task(task_id, agent->id(), {scalar("cpus", 1)})})}));
    agent->await<internal::RunTaskMessage>(
        [&](const auto& m) { return m.task().task_id().value() == task_id; });
  }

  std::unique_ptr<harness::SchedulerClient> other;
  std::unique_ptr<harness::SchedulerClient> eng;
  mesos::v1::Offer other_offer;
  mesos::v1::Offer eng_offer;
};

// SV-CREATE-4 is about the agent's directory for the volume; the master's
// half is telling the agent the volume (shared, role, id) it is to make.
// SV-CREATE-5: a framework's CREATE rescinds no offer.
TEST_F(TwoOffers, SchedulerCreateTellsTheAgentAndRescindsNothing) {
  clauses("SV-CREATE-4 SV-CREATE-5 SV-CREATE-1");
  auto v = volume(128, "eng", "v1", true, "");
  eng->call(acceptCall(eng_offer, {createOp({v})}));
  auto checkpoint = agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
  ASSERT_EQ(1, checkpoint.resources_size());
  const auto& created = checkpoint.resources(0);
  EXPECT_TRUE(created.has_shared());
  EXPECT_EQ("v1", created.disk().persistence().id());
  EXPECT_EQ("data", created.disk().volume().container_path());
  ASSERT_EQ(1, created.reservations_size());
  EXPECT_EQ("eng", created.reservations(0).role());
  EXPECT_FALSE(created.has_allocation_info());
  EXPECT_EQ(128, created.scalar().value());
  // The volume is offered back to eng; other's offer was left alone.
  awaitOffer(
      *eng, [](const auto& o) { return offerHasVolume(o, "v1"); }, "the new volume");
  expectStillUsable(*other, other_offer, "t1");
  EXPECT_EQ(0, countEvents(*other, Event::RESCIND));
  EXPECT_EQ(0, countEvents(*eng, Event::RESCIND));
}

// SV-CREATE-5: the endpoint rescinds only offers holding the reserved disk
// it needs.
TEST_F(TwoOffers, EndpointCreateRescindsOnlyWhatItNeeds) {
  clauses("SV-CREATE-5 SV-HTTP-1");
  auto v = volume(128, "eng", "v1", true, "");
  auto answer = op->form("/master/create-volumes",
                         {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}});
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  awaitEvent(
      *eng, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == eng_offer.id().value(); },
      "eng's offer of the reserved disk rescinded");
  expectStillUsable(*other, other_offer, "t1");
  EXPECT_EQ(0, countEvents(*other, Event::RESCIND));
}

// PV-DESTROY-3, master half: the agent is told the volume is gone and the
// disk under it stays reserved, as before the CREATE; it is offered again.
TEST_F(Semantics, DestroyedVolumeLeavesItsReservedDisk) {
  clauses("PV-DESTROY-3 SV-DESTROY-7");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto reserved = scalar("disk", 256, "eng", "ops");
  ASSERT_EQ(202, op->form("/master/reserve",
                          {{"slaveId", agent->id()}, {"resources", resourceArray({reserved})}})
                     .result_int());
  agent->await<internal::CheckpointResourcesMessage>();  // the reservation
  auto v = volume(128, "eng", "v1", true, "ops");
  ASSERT_EQ(202, op->form("/master/create-volumes",
                          {{"slaveId", agent->id()}, {"volumes", resourceArray({v})}})
                     .result_int());
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });

  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  fw->call(acceptCall(offer, {destroyOp({v})}));
  auto checkpoint = agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return !checkpointHolds(m, "v1"); });
  ASSERT_EQ(1, checkpoint.resources_size());
  const auto& left = checkpoint.resources(0);
  EXPECT_EQ(256, left.scalar().value());
  ASSERT_EQ(1, left.reservations_size());
  EXPECT_EQ(mesos::Resource::ReservationInfo::DYNAMIC, left.reservations(0).type());
  EXPECT_EQ("eng", left.reservations(0).role());
  EXPECT_EQ("ops", left.reservations(0).principal());
  EXPECT_FALSE(left.has_disk());

  auto later = awaitOffer(
      *fw,
      [](const auto& o) {
        return offered(o).contains(allocated(scalar("disk", 256, "eng", "ops")));
      },
      "the 256 reserved disk offered whole again");
  EXPECT_FALSE(offerHasVolume(later, "v1"));
}

// SV-LAUNCH-8: a CREATE between two LAUNCHes resets the shared copies the
// second may use, so it fails with the SV-LAUNCH-6 text; a RESERVE or an
// UNRESERVE in the same place resets nothing.
TEST_F(Semantics, CreateBetweenLaunchesResetsSharedCopies) {
  clauses("SV-LAUNCH-8 SV-LAUNCH-6 SV-LAUNCH-1 OQ-11");
  start({}, "cpus:4;mem:4096;disk(eng):1024;disk:512");
  auto v = createVolume("v1", 128);
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto next = [&] {
    return awaitOffer(
        *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1");
  };
  auto user = [&](const std::string& id) {
    return task(id, agent->id(), {scalar("cpus", 0.1), v});
  };

  auto offer = next();
  auto w = volume(64, "eng", "w1", true, "");
  fw->call(acceptCall(offer, {launchOp({user("q1")}), createOp({w}), launchOp({user("q2")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "q1"; });
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "w1"); });
  auto status = awaitTaskStatus(*fw, "q2");
  EXPECT_EQ(mesos::v1::TASK_ERROR, status.state());
  EXPECT_EQ(TaskStatus::REASON_TASK_INVALID, status.reason());
  const std::string& message = status.message();
  const std::string middle = " required by task and its executor is more than available ";
  auto at = message.find(middle);
  ASSERT_NE(std::string::npos, at) << message;
  EXPECT_EQ(0u, message.rfind("Total resources ", 0)) << message;
  // What was left available holds w1 but no copy of v1 any more.
  std::string available = message.substr(at + middle.size());
  EXPECT_EQ(std::string::npos, available.find("[v1:data]")) << message;
  EXPECT_NE(std::string::npos, available.find("[w1:data]")) << message;

  // RESERVE in the same place: the second task still gets its copy.
  offer = next();
  auto reserve = scalar("disk", 64, "eng", "");
  reserve.mutable_reservations(0)->set_type(Resource::ReservationInfo::DYNAMIC);
  fw->call(acceptCall(
      offer, {launchOp({user("r1")}), reserveOp({allocated(reserve)}), launchOp({user("r2")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "r2"; });
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 3; });

  // UNRESERVE likewise.
  offer = awaitOffer(
      *fw,
      [&](const auto& o) {
        return offerHasVolume(o, "v1") && offered(o).contains(allocated(reserve));
      },
      "v1 and the reserved 64");
  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() = allocated(reserve);
  fw->call(acceptCall(offer, {launchOp({user("u1")}), unreserve, launchOp({user("u2")})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "u2"; });
  // The reservation is gone again: only the volumes stay checkpointed.
  agent->await<internal::CheckpointResourcesMessage>([](const auto& m) {
    for (const auto& r : m.resources()) {
      if (!r.disk().has_persistence()) return false;
    }
    return m.resources_size() == 2;
  });
}

// SV-DESTROY-6: offers are matched with their allocation role, so an offer
// of the volume made under the sub-role eng/sub is not rescinded by a
// DESTROY made under eng; the accepting framework's own offer is used up,
// not rescinded.
TEST_F(Semantics, DestroyRescindsNeitherSubRoleOffersNorItsOwn) {
  clauses("SV-DESTROY-6 SV-DESTROY-5 SV-OFFER-4");
  start({"--min_allocatable_resources=disk:1"});
  auto v = createVolume("v1", 128);
  auto sub = subscribe(*master, frameworkInfo({"eng/sub"}));
  auto sub_offer = awaitOffer(
      *sub, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1 offered to eng/sub");
  EXPECT_EQ("eng/sub", sub_offer.allocation_info().role());
  auto owner = subscribe(*master, frameworkInfo({"eng"}));
  auto owner_offer = awaitOffer(
      *owner, [](const auto& o) { return offerHasVolume(o, "v1"); }, "v1 offered to eng");

  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
  owner->call(acceptCall(owner_offer, {destroyOp({v})}));
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 0; });
  // The owner's next offer (the freed disk) comes after anything the
  // DESTROY caused on its stream: no RESCIND of the accepted offer came
  // before it. (Other offers of the owner holding v1, made in later
  // cycles, are rescinded: SV-DESTROY-5.)
  awaitOffer(
      *owner, [](const auto& o) { return !offerHasVolume(o, "v1"); }, "the freed disk");
  for (const auto& event : owner->history()) {
    EXPECT_FALSE(event.type() == Event::RESCIND &&
                 event.rescind().offer_id().value() == owner_offer.id().value())
        << "the accepted offer was rescinded";
  }
  // The sub-role's offer still holds the (now destroyed) volume and is valid.
  sub->call(acceptCall(sub_offer, {launchOp({task("s1", agent->id(), {scalar("cpus", 1)})})}));
  agent->await<internal::RunTaskMessage>(
      [](const auto& m) { return m.task().task_id().value() == "s1"; });
  EXPECT_EQ(0, countEvents(*sub, Event::RESCIND));
}

// PV-CREATE-6: a volume bigger than the offered reserved disk is dropped
// with Mesos's text, and the next offer holds what the first did.
TEST_F(Semantics, OversizedCreateIsDroppedAndChangesNothing) {
  clauses("PV-CREATE-6 SV-CREATE-2");
  start();
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto big = volume(2048, "eng", "v1", true, "");
  fw->call(acceptCall(offer, {createOp({big})}));
  auto stripped = allocated(scalar("disk", 2048, "eng"));
  EXPECT_TRUE(logHas("Dropping CREATE operation from framework " + fw->frameworkId() + ": " +
                     offered(offer).str() + " does not contain " +
                     fakes::Resources(stripped).str()));
  auto again = awaitOffer(*fw, anyOffer, "the next offer");
  EXPECT_EQ(offered(offer), offered(again));
}

// RES-6: reserved resources a task uses cannot be unreserved: the operator
// gets 409; the framework's UNRESERVE of them is dropped (they are not in
// any offer).
TEST_F(Semantics, ReservationsInUseCannotBeUnreserved) {
  clauses("RES-6 SV-HTTP-4");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto reserved = scalar("cpus", 1, "eng", "ops");
  ASSERT_EQ(202, op->form("/master/reserve",
                          {{"slaveId", agent->id()}, {"resources", resourceArray({reserved})}})
                     .result_int());
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [&](const auto& o) { return offered(o).contains(allocated(reserved)); },
      "the reserved cpu");
  fw->call(acceptCall(offer, {launchOp({task("t1", agent->id(), {allocated(reserved)})})}));
  agent->await<internal::RunTaskMessage>();
  auto answer = op->form("/master/unreserve",
                         {{"slaveId", agent->id()}, {"resources", resourceArray({reserved})}});
  EXPECT_EQ(409, answer.result_int());
  EXPECT_NE(std::string::npos,
            answer.body().find(" does not contain cpus(reservations: [(DYNAMIC,eng,ops)]):1"))
      << answer.body();

  offer = awaitOffer(*fw, anyOffer, "an offer without the used cpu");
  Operation unreserve;
  unreserve.set_type(Operation::UNRESERVE);
  *unreserve.mutable_unreserve()->add_resources() = allocated(reserved);
  fw->call(acceptCall(offer, {unreserve}));
  EXPECT_TRUE(
      logHas("Dropping UNRESERVE operation from framework " + fw->frameworkId() + ": " +
             offered(offer).str() +
             " does not contain cpus(allocated: eng)(reservations: [(DYNAMIC,eng,ops)]):1"));
}

// RES-8: RESERVE and CREATE in one ACCEPT fail or succeed each on its own.
TEST_F(Semantics, ReserveAndCreateFailIndependently) {
  clauses("RES-8 SV-RO-1 RES-3");
  start({}, "cpus:4;mem:4096;disk(eng):512;disk:512");
  auto fw = subscribe(*master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw, anyOffer, "an offer");
  auto dynamic = allocated(scalar("disk", 128, "eng", ""));
  dynamic.mutable_reservations(0)->set_type(Resource::ReservationInfo::DYNAMIC);
  // A valid RESERVE, an invalid (RO) CREATE: the reservation is made.
  auto ro = volume(64, "eng", "ro", true, "", mesos::v1::Volume::RO);
  fw->call(acceptCall(offer, {reserveOp({dynamic}), createOp({ro})}));
  EXPECT_TRUE(logHas("Dropping CREATE operation from framework " + fw->frameworkId() +
                     ": Not a persistent volume: Read-only persistent volume not supported" +
                     onAgent()));
  auto checkpoint = agent->await<internal::CheckpointResourcesMessage>();
  ASSERT_EQ(1, checkpoint.resources_size());
  EXPECT_FALSE(checkpoint.resources(0).has_disk());
  EXPECT_EQ(128, checkpoint.resources(0).scalar().value());

  // An invalid RESERVE (a role the framework lacks), a valid CREATE on the
  // static disk: the volume is made.
  offer = awaitOffer(*fw, anyOffer, "another offer");
  auto elsewhere = scalar("disk", 64, "qa", "");
  elsewhere.mutable_reservations(0)->set_type(Resource::ReservationInfo::DYNAMIC);
  elsewhere.mutable_allocation_info()->set_role("eng");
  fw->call(
      acceptCall(offer, {reserveOp({elsewhere}), createOp({volume(64, "eng", "v1", true, "")})}));
  EXPECT_TRUE(logHas("Dropping RESERVE operation from framework " + fw->frameworkId() +
                     ": A reserve operation was attempted for a resource with role 'qa', but the "
                     "resource was allocated to role 'eng'" +
                     onAgent()));
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
}

}  // namespace
}  // namespace svh::master::test
