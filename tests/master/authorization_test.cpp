// Authorization by --acls against a running svh-master (PV-DESTROY-4, the
// 403 of SV-HTTP-1): Mesos's PersistentVolumeTest.GoodACLCreateThenDestroy,
// .BadACLDropCreateAndDestroy, .BadACLNoPrincipal and
// PersistentVolumeEndpointsTest.GoodCreateAndDestroyACL,
// .BadCreateAndDestroyACL, .GoodCreateAndDestroyACLBadCredential, plus the
// v1 operator calls in both encodings. The rules themselves are unit-tested
// in tests/fakes/authorization_test.cpp.

#include <unistd.h>

#include <fstream>

#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;
namespace v1master = mesos::v1::master;
using mesos::v1::Resource;

// A directory of files for the master's flags, removed afterwards.
class FlagFiles {
 public:
  FlagFiles() {
    char pattern[] = "/tmp/svh-acl-test-XXXXXX";
    char* made = mkdtemp(pattern);
    if (!made) throw std::runtime_error("cannot create a temporary directory");
    dir_ = made;
  }
  ~FlagFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

 private:
  std::filesystem::path dir_;
};

// A volume on the static "eng" disk whose creator is `principal`.
Resource volumeBy(const std::string& id, const std::string& principal) {
  auto v = volume(128, "eng", id, true, "");
  if (!principal.empty()) v.mutable_disk()->mutable_persistence()->set_principal(principal);
  return v;
}

mesos::v1::FrameworkInfo frameworkAs(const std::string& principal) {
  auto info = frameworkInfo({"eng"});
  if (!principal.empty()) info.set_principal(principal);
  return info;
}

Call suppressCall() {
  Call suppress;
  suppress.set_type(Call::SUPPRESS);
  return suppress;
}

bool checkpointHolds(const internal::CheckpointResourcesMessage& message, const std::string& id) {
  for (const auto& r : message.resources()) {
    if (r.disk().persistence().id() == id) return true;
  }
  return false;
}

// ------------------------------------------------------- framework operations

class FrameworkAcls : public ::testing::Test {
 protected:
  void start(const std::string& acls) {
    master = std::make_unique<MasterUnderTest>(std::vector<std::string>{"--acls=" + acls});
    agent.registerWith(master->upid());
    op = std::make_unique<harness::OperatorClient>(master->url());
  }

  // An ACCEPT whose one operation carries an id, so that a drop comes back
  // as OPERATION_ERROR with the drop message (the agent gives operation
  // feedback).
  std::string dropMessage(harness::SchedulerClient& fw, const mesos::v1::Offer& offer,
                          Operation operation, const std::string& id) {
    operation.mutable_id()->set_value(id);
    fw.call(acceptCall(offer, {operation}));
    auto event = awaitEvent(
        fw, Event::UPDATE_OPERATION_STATUS,
        [&](const Event& e) {
          return e.update_operation_status().status().operation_id().value() == id;
        },
        "OPERATION_ERROR for " + id);
    EXPECT_EQ(mesos::v1::OPERATION_ERROR, event.update_operation_status().status().state());
    return event.update_operation_status().status().message();
  }

  mesos::v1::Offer offerWith(harness::SchedulerClient& fw, const std::string& id, bool present,
                             const std::string& what) {
    return awaitOffer(
        fw, [&](const auto& o) { return offerHasVolume(o, id) == present; }, what);
  }

  std::unique_ptr<MasterUnderTest> master;
  // RESOURCE_PROVIDER (4) and AGENT_OPERATION_FEEDBACK (6) besides the
  // defaults: dropped operations with an id are reported to the framework.
  ScriptedAgent agent{
      AgentOptions{.resources = "cpus:4;mem:4096;disk(eng):1024", .capabilities = {1, 2, 3, 4, 6}}};
  std::unique_ptr<harness::OperatorClient> op;
};

TEST_F(FrameworkAcls, GoodAclCreateThenDestroy) {
  clauses("PV-DESTROY-4 SV-CREATE-1 SV-DESTROY-7");
  FlagFiles files;
  start("file://" + files.write("acls.json", R"({
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["test-principal"]},
                         "creator_principals": {"values": ["test-principal"]}}]})"));
  auto fw = subscribe(*master, frameworkAs("test-principal"));
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  auto v = volumeBy("v1", "test-principal");
  fw->call(acceptCall(offer, {createOp({v})}));
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
  offer = offerWith(*fw, "v1", true, "the created volume");
  fw->call(acceptCall(offer, {destroyOp({v})}));
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return !checkpointHolds(m, "v1"); });
  offerWith(*fw, "v1", false, "an offer after the destroy");
  EXPECT_EQ(0, op->metrics().value("master/operations/error", 0.0));
}

TEST_F(FrameworkAcls, BadAclDropCreateAndDestroy) {
  clauses("PV-DESTROY-4");
  start(R"({
    "create_volumes": [{"principals": {"values": ["creator-principal"]}, "roles": {"type": "ANY"}},
                       {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"},
                         "creator_principals": {"type": "NONE"}}]})");
  auto fw1 = subscribe(*master, frameworkAs("test-principal"));
  auto offer = awaitOffer(
      *fw1, [](const auto&) { return true; }, "an offer");
  auto message = dropMessage(*fw1, offer, createOp({volumeBy("v1", "test-principal")}), "create-1");
  EXPECT_EQ(0u, message.rfind("Principal 'test-principal' no authorized to perform action "
                              "CREATE_VOLUME on object {\"value\":\"eng\",\"resource\":{",
                              0))
      << message;
  EXPECT_NE(std::string::npos, message.find("\"persistence\":{\"id\":\"v1\"")) << message;
  EXPECT_TRUE(eventually([&] { return op->metrics()["master/operations/create/error"] == 1; }));
  auto later = offerWith(*fw1, "v1", false, "an offer after the dropped create");

  // The allowed creator makes it; nobody may destroy it. (fw1 is
  // suppressed as in Mesos's test: a filter would not cover the new volume.)
  fw1->call(suppressCall());
  fw1->call(declineCall(later, 3600));
  auto fw2 = subscribe(*master, frameworkAs("creator-principal"));
  offer = awaitOffer(
      *fw2, [](const auto&) { return true; }, "an offer to the creator");
  auto v = volumeBy("v1", "creator-principal");
  fw2->call(acceptCall(offer, {createOp({v})}));
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
  offer = offerWith(*fw2, "v1", true, "the created volume");
  message = dropMessage(*fw2, offer, destroyOp({v}), "destroy-1");
  EXPECT_EQ(0u, message.rfind("Principal 'creator-principal' no authorized to perform action "
                              "DESTROY_VOLUME on object {\"value\":\"creator-principal\","
                              "\"resource\":{",
                              0))
      << message;
  offer = offerWith(*fw2, "v1", true, "the volume offered after the dropped destroy");
  // A launch after it: anything the dropped DESTROY sent the agent would
  // have arrived first. Only the create's checkpoint did.
  fw2->call(acceptCall(offer, {launchOp({task("t1", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();
  EXPECT_EQ(1u, agent.count("mesos.internal.CheckpointResourcesMessage"));
}

TEST_F(FrameworkAcls, BadAclNoPrincipal) {
  clauses("PV-DESTROY-4");
  start(R"({
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}},
                       {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
    "destroy_volumes": [{"principals": {"type": "ANY"},
                         "creator_principals": {"type": "NONE"}}]})");
  auto anonymous = subscribe(*master, frameworkAs(""));
  auto offer = awaitOffer(
      *anonymous, [](const auto&) { return true; }, "an offer");
  auto message = dropMessage(*anonymous, offer, createOp({volumeBy("v1", "")}), "create-1");
  EXPECT_EQ(0u, message.rfind("Principal '' no authorized to perform action CREATE_VOLUME on "
                              "object {\"value\":\"eng\",",
                              0))
      << message;
  // The log says it as Mesos does.
  EXPECT_TRUE(eventually([&] {
    return master->log().find("Dropping CREATE operation from framework " +
                              anonymous->frameworkId() + ": Principal '' no authorized to") !=
           std::string::npos;
  }));

  // The named principal may create; the anonymous framework may not destroy.
  auto later = offerWith(*anonymous, "v1", false, "an offer after the dropped create");
  anonymous->call(suppressCall());
  anonymous->call(declineCall(later, 3600));
  auto named = subscribe(*master, frameworkAs("test-principal"));
  offer = awaitOffer(
      *named, [](const auto&) { return true; }, "an offer to test-principal");
  auto v = volumeBy("v1", "test-principal");
  named->call(acceptCall(offer, {createOp({v})}));
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return checkpointHolds(m, "v1"); });
  offer = offerWith(*named, "v1", true, "the created volume");
  named->call(suppressCall());
  named->call(declineCall(offer, 3600));
  Call revive;
  revive.set_type(Call::REVIVE);
  anonymous->call(revive);
  offer = offerWith(*anonymous, "v1", true, "the volume offered to the anonymous framework");
  message = dropMessage(*anonymous, offer, destroyOp({v}), "destroy-1");
  EXPECT_EQ(0u, message.rfind("Principal '' no authorized to perform action DESTROY_VOLUME", 0))
      << message;
}

// ---------------------------------------------------------- operator requests

const char* const kCredentials = R"({"credentials": [
    {"principal": "test-principal", "secret": "secret1"},
    {"principal": "test-principal-2", "secret": "secret2"}]})";

class OperatorAcls : public ::testing::Test {
 protected:
  void start(const std::string& acls) {
    master = std::make_unique<MasterUnderTest>(std::vector<std::string>{
        "--acls=" + acls, "--credentials=" + files.write("credentials.json", kCredentials),
        "--authenticate_http_readwrite"});
    agent.registerWith(master->upid());
  }

  http::Response form(const std::string& path, const std::string& credential,
                      const Resource& volume) {
    http::Request request{http::bhttp::verb::post, path, 11};
    request.set(http::bhttp::field::content_type, "application/x-www-form-urlencoded");
    request.set(http::bhttp::field::authorization, "Basic " + wire::base64Encode(credential));
    request.body() =
        "slaveId=" + agent.id() + "&volumes=" + harness::urlEncode(resourceArray({volume}));
    return client().send(std::move(request));
  }

  http::Response v1(const v1master::Call& call, ContentType type, const std::string& credential) {
    const char* media = type == ContentType::kJson ? "application/json" : "application/x-protobuf";
    http::Request request{http::bhttp::verb::post, "/api/v1", 11};
    request.set(http::bhttp::field::content_type, media);
    request.set(http::bhttp::field::accept, media);
    request.set(http::bhttp::field::authorization, "Basic " + wire::base64Encode(credential));
    request.body() =
        type == ContentType::kJson ? wire::toJsonString(call) : call.SerializeAsString();
    return client().send(std::move(request));
  }

  http::Client& client() {
    if (!client_) client_ = std::make_unique<http::Client>(master->url().host, master->url().port);
    return *client_;
  }

  FlagFiles files;
  std::unique_ptr<MasterUnderTest> master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:1;mem:512;disk(eng):1024;disk:1024"}};
  std::unique_ptr<http::Client> client_;
};

TEST_F(OperatorAcls, GoodCreateAndDestroyAcl) {
  clauses("PV-DESTROY-4 SV-HTTP-1 SV-HTTP-3");
  start(R"({
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["test-principal"]},
                         "creator_principals": {"values": ["test-principal"]}}]})");
  auto v = volumeBy("v1", "test-principal");
  auto answer = form("/master/create-volumes", "test-principal:secret1", v);
  EXPECT_EQ(202, answer.result_int()) << answer.body();

  auto fw = subscribe(*master, frameworkAs("test-principal"));
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "the volume");
  answer = form("/master/destroy-volumes", "test-principal:secret1", v);
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  // The offer holding it is rescinded (with a 5 s filter); after REVIVE the
  // agent is offered without it.
  awaitEvent(
      *fw, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == offer.id().value(); },
      "the offer holding the volume rescinded");
  Call revive;
  revive.set_type(Call::REVIVE);
  fw->call(revive);
  auto later = awaitOffer(
      *fw, [&](const auto& o) { return o.id().value() != offer.id().value(); }, "a later offer");
  EXPECT_FALSE(offerHasVolume(later, "v1"));
}

TEST_F(OperatorAcls, BadCreateAndDestroyAcl) {
  clauses("PV-DESTROY-4 SV-HTTP-1");
  start(R"({
    "create_volumes": [{"principals": {"values": ["test-principal-2"]}, "roles": {"type": "NONE"}},
                       {"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["test-principal-2"]},
                         "creator_principals": {"type": "NONE"}}]})");
  auto answer = form("/master/create-volumes", "test-principal-2:secret2",
                     volumeBy("v1", "test-principal-2"));
  EXPECT_EQ(403, answer.result_int());
  EXPECT_TRUE(answer.body().empty()) << answer.body();
  auto v = volumeBy("v1", "test-principal");
  EXPECT_EQ(202, form("/master/create-volumes", "test-principal:secret1", v).result_int());
  answer = form("/master/destroy-volumes", "test-principal-2:secret2", v);
  EXPECT_EQ(403, answer.result_int());
  EXPECT_TRUE(answer.body().empty()) << answer.body();
  // Validation comes first: a volume that does not exist is a 400, not a 403.
  answer = form("/master/destroy-volumes", "test-principal-2:secret2",
                volumeBy("nope", "test-principal"));
  EXPECT_EQ(400, answer.result_int());
  // No rule covers test-principal's DESTROY: permissive. Its checkpoint
  // follows any the refused requests might have caused on the agent's link:
  // there were none.
  EXPECT_EQ(202, form("/master/destroy-volumes", "test-principal:secret1", v).result_int());
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return !checkpointHolds(m, "v1"); });
  EXPECT_EQ(2u, agent.count("mesos.internal.CheckpointResourcesMessage"));
}

TEST_F(OperatorAcls, GoodCreateAndDestroyAclBadCredential) {
  clauses("PV-DESTROY-4 SV-HTTP-1");
  start(R"({
    "create_volumes": [{"principals": {"values": ["awesome-principal"]}, "roles": {"type": "ANY"}},
                       {"principals": {"values": ["test-principal"]}, "roles": {"type": "ANY"}}],
    "destroy_volumes": [{"principals": {"values": ["awesome-principal"]},
                         "creator_principals": {"type": "ANY"}}]})");
  // Authentication comes before authorization: a principal the ACLs allow
  // but the credentials do not know gets 401.
  auto v = volumeBy("v1", "test-principal");
  EXPECT_EQ(401, form("/master/create-volumes", "awesome-principal:super-secret", v).result_int());
  EXPECT_EQ(202, form("/master/create-volumes", "test-principal:secret1", v).result_int());
  EXPECT_EQ(401, form("/master/destroy-volumes", "awesome-principal:super-secret", v).result_int());
}

// The v1 operator calls share the endpoints' authorization: 403 for each
// refused call, in both encodings; permissive false refuses what no rule
// allows.
class OperatorAclsV1 : public OperatorAcls, public ::testing::WithParamInterface<ContentType> {};

TEST_P(OperatorAclsV1, RefusedCallsAreForbidden) {
  clauses("PV-DESTROY-4 SV-HTTP-1 RES-1");
  start(R"({"permissive": false,
    "reserve_resources": [{"principals": {"values": ["test-principal"]}, "roles": {"values": ["eng"]}}],
    "unreserve_resources": [{"principals": {"values": ["test-principal"]},
                             "reserver_principals": {"values": ["test-principal"]}}],
    "create_volumes": [{"principals": {"values": ["test-principal"]}, "roles": {"values": ["eng"]}}],
    "destroy_volumes": [{"principals": {"values": ["test-principal"]},
                         "creator_principals": {"values": ["test-principal"]}}]})");
  const std::string good = "test-principal:secret1";
  const std::string bad = "test-principal-2:secret2";
  auto reserved = scalar("disk", 256, "eng", "test-principal");

  v1master::Call reserve;
  reserve.set_type(v1master::Call::RESERVE_RESOURCES);
  reserve.mutable_reserve_resources()->mutable_agent_id()->set_value(agent.id());
  *reserve.mutable_reserve_resources()->add_resources() = reserved;
  // Each refused request names its own principal in the resources, so that
  // validation (RES-4, PV-CREATE-4) passes and the ACLs decide.
  v1master::Call reserve_bad = reserve;
  *reserve_bad.mutable_reserve_resources()->mutable_resources(0) =
      scalar("disk", 256, "eng", "test-principal-2");
  EXPECT_EQ(403, v1(reserve_bad, GetParam(), bad).result_int());
  EXPECT_EQ(202, v1(reserve, GetParam(), good).result_int());

  auto v = volume(128, "eng", "v1", true, "test-principal");
  v1master::Call create;
  create.set_type(v1master::Call::CREATE_VOLUMES);
  create.mutable_create_volumes()->mutable_agent_id()->set_value(agent.id());
  *create.mutable_create_volumes()->add_volumes() = v;
  v1master::Call create_bad = create;
  *create_bad.mutable_create_volumes()->mutable_volumes(0) =
      volume(128, "eng", "v1", true, "test-principal-2");
  EXPECT_EQ(403, v1(create_bad, GetParam(), bad).result_int());
  EXPECT_EQ(202, v1(create, GetParam(), good).result_int());

  v1master::Call destroy;
  destroy.set_type(v1master::Call::DESTROY_VOLUMES);
  destroy.mutable_destroy_volumes()->mutable_agent_id()->set_value(agent.id());
  *destroy.mutable_destroy_volumes()->add_volumes() = v;
  auto answer = v1(destroy, GetParam(), bad);
  EXPECT_EQ(403, answer.result_int());
  EXPECT_TRUE(answer.body().empty()) << answer.body();
  EXPECT_EQ(202, v1(destroy, GetParam(), good).result_int());

  v1master::Call unreserve;
  unreserve.set_type(v1master::Call::UNRESERVE_RESOURCES);
  unreserve.mutable_unreserve_resources()->mutable_agent_id()->set_value(agent.id());
  *unreserve.mutable_unreserve_resources()->add_resources() = reserved;
  EXPECT_EQ(403, v1(unreserve, GetParam(), bad).result_int());
  EXPECT_EQ(202, v1(unreserve, GetParam(), good).result_int());
  agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 0; });
}

INSTANTIATE_TEST_SUITE_P(Encodings, OperatorAclsV1,
                         ::testing::Values(ContentType::kJson, ContentType::kProtobuf),
                         [](const auto& info) {
                           return info.param == ContentType::kJson ? "Json" : "Protobuf";
                         });

}  // namespace
}  // namespace svh::master::test
