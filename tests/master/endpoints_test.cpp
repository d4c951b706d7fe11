// The operator endpoints against a running svh-master where the answer
// depends on what the agent has available: 409 Conflict (SV-HTTP-1,
// PV-CREATE-6), the rescind-until-covered DESTROY of SV-HTTP-3 in both
// profiles, merging and splitting reservations (RES-5), and the unprefixed
// aliases of the form endpoints.

#include "tests/master/semantics_fixture.hpp"

namespace svh::master::test {
namespace {

class Endpoints : public Semantics {
 protected:
  http::Response form(const std::string& path, const std::string& key,
                      const std::vector<Resource>& resources) {
    return op->form(path, {{"slaveId", agent->id()}, {key, resourceArray(resources)}});
  }
};

// PersistentVolumeEndpointsTest.VolumeExceedsReservedSize and
// .DynamicReservationRoleMismatch: the operation validates but does not
// fit the agent's available resources: 409 with the apply error.
TEST_F(Endpoints, CreateThatDoesNotFitIsAConflict) {
  clauses("PV-CREATE-6 SV-HTTP-1");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto reserved = scalar("disk", 256, "role1", "ops");
  ASSERT_EQ(202, form("/master/reserve", "resources", {reserved}).result_int());
  agent->await<internal::CheckpointResourcesMessage>();

  auto too_big = volume(512, "role1", "v1", false, "ops");
  auto answer = form("/master/create-volumes", "volumes", {too_big});
  EXPECT_EQ(409, answer.result_int());
  auto stripped = scalar("disk", 512, "role1", "ops");
  EXPECT_EQ(
      "cpus:4; mem:4096; disk:768; disk(reservations: [(DYNAMIC,role1,ops)]):256 does not "
      "contain " +
          fakes::Resources(stripped).str(),
      answer.body());

  auto wrong_role = volume(64, "role2", "v2", false, "ops");
  answer = form("/master/create-volumes", "volumes", {wrong_role});
  EXPECT_EQ(409, answer.result_int());
  EXPECT_NE(std::string::npos,
            answer.body().find(" does not contain disk(reservations: [(DYNAMIC,role2,ops)]):64"))
      << answer.body();
  // Nothing was created: the checkpoint of a later reservation is the
  // agent's second.
  ASSERT_EQ(
      202, form("/master/reserve", "resources", {scalar("disk", 64, "role2", "ops")}).result_int());
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 2; });
  EXPECT_EQ(2u, agent->count("mesos.internal.CheckpointResourcesMessage"));
}

// RES-5 on the endpoints: two reservations merge, part of one can be
// unreserved (202), other labels make a reservation of their own, and an
// UNRESERVE with labels no reservation has is a conflict.
TEST_F(Endpoints, ReservationsMergeAndSplit) {
  clauses("RES-5 RES-1");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto disk = [](double size, const std::string& label = "") {
    auto r = scalar("disk", size, "eng", "ops");
    if (!label.empty()) {
      auto* l = r.mutable_reservations(0)->mutable_labels()->add_labels();
      l->set_key("k");
      l->set_value(label);
    }
    return r;
  };
  auto checkpointed = [&] { return agent->await<internal::CheckpointResourcesMessage>(); };
  ASSERT_EQ(202, form("/master/reserve", "resources", {disk(128)}).result_int());
  checkpointed();
  ASSERT_EQ(202, form("/master/reserve", "resources", {disk(64)}).result_int());
  auto merged = checkpointed();
  ASSERT_EQ(1, merged.resources_size());
  EXPECT_EQ(192, merged.resources(0).scalar().value());

  auto answer = form("/master/unreserve", "resources", {disk(32)});
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  auto partial = checkpointed();
  ASSERT_EQ(1, partial.resources_size());
  EXPECT_EQ(160, partial.resources(0).scalar().value());

  ASSERT_EQ(202, form("/master/reserve", "resources", {disk(16, "a")}).result_int());
  auto labelled = checkpointed();
  EXPECT_EQ(2, labelled.resources_size());
  answer = form("/master/unreserve", "resources", {disk(16, "b")});
  EXPECT_EQ(409, answer.result_int());
  EXPECT_NE(std::string::npos, answer.body().find(" does not contain disk(reservations: "
                                                  "[(DYNAMIC,eng,ops,{k: b})]):16"))
      << answer.body();
  EXPECT_EQ(202, form("/master/unreserve", "resources", {disk(16, "a")}).result_int());
  EXPECT_EQ(1, checkpointed().resources_size());
}

// The unprefixed aliases reach the same endpoints.
TEST_F(Endpoints, UnprefixedAliases) {
  clauses("SV-HTTP-1");
  start({}, "cpus:4;mem:4096;disk:1024");
  auto reserved = scalar("disk", 256, "eng", "ops");
  auto v = volume(128, "eng", "v1", true, "ops");
  EXPECT_EQ(202, form("/reserve", "resources", {reserved}).result_int());
  EXPECT_EQ(202, form("/create-volumes", "volumes", {v}).result_int());
  EXPECT_EQ(202, form("/destroy-volumes", "volumes", {v}).result_int());
  EXPECT_EQ(202, form("/unreserve", "resources", {reserved}).result_int());
  agent->await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 0; });
}

// Operation counters came with operation feedback (1.6): HEAD counts a
// CREATE in master/operations/*, the mesos-1.1 profile has no such metric
// at all (so a check reads "not reported", not a counter stuck at 0).
class OperationMetrics : public Endpoints, public ::testing::WithParamInterface<std::string> {};

TEST_P(OperationMetrics, ExistOnlyWhereTheProfileHasOperationFeedback) {
  const bool head = GetParam() == "mesos-1.12";
  start({"--profile=" + GetParam()});
  createVolume("v1", 128);
  auto metrics = op->metrics();
  std::vector<std::string> operation_metrics;
  for (const auto& [name, value] : metrics.items()) {
    if (name.rfind("master/operations/", 0) == 0) operation_metrics.push_back(name);
  }
  if (head) {
    EXPECT_EQ(metrics.value("master/operations/create/finished", -1.0), 1.0);
    EXPECT_EQ(metrics.value("master/operations/create/error", -1.0), 0.0);
  } else {
    EXPECT_TRUE(operation_metrics.empty()) << operation_metrics.front();
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, OperationMetrics, ::testing::Values("mesos-1.12", "mesos-1.1"),
                         [](const auto& info) {
                           return info.param == "mesos-1.12" ? std::string("Mesos112")
                                                             : std::string("Mesos11");
                         });

// SV-HTTP-3: /destroy-volumes of a shared volume two frameworks hold in
// outstanding offers. The master rescinds offers only until what they held
// covers the DESTROY: one offer. HEAD: the volume is always available to
// the operator, so 202, and the other offer keeps a stale copy that a
// LAUNCH can still use as far as the master is concerned. 1.1: the copy in
// the offer left makes the apply fail: 409.
class StaleOffers : public Endpoints, public ::testing::WithParamInterface<std::string> {};

TEST_P(StaleOffers, DestroyOfAVolumeHeldInTwoOffers) {
  clauses("SV-HTTP-3 OQ-4 SV-OFFER-2");
  bool head = GetParam() == "mesos-1.12";
  start({"--profile=" + GetParam(), "--min_allocatable_resources=disk:1"});
  auto v = createVolume("v1", 128);
  auto fw1 = subscribe(*master, frameworkInfo({"eng"}));
  auto offer1 = awaitOffer(
      *fw1, [](const auto& o) { return offerHasVolume(o, "v1"); }, "fw1's offer with v1");
  auto fw2 = subscribe(*master, frameworkInfo({"eng"}));
  auto offer2 = awaitOffer(
      *fw2, [](const auto& o) { return offerHasVolume(o, "v1"); }, "fw2's offer with v1");

  auto answer = form("/master/destroy-volumes", "volumes", {v});
  auto rescindedAny = [](const harness::SchedulerClient& fw) {
    for (const auto& e : fw.history()) {
      if (e.type() == Event::RESCIND) return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return rescindedAny(*fw1) || rescindedAny(*fw2); }))
      << "an offer rescinded";
  bool first = rescindedAny(*fw1);
  auto& keeper = first ? *fw2 : *fw1;
  const auto& kept = first ? offer2 : offer1;
  // The rescinded framework got the default 5 s filter.
  EXPECT_TRUE(
      eventually([&] { return metric("allocator/mesos/offer_filters/roles/eng/active") == 1; }));

  if (head) {
    EXPECT_EQ(202, answer.result_int()) << answer.body();
    agent->await<internal::CheckpointResourcesMessage>(
        [](const auto& m) { return m.resources_size() == 0; });
    // The other offer was not rescinded and still holds the destroyed
    // volume; the master lets a task use it (the offer may hold nothing else).
    keeper.call(acceptCall(kept, {launchOp({task("stale", agent->id(), {v})})}));
    agent->await<internal::RunTaskMessage>(
        [](const auto& m) { return m.task().task_id().value() == "stale"; });
    EXPECT_FALSE(rescindedAny(keeper));
  } else {
    EXPECT_EQ(409, answer.result_int());
    EXPECT_EQ("Invalid DESTROY Operation: Persistent volume does not exist", answer.body());
    EXPECT_FALSE(rescindedAny(keeper));
    // Nothing was destroyed: the checkpoint of a later reservation is the
    // agent's second, and still holds the volume.
    ASSERT_EQ(202,
              form("/master/reserve", "resources", {scalar("cpus", 1, "eng", "ops")}).result_int());
    auto checkpoint = agent->await<internal::CheckpointResourcesMessage>(
        [](const auto& m) { return m.resources_size() == 2; });
    EXPECT_EQ(2u, agent->count("mesos.internal.CheckpointResourcesMessage"));
    bool holds = false;
    for (const auto& r : checkpoint.resources()) holds |= r.disk().persistence().id() == "v1";
    EXPECT_TRUE(holds);
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, StaleOffers, ::testing::Values("mesos-1.12", "mesos-1.1"),
                         [](const auto& info) {
                           return info.param == "mesos-1.12" ? std::string("Mesos112")
                                                             : std::string("Mesos11");
                         });

}  // namespace
}  // namespace svh::master::test
