// The operator side against a running svh-master: every v1 operator call
// this master serves, in both encodings (PROTOCOL.md 4.2); the form
// endpoints (4.1); quota (SV-ALLOC-3); HTTP basic authentication.

#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fakes/master/proto/quota.pb.h"
#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;
namespace v1master = mesos::v1::master;
using MasterCall = v1master::Call;

const char* media(ContentType type) {
  return type == ContentType::kJson ? "application/json" : "application/x-protobuf";
}

class OperatorApi : public ::testing::TestWithParam<ContentType> {
 protected:
  OperatorApi() { agent.registerWith(master.upid()); }

  http::Response post(const std::string& body, ContentType type,
                      const std::string& path = "/api/v1") {
    http::Request request{http::bhttp::verb::post, path, 11};
    request.set(http::bhttp::field::content_type, media(type));
    request.set(http::bhttp::field::accept, media(type));
    request.body() = body;
    return client.send(std::move(request));
  }
  // A call with an extra sub-message the wire subset does not declare
  // (quota): JSON key or protobuf field `number`.
  http::Response postWith(MasterCall call, int number, const char* key,
                          const google::protobuf::Message& extra) {
    if (GetParam() == ContentType::kJson) {
      auto json = wire::toJson(call);
      json[key] = wire::toJson(extra);
      return post(json.dump(), GetParam());
    }
    call.GetReflection()->MutableUnknownFields(&call)->AddLengthDelimited(
        number, extra.SerializeAsString());
    return post(call.SerializeAsString(), GetParam());
  }
  v1master::Response call(const MasterCall& call) { return op.v1Response(call, GetParam()); }
  http::Response send(const MasterCall& call) { return op.v1(call, GetParam()); }

  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096;disk(eng):1024;disk:1024",
                                   .capabilities = {1, 2, 3, 5}}};  // + RESIZE_VOLUME
  harness::OperatorClient op{master.url()};
  http::Client client{master.url().host, master.url().port};
};

TEST_P(OperatorApi, ReadCalls) {
  MasterCall get;
  for (auto [type, answer] : std::vector<std::pair<MasterCall::Type, v1master::Response::Type>>{
           {MasterCall::GET_HEALTH, v1master::Response::GET_HEALTH},
           {MasterCall::GET_VERSION, v1master::Response::GET_VERSION},
           {MasterCall::GET_FLAGS, v1master::Response::GET_FLAGS},
           {MasterCall::GET_MASTER, v1master::Response::GET_MASTER},
           {MasterCall::GET_STATE, v1master::Response::GET_STATE},
           {MasterCall::GET_AGENTS, v1master::Response::GET_AGENTS},
           {MasterCall::GET_FRAMEWORKS, v1master::Response::GET_FRAMEWORKS},
           {MasterCall::GET_EXECUTORS, v1master::Response::GET_EXECUTORS},
           {MasterCall::GET_TASKS, v1master::Response::GET_TASKS},
           {MasterCall::GET_OPERATIONS, v1master::Response::GET_OPERATIONS}}) {
    get.set_type(type);
    EXPECT_EQ(answer, call(get).type()) << MasterCall::Type_Name(type);
  }
  get.set_type(MasterCall::GET_HEALTH);
  EXPECT_TRUE(call(get).get_health().healthy());
  get.set_type(MasterCall::GET_AGENTS);
  auto agents = call(get).get_agents();
  ASSERT_EQ(1, agents.agents_size());
  EXPECT_EQ(agent.id(), agents.agents(0).agent_info().id().value());
  EXPECT_EQ(agent.self().str(), agents.agents(0).pid());
  get.set_type(MasterCall::GET_METRICS);
  get.mutable_get_metrics();
  auto metrics = call(get).get_metrics();
  bool found = false;
  for (const auto& metric : metrics.metrics()) found |= metric.name() == "master/disk_used";
  EXPECT_TRUE(found);
}

TEST_P(OperatorApi, VolumeCallsOnAnAgent) {
  clauses("SV-CREATE-1 SV-HTTP-1 SV-HTTP-2 SV-DESTROY-7 H-STATE-1");
  auto reserved = scalar("disk", 256, "eng", "ops");
  auto shared = volume(128, "eng", "v1", true);

  MasterCall reserve;
  reserve.set_type(MasterCall::RESERVE_RESOURCES);
  reserve.mutable_reserve_resources()->mutable_agent_id()->set_value(agent.id());
  *reserve.mutable_reserve_resources()->add_resources() = reserved;
  EXPECT_EQ(202, send(reserve).result_int());
  auto checkpoint = agent.await<internal::CheckpointResourcesMessage>();
  EXPECT_EQ(1, checkpoint.resources_size());

  MasterCall create;
  create.set_type(MasterCall::CREATE_VOLUMES);
  create.mutable_create_volumes()->mutable_agent_id()->set_value(agent.id());
  *create.mutable_create_volumes()->add_volumes() = shared;
  auto answer = send(create);
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  EXPECT_TRUE(answer.body().empty());
  checkpoint = agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 2; });
  bool has_shared = false;
  for (const auto& r : checkpoint.resources()) has_shared |= r.has_shared();
  EXPECT_TRUE(has_shared);

  // The volume shows in GET_AGENTS total_resources (endpoint format).
  MasterCall get;
  get.set_type(MasterCall::GET_AGENTS);
  bool listed = false;
  auto agents = call(get);
  for (const auto& r : agents.get_agents().agents(0).total_resources()) {
    listed |= r.has_disk() && r.disk().persistence().id() == "v1" && r.has_shared();
  }
  EXPECT_TRUE(listed);

  // Unreserving the disk under the volume: 409 (SV-HTTP-4).
  MasterCall unreserve;
  unreserve.set_type(MasterCall::UNRESERVE_RESOURCES);
  unreserve.mutable_unreserve_resources()->mutable_agent_id()->set_value(agent.id());
  *unreserve.mutable_unreserve_resources()->add_resources() = reserved;
  EXPECT_EQ(409, send(unreserve).result_int());

  // GROW and SHRINK of a shared volume: 400 (SV-RESIZE-1).
  MasterCall grow;
  grow.set_type(MasterCall::GROW_VOLUME);
  grow.mutable_grow_volume()->mutable_agent_id()->set_value(agent.id());
  *grow.mutable_grow_volume()->mutable_volume() = shared;
  *grow.mutable_grow_volume()->mutable_addition() = scalar("disk", 64, "eng", "ops");
  answer = send(grow);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Invalid GROW_VOLUME operation on agent " + agent.id() + " at " + agent.self().str() +
                " (localhost): Growing a shared persistent volume is not supported",
            answer.body());
  MasterCall shrink;
  shrink.set_type(MasterCall::SHRINK_VOLUME);
  shrink.mutable_shrink_volume()->mutable_agent_id()->set_value(agent.id());
  *shrink.mutable_shrink_volume()->mutable_volume() = shared;
  shrink.mutable_shrink_volume()->mutable_subtract()->set_value(64);
  answer = send(shrink);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_NE(std::string::npos,
            answer.body().find("Shrinking a shared persistent volume is not supported"));

  // A non-shared volume can be grown and shrunk on a RESIZE_VOLUME agent;
  // the agent's checkpointed volume follows.
  auto plain = volume(64, "eng", "plain", false);
  *create.mutable_create_volumes()->mutable_volumes(0) = plain;
  EXPECT_EQ(202, send(create).result_int());
  *grow.mutable_grow_volume()->mutable_volume() = plain;
  answer = send(grow);
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  auto grown = agent.await<internal::CheckpointResourcesMessage>([](const auto& m) {
    for (const auto& r : m.resources()) {
      if (r.disk().persistence().id() == "plain" && r.scalar().value() == 128) return true;
    }
    return false;
  });
  EXPECT_GT(grown.resources_size(), 0);
  auto bigger = volume(128, "eng", "plain", false);
  *shrink.mutable_shrink_volume()->mutable_volume() = bigger;
  shrink.mutable_shrink_volume()->mutable_subtract()->set_value(32);
  answer = send(shrink);
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  agent.await<internal::CheckpointResourcesMessage>([](const auto& m) {
    for (const auto& r : m.resources()) {
      if (r.disk().persistence().id() == "plain" && r.scalar().value() == 96) return true;
    }
    return false;
  });

  // DESTROY the shared volume: 202; destroying it again: 400 not found.
  MasterCall destroy;
  destroy.set_type(MasterCall::DESTROY_VOLUMES);
  destroy.mutable_destroy_volumes()->mutable_agent_id()->set_value(agent.id());
  *destroy.mutable_destroy_volumes()->add_volumes() = shared;
  EXPECT_EQ(202, send(destroy).result_int());
  answer = send(destroy);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Invalid DESTROY operation: Persistent volumes not found", answer.body());
  auto state = op.state();
  for (const auto& [role, summary] : state["slaves"][0]["reserved_resources"].items()) {
    EXPECT_EQ("eng", role);
  }

  // What no volume uses can be unreserved: 256 - 96 (the plain volume).
  *unreserve.mutable_unreserve_resources()->mutable_resources(0) =
      scalar("disk", 160, "eng", "ops");
  answer = send(unreserve);
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  EXPECT_TRUE(answer.body().empty());
  auto left = agent.await<internal::CheckpointResourcesMessage>(
      [](const auto& m) { return m.resources_size() == 1; });
  EXPECT_EQ("plain", left.resources(0).disk().persistence().id());
  EXPECT_EQ(96, left.resources(0).scalar().value());
}

// GET_FRAMEWORKS and GET_TASKS say what runs, in both encodings.
TEST_P(OperatorApi, FrameworksAndTasksAreListed) {
  auto info = frameworkInfo({"eng"});
  info.set_name("lister");
  auto fw = subscribe(master, info, GetParam());
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  fw->call(acceptCall(offer, {launchOp({task("t1", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();

  MasterCall get;
  get.set_type(MasterCall::GET_FRAMEWORKS);
  auto frameworks = call(get).get_frameworks();
  ASSERT_EQ(1, frameworks.frameworks_size());
  const auto& listed = frameworks.frameworks(0);
  EXPECT_EQ(fw->frameworkId(), listed.framework_info().id().value());
  EXPECT_EQ("lister", listed.framework_info().name());
  EXPECT_TRUE(listed.active());
  EXPECT_TRUE(listed.connected());
  double cpus = 0;
  for (const auto& r : listed.allocated_resources()) {
    if (r.name() == "cpus") cpus += r.scalar().value();
  }
  EXPECT_EQ(1, cpus);

  get.set_type(MasterCall::GET_TASKS);
  auto tasks = call(get).get_tasks();
  ASSERT_EQ(1, tasks.tasks_size());
  EXPECT_EQ("t1", tasks.tasks(0).task_id().value());
  EXPECT_EQ(mesos::v1::TASK_STAGING, tasks.tasks(0).state());
  agent.sendStatus(master.upid(), fw->frameworkId(), "t1", mesos::TASK_RUNNING);
  EXPECT_TRUE(eventually([&] {
    auto now = call(get).get_tasks();
    return now.tasks_size() == 1 && now.tasks(0).state() == mesos::v1::TASK_RUNNING;
  }));
  agent.sendStatus(master.upid(), fw->frameworkId(), "t1", mesos::TASK_FINISHED);
  EXPECT_TRUE(eventually([&] {
    auto now = call(get).get_tasks();
    return now.tasks_size() == 0 && now.completed_tasks_size() == 1;
  }));
}

TEST_P(OperatorApi, QuotaCalls) {
  clauses("SV-ALLOC-3");
  MasterCall call;
  call.set_type(MasterCall::UPDATE_QUOTA);
  svh::master::quota::UpdateQuota update;
  auto* config = update.add_quota_configs();
  config->set_role("eng");
  (*config->mutable_guarantees())["cpus"].set_value(1);
  (*config->mutable_limits())["cpus"].set_value(2);
  auto answer = postWith(call, 20, "update_quota", update);
  EXPECT_EQ(200, answer.result_int()) << answer.body();

  // GET_QUOTA reports it (legacy infos and configs).
  MasterCall get;
  get.set_type(MasterCall::GET_QUOTA);
  answer = send(get);
  ASSERT_EQ(200, answer.result_int());
  svh::master::quota::GetQuota quota;
  if (GetParam() == ContentType::kJson) {
    auto json = nlohmann::json::parse(answer.body());
    EXPECT_EQ("GET_QUOTA", json["type"]);
    ASSERT_EQ(std::nullopt, wire::fromJson(json["get_quota"], &quota));
  } else {
    v1master::Response response;
    ASSERT_TRUE(response.ParseFromString(answer.body()));
    EXPECT_EQ(v1master::Response::GET_QUOTA, response.type());
    const auto& unknown = response.GetReflection()->GetUnknownFields(response);
    ASSERT_EQ(1, unknown.field_count());
    EXPECT_EQ(19, unknown.field(0).number());
    ASSERT_TRUE(quota.ParseFromString(unknown.field(0).length_delimited()));
  }
  ASSERT_EQ(1, quota.status().configs_size());
  EXPECT_EQ("eng", quota.status().configs(0).role());
  EXPECT_EQ(2, quota.status().configs(0).limits().at("cpus").value());
  ASSERT_EQ(1, quota.status().infos_size());

  // Metrics show the role's consumed quota: the reserved disk.
  EXPECT_EQ(1024, op.metrics()["allocator/mesos/quota/roles/eng/resources/disk/consumed"]);

  // Invalid configurations: Mesos's texts.
  (*config->mutable_limits())["cpus"].set_value(0.5);
  answer = postWith(call, 20, "update_quota", update);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(
      "Invalid QuotaConfig: 'QuotaConfig.guarantees' { cpus: 1 } is not contained within the "
      "'QuotaConfig.limits' { cpus: 0.5 }",
      answer.body());
  config->set_role("eng/sub");
  answer = postWith(call, 20, "update_quota", update);
  EXPECT_EQ("Updating quota on nested role 'eng/sub' is not supported yet", answer.body());

  // Missing sub-message.
  answer = send(call);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Failed to validate master::Call: Expecting 'update_quota' to be present",
            answer.body());

  // The deprecated calls.
  MasterCall set;
  set.set_type(MasterCall::SET_QUOTA);
  svh::master::quota::SetQuota set_quota;
  set_quota.mutable_quota_request()->set_role("eng");
  *set_quota.mutable_quota_request()->add_guarantee() = scalar("mem", 64);
  answer = postWith(set, 14, "set_quota", set_quota);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(
      "Failed to validate set quota request: Cannot set quota for role 'eng' which already has "
      "quota",
      answer.body());
  MasterCall remove;
  remove.set_type(MasterCall::REMOVE_QUOTA);
  svh::master::quota::RemoveQuota remove_quota;
  remove_quota.set_role("eng");
  EXPECT_EQ(200, postWith(remove, 15, "remove_quota", remove_quota).result_int());
  set_quota.mutable_quota_request()->set_role("other");
  answer = postWith(set, 14, "set_quota", set_quota);
  EXPECT_EQ(200, answer.result_int()) << answer.body();
}

TEST_P(OperatorApi, AgentAndFrameworkControl) {
  // DEACTIVATE_AGENT / REACTIVATE_AGENT, TEARDOWN, UNKNOWN.
  auto fw = subscribe(master, frameworkInfo({"eng"}), GetParam());
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  MasterCall deactivate;
  deactivate.set_type(MasterCall::DEACTIVATE_AGENT);
  deactivate.mutable_deactivate_agent()->mutable_agent_id()->set_value(agent.id());
  EXPECT_EQ(200, send(deactivate).result_int());
  awaitEvent(
      *fw, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == offer.id().value(); },
      "the offer of the deactivated agent rescinded");
  EXPECT_FALSE(op.state()["slaves"][0]["active"].get<bool>());
  MasterCall reactivate;
  reactivate.set_type(MasterCall::REACTIVATE_AGENT);
  reactivate.mutable_reactivate_agent()->mutable_agent_id()->set_value(agent.id());
  EXPECT_EQ(200, send(reactivate).result_int());
  awaitOffer(
      *fw, [&](const auto& o) { return o.id().value() != offer.id().value(); },
      "an offer after reactivation");

  MasterCall teardown;
  teardown.set_type(MasterCall::TEARDOWN);
  teardown.mutable_teardown()->mutable_framework_id()->set_value(fw->frameworkId());
  EXPECT_EQ(200, send(teardown).result_int());
  EXPECT_TRUE(eventually([&] { return !fw->streamEnd().empty(); }));
  EXPECT_EQ(400, send(teardown).result_int());

  MasterCall unknown;
  unknown.set_type(MasterCall::UNKNOWN);
  EXPECT_EQ(501, send(unknown).result_int());
}

INSTANTIATE_TEST_SUITE_P(Encodings, OperatorApi,
                         ::testing::Values(ContentType::kJson, ContentType::kProtobuf),
                         [](const auto& info) {
                           return info.param == ContentType::kJson ? "Json" : "Protobuf";
                         });

// Form endpoints with and without the /master prefix.
TEST(FormEndpoints, BothPathsAndTheirErrors) {
  clauses("SV-HTTP-1 SV-HTTP-2 SV-HTTP-4 SV-RO-1 RES-2");
  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096;disk:1024"}};
  agent.registerWith(master.upid());
  harness::OperatorClient op(master.url());
  auto reserved = scalar("disk", 256, "eng", "ops");
  EXPECT_EQ(202,
            op.form("/reserve", {{"slaveId", agent.id()}, {"resources", resourceArray({reserved})}})
                .result_int());
  auto ro = volume(64, "eng", "ro", true, "ops", mesos::v1::Volume::RO);
  auto answer = op.form("/master/create-volumes",
                        {{"slaveId", agent.id()}, {"volumes", resourceArray({ro})}});
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Invalid CREATE operation on agent " + agent.id() + " at " + agent.self().str() +
                " (localhost): Not a persistent volume: Read-only persistent volume not supported",
            answer.body());
  auto star = scalar("disk", 64, "*", "ops");
  answer =
      op.form("/master/reserve", {{"slaveId", agent.id()}, {"resources", resourceArray({star})}});
  EXPECT_EQ(400, answer.result_int());
  answer = op.form("/master/create-volumes", {{"volumes", "[]"}});
  EXPECT_EQ("Missing 'slaveId' query parameter in the request body", answer.body());
  answer = op.form("/master/destroy-volumes", {{"slaveId", agent.id()}});
  EXPECT_EQ("Missing 'volumes' query parameter in the request body", answer.body());
  answer = op.form("/master/destroy-volumes", {{"slaveId", "nope"}, {"volumes", "[]"}});
  EXPECT_EQ("No agent found with specified ID", answer.body());
  http::Client client(master.url().host, master.url().port);
  auto get = client.get("/master/reserve");
  EXPECT_EQ(405, get.result_int());
  EXPECT_EQ("POST", std::string(get[http::bhttp::field::allow]));
  auto bad = client.post("/master/reserve", "application/x-www-form-urlencoded", "slaveId=%zz");
  EXPECT_EQ(400, bad.result_int());
  EXPECT_EQ(0u, bad.body().rfind("Unable to decode query string", 0));
}

class Authentication : public ::testing::Test {
 protected:
  Authentication() {
    credentials =
        std::filesystem::temp_directory_path() / ("svh-credentials-" + std::to_string(::getpid()));
    std::ofstream(credentials) << R"({"credentials":[{"principal":"ops","secret":"s3cret"}]})";
    master = std::make_unique<MasterUnderTest>(std::vector<std::string>{
        "--credentials=" + credentials.string(), "--authenticate_http_readwrite",
        "--authenticate_http_frameworks"});
    agent.registerWith(master->upid());
  }
  ~Authentication() override { std::filesystem::remove(credentials); }

  http::Response form(const std::string& auth, const std::vector<mesos::v1::Resource>& volumes) {
    http::Request request{http::bhttp::verb::post, "/master/create-volumes", 11};
    request.set(http::bhttp::field::content_type, "application/x-www-form-urlencoded");
    if (!auth.empty()) {
      request.set(http::bhttp::field::authorization, "Basic " + wire::base64Encode(auth));
    }
    request.body() =
        "slaveId=" + agent.id() + "&volumes=" + harness::urlEncode(resourceArray(volumes));
    return client().send(std::move(request));
  }
  http::Client& client() {
    if (!client_) client_ = std::make_unique<http::Client>(master->url().host, master->url().port);
    return *client_;
  }

  std::filesystem::path credentials;
  std::unique_ptr<MasterUnderTest> master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096;disk(eng):1024"}};
  std::unique_ptr<http::Client> client_;
};

TEST_F(Authentication, OperatorEndpointsNeedCredentials) {
  clauses("SV-HTTP-1 PV-CREATE-4");
  // On the static "eng" disk, created by principal ops.
  auto shared = volume(64, "eng", "v1", true, "");
  shared.mutable_disk()->mutable_persistence()->set_principal("ops");
  auto answer = form("", {shared});
  EXPECT_EQ(401, answer.result_int());
  EXPECT_EQ("Basic realm=\"mesos-master-readwrite\"",
            std::string(answer[http::bhttp::field::www_authenticate]));
  EXPECT_EQ(401, form("ops:wrong", {shared}).result_int());
  // The principal must match the volume's (PV-CREATE-4).
  auto other = volume(64, "eng", "v2", true, "");
  other.mutable_disk()->mutable_persistence()->set_principal("someone");
  answer = form("ops:s3cret", {other});
  EXPECT_EQ(400, answer.result_int());
  EXPECT_NE(std::string::npos,
            answer.body().find("Create volume operation attempted by authenticated principal "
                               "'ops', which does not match a volume in the operation with "
                               "principal 'someone' set in 'disk.persistence'"))
      << answer.body();
  answer = form("ops:s3cret", {shared});
  EXPECT_EQ(202, answer.result_int()) << answer.body();
  // The scheduler API has its own realm.
  http::Request subscribe{http::bhttp::verb::post, "/api/v1/scheduler", 11};
  subscribe.set(http::bhttp::field::content_type, "application/json");
  subscribe.body() = "{}";
  answer = client().send(std::move(subscribe));
  EXPECT_EQ(401, answer.result_int());
  EXPECT_EQ("Basic realm=\"mesos-master-scheduler\"",
            std::string(answer[http::bhttp::field::www_authenticate]));
  // So does the v1 operator API.
  http::Request v1{http::bhttp::verb::post, "/api/v1", 11};
  v1.set(http::bhttp::field::content_type, "application/json");
  v1.body() = R"({"type":"GET_HEALTH"})";
  answer = client().send(std::move(v1));
  EXPECT_EQ(401, answer.result_int());
  EXPECT_EQ("Basic realm=\"mesos-master-readwrite\"",
            std::string(answer[http::bhttp::field::www_authenticate]));
  // Read-only endpoints stay open (--authenticate_http_readonly is off).
  EXPECT_EQ(200, client().get("/master/state").result_int());
}

}  // namespace
}  // namespace svh::master::test
