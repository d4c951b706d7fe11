// Every v1 scheduler call (PROTOCOL.md 1.4) against a running svh-master,
// in both encodings and on both paths, with a scripted agent that shows
// what the master forwards to agents.

#include "harness/wire/json_codec.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;

struct ApiParam {
  ContentType type;
  std::string path;
};

void PrintTo(const ApiParam& param, std::ostream* out) {
  *out << (param.type == ContentType::kJson ? "json " : "protobuf ") << param.path;
}

std::string paramName(const ::testing::TestParamInfo<ApiParam>& info) {
  return std::string(info.param.type == ContentType::kJson ? "Json" : "Protobuf") +
         (info.param.path == "/api/v1/scheduler" ? "Root" : "MasterPrefix");
}

class SchedulerApi : public ::testing::TestWithParam<ApiParam> {
 protected:
  SchedulerApi() { agent.registerWith(master.upid()); }
  std::unique_ptr<harness::SchedulerClient> framework(mesos::v1::FrameworkInfo info) {
    return subscribe(master, info, GetParam().type, GetParam().path);
  }

  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096;disk(eng):1024;disk:1024"}};
};

TEST_P(SchedulerApi, EveryCallType) {
  clauses("SV-OFFER-1");
  auto info = frameworkInfo({"eng"});
  info.set_failover_timeout(60);
  auto fw = framework(info);

  // SUBSCRIBED is followed at once by a HEARTBEAT (recorded from Mesos
  // 1.12), then offers.
  auto history = fw->history();
  ASSERT_GE(history.size(), 1u);
  EXPECT_EQ(Event::SUBSCRIBED, history[0].type());
  EXPECT_EQ(15.0, history[0].subscribed().heartbeat_interval_seconds());
  awaitEvent(*fw, Event::HEARTBEAT, nullptr, "the first HEARTBEAT");
  EXPECT_EQ(Event::HEARTBEAT, fw->history().at(1).type());
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "a first offer");
  EXPECT_EQ("http", offer.url().scheme());
  EXPECT_EQ("/slave(1)", offer.url().path());
  EXPECT_EQ("eng", offer.allocation_info().role());

  // ACCEPT with a LAUNCH: the agent is asked to run the task.
  auto t1 = task("t1", agent.id(), {scalar("cpus", 1), scalar("mem", 64)});
  auto allocated = [](mesos::v1::TaskInfo info) {
    for (auto& r : *info.mutable_resources()) r.mutable_allocation_info()->set_role("eng");
    return info;
  };
  fw->call(acceptCall(offer, {launchOp({allocated(t1)})}));
  auto run = agent.await<internal::RunTaskMessage>();
  EXPECT_EQ("t1", run.task().task_id().value());
  EXPECT_EQ(fw->frameworkId(), run.framework().id().value());

  // The agent's update reaches the framework with its uuid; the client
  // ACKNOWLEDGEs it and the master passes the acknowledgement on.
  agent.sendStatus(master.upid(), fw->frameworkId(), "t1", mesos::TASK_RUNNING);
  auto update = awaitEvent(
      *fw, Event::UPDATE, [](const Event& e) { return e.update().status().has_uuid(); },
      "TASK_RUNNING with a uuid");
  EXPECT_EQ(mesos::v1::TASK_RUNNING, update.update().status().state());
  auto ack = agent.await<internal::StatusUpdateAcknowledgementMessage>();
  EXPECT_EQ("t1", ack.task_id().value());
  EXPECT_EQ(update.update().status().uuid(), ack.uuid());

  // DECLINE, SUPPRESS (no offers), REVIVE (offers again).
  offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer to decline");
  fw->call(declineCall(offer, 3600));
  Call suppress;
  suppress.set_type(Call::SUPPRESS);
  fw->call(suppress);
  Call revive;
  revive.set_type(Call::REVIVE);
  fw->call(revive);
  offer = awaitOffer(
      *fw, [&](const auto& o) { return o.id().value() != offer.id().value(); },
      "an offer after REVIVE cleared the filter");
  fw->call(declineCall(offer, 0));

  // KILL goes to the agent.
  Call kill;
  kill.set_type(Call::KILL);
  kill.mutable_kill()->mutable_task_id()->set_value("t1");
  fw->call(kill);
  EXPECT_EQ("t1", agent.await<internal::KillTaskMessage>().task_id().value());

  // RECONCILE, explicit and implicit: answered by the master, no uuid.
  Call reconcile;
  reconcile.set_type(Call::RECONCILE);
  reconcile.mutable_reconcile()->add_tasks()->mutable_task_id()->set_value("unknown-task");
  fw->call(reconcile);
  auto lost = awaitEvent(
      *fw, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "unknown-task"; },
      "reconciliation of an unknown task");
  EXPECT_EQ(mesos::v1::TASK_LOST, lost.update().status().state());
  EXPECT_EQ(mesos::v1::TaskStatus::REASON_RECONCILIATION, lost.update().status().reason());
  EXPECT_FALSE(lost.update().status().has_uuid());
  reconcile.mutable_reconcile()->clear_tasks();
  fw->call(reconcile);
  auto latest = awaitEvent(
      *fw, Event::UPDATE,
      [](const Event& e) {
        return e.update().status().task_id().value() == "t1" &&
               e.update().status().reason() == mesos::v1::TaskStatus::REASON_RECONCILIATION;
      },
      "implicit reconciliation of t1");
  EXPECT_EQ(mesos::v1::TASK_RUNNING, latest.update().status().state());

  // MESSAGE and SHUTDOWN are forwarded to the agent.
  Call message;
  message.set_type(Call::MESSAGE);
  message.mutable_message()->mutable_agent_id()->set_value(agent.id());
  message.mutable_message()->mutable_executor_id()->set_value("t1");
  message.mutable_message()->set_data("hello");
  fw->call(message);
  EXPECT_EQ("hello", agent.await<internal::FrameworkToExecutorMessage>().data());
  Call shutdown;
  shutdown.set_type(Call::SHUTDOWN);
  shutdown.mutable_shutdown()->mutable_agent_id()->set_value(agent.id());
  shutdown.mutable_shutdown()->mutable_executor_id()->set_value("t1");
  fw->call(shutdown);
  EXPECT_EQ("t1", agent.await<internal::ShutdownExecutorMessage>().executor_id().value());

  // REQUEST and the inverse-offer calls are accepted and have no effect.
  Call request;
  request.set_type(Call::REQUEST);
  request.mutable_request();
  fw->call(request);
  Call accept_inverse;
  accept_inverse.set_type(Call::ACCEPT_INVERSE_OFFERS);
  accept_inverse.mutable_accept_inverse_offers()->add_inverse_offer_ids()->set_value("none");
  fw->call(accept_inverse);
  Call decline_inverse;
  decline_inverse.set_type(Call::DECLINE_INVERSE_OFFERS);
  decline_inverse.mutable_decline_inverse_offers()->add_inverse_offer_ids()->set_value("none");
  fw->call(decline_inverse);

  // Operation feedback calls: accepted; unknown operations reported.
  Call ack_operation;
  ack_operation.set_type(Call::ACKNOWLEDGE_OPERATION_STATUS);
  auto* operation_ack = ack_operation.mutable_acknowledge_operation_status();
  operation_ack->mutable_agent_id()->set_value(agent.id());
  operation_ack->mutable_operation_id()->set_value("op1");
  operation_ack->set_uuid(
      std::string("\x01\x02\x03\x04\x05\x06\x40\x08\x89\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  fw->call(ack_operation);
  Call reconcile_operations;
  reconcile_operations.set_type(Call::RECONCILE_OPERATIONS);
  auto* entry = reconcile_operations.mutable_reconcile_operations()->add_operations();
  entry->mutable_operation_id()->set_value("op1");
  entry->mutable_agent_id()->set_value(agent.id());
  fw->call(reconcile_operations);
  auto operation_status =
      awaitEvent(*fw, Event::UPDATE_OPERATION_STATUS, nullptr, "UPDATE_OPERATION_STATUS for op1");
  EXPECT_EQ(mesos::v1::OPERATION_UNKNOWN,
            operation_status.update_operation_status().status().state());
  EXPECT_EQ("Reconciliation: Operation is unknown",
            operation_status.update_operation_status().status().message());

  // UPDATE_FRAMEWORK answers 200 and tells the agents.
  Call update_framework;
  update_framework.set_type(Call::UPDATE_FRAMEWORK);
  auto updated = info;
  updated.mutable_id()->set_value(fw->frameworkId());
  updated.set_name("renamed");
  *update_framework.mutable_update_framework()->mutable_framework_info() = updated;
  auto answer = fw->send(update_framework);
  EXPECT_EQ(200, answer.result_int()) << answer.body();
  EXPECT_EQ("renamed", agent
                           .await<internal::UpdateFrameworkMessage>(
                               [](const auto& m) { return m.framework_info().name() == "renamed"; })
                           .framework_info()
                           .name());

  // TEARDOWN: the agent shuts the framework down; the stream ends.
  Call teardown;
  teardown.set_type(Call::TEARDOWN);
  fw->call(teardown);
  EXPECT_EQ(fw->frameworkId(),
            agent.await<internal::ShutdownFrameworkMessage>().framework_id().value());
  EXPECT_TRUE(eventually([&] { return !fw->streamEnd().empty(); }));
}

TEST_P(SchedulerApi, CallsAreAnsweredWithMesosCodes) {
  auto fw = framework(frameworkInfo({"eng"}));
  // Exactly 202 with an empty body for non-SUBSCRIBE calls.
  Call revive;
  revive.set_type(Call::REVIVE);
  auto answer = fw->send(revive);
  EXPECT_EQ(202, answer.result_int());
  EXPECT_TRUE(answer.body().empty());
  // Invalid UPDATE_FRAMEWORK: 400 with Mesos's text.
  Call update;
  update.set_type(Call::UPDATE_FRAMEWORK);
  auto info = frameworkInfo({"eng"});
  info.mutable_id()->set_value(fw->frameworkId());
  info.set_user("someone-else");
  *update.mutable_update_framework()->mutable_framework_info() = info;
  answer = fw->send(update);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(
      "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted "
      "to update from 'root' to 'someone-else'",
      answer.body());
  info.set_user("root");
  update.mutable_update_framework()->add_suppressed_roles("not-mine");
  *update.mutable_update_framework()->mutable_framework_info() = info;
  answer = fw->send(update);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(
      "'UpdateFramework' call is not valid: Suppressed roles { not-mine } are not contained in "
      "the set of roles",
      answer.body());
}

TEST_P(SchedulerApi, FailoverOnResubscribe) {
  auto info = frameworkInfo({"eng"});
  info.set_failover_timeout(60);
  auto first = framework(info);
  awaitOffer(
      *first, [](const auto&) { return true; }, "an offer");
  info.mutable_id()->set_value(first->frameworkId());
  auto second = framework(info);
  EXPECT_EQ(first->frameworkId(), second->frameworkId());
  auto error = awaitEvent(*first, Event::ERROR, nullptr, "the failover ERROR");
  EXPECT_EQ("Framework failed over", error.error().message());
  EXPECT_TRUE(eventually([&] { return !first->streamEnd().empty(); }));
  // The new subscription is offered resources again.
  awaitOffer(
      *second, [](const auto&) { return true; }, "an offer after failover");
}

TEST_P(SchedulerApi, SubscriptionErrorsArriveAsErrorEvents) {
  // A changed principal is refused after the HTTP checks: 200 + ERROR.
  auto info = frameworkInfo({"eng"});
  info.set_principal("p1");
  auto fw = framework(info);
  info.mutable_id()->set_value(fw->frameworkId());
  info.set_principal("p2");
  harness::SchedulerOptions options;
  options.master = master.url();
  options.path = GetParam().path;
  options.framework = info;
  options.content_type = GetParam().type;
  harness::SchedulerClient refused(options);
  try {
    refused.subscribe();
    FAIL() << "subscription with a new principal was accepted";
  } catch (const harness::HarnessError& e) {
    EXPECT_NE(std::string::npos,
              std::string(e.what()).find("Changing framework's principal is not allowed."))
        << e.what();
  }
  // Suppressed roles outside the framework's roles.
  harness::SchedulerOptions bad = options;
  bad.framework = frameworkInfo({"eng"});
  // Role names are checked too.
  bad.framework.set_roles(0, "-bad");
  harness::SchedulerClient invalid(bad);
  EXPECT_THROW(invalid.subscribe(), harness::HarnessError);
}

TEST_P(SchedulerApi, FailoverTimeoutRemovesTheFramework) {
  // Frequent heartbeats: the master notices the closed stream when it next
  // writes to it.
  MasterUnderTest master({"--heartbeat_interval=100ms"});
  auto info = frameworkInfo({"eng"});
  info.set_failover_timeout(0.2);
  auto fw = subscribe(master, info, GetParam().type, GetParam().path);
  std::string id = fw->frameworkId();
  fw->disconnect();
  harness::OperatorClient op(master.url());
  EXPECT_TRUE(eventually([&] {
    auto state = op.state();
    for (const auto& completed : state["completed_frameworks"]) {
      if (completed["id"] == id) return true;
    }
    return false;
  }));
  // A removed framework cannot come back.
  info.mutable_id()->set_value(id);
  harness::SchedulerOptions options;
  options.master = master.url();
  options.path = GetParam().path;
  options.framework = info;
  options.content_type = GetParam().type;
  harness::SchedulerClient again(options);
  try {
    again.subscribe();
    FAIL() << "a removed framework re-subscribed";
  } catch (const harness::HarnessError& e) {
    EXPECT_NE(std::string::npos, std::string(e.what()).find("Framework has been removed"));
  }
}

// SUPPRESS stops offers to the framework until REVIVE. "None came" is
// fenced positively: another framework of the role is offered the agent
// (an allocation ran with it free), two more allocation runs pass with the
// agent free and only the suppressed framework eligible, and an answer the
// master sends afterwards on the suppressed framework's stream arrives
// with no OFFERS before it.
TEST_P(SchedulerApi, SuppressStopsOffersUntilRevive) {
  harness::OperatorClient op(master.url());
  auto whole = [](const mesos::v1::Offer& o) { return offered(o).scalar("cpus") == 4; };
  auto fw1 = framework(frameworkInfo({"eng"}));
  auto offer = awaitOffer(*fw1, whole, "the whole agent for fw1");
  Call suppress;
  suppress.set_type(Call::SUPPRESS);
  fw1->call(suppress);
  fw1->call(declineCall(offer, 0));

  auto fw2 = framework(frameworkInfo({"eng"}));
  auto offer2 = awaitOffer(*fw2, whole, "the whole agent for fw2 while fw1 is suppressed");
  fw2->call(declineCall(offer2, 3600));
  double runs = op.metrics()["allocator/mesos/allocation_runs"].get<double>();
  EXPECT_TRUE(eventually([&] {
    return op.metrics()["allocator/mesos/allocation_runs"].get<double>() >= runs + 2;
  })) << "two more allocation runs";
  Call reconcile;
  reconcile.set_type(Call::RECONCILE);
  reconcile.mutable_reconcile()->add_tasks()->mutable_task_id()->set_value("fence");
  fw1->call(reconcile);
  awaitEvent(
      *fw1, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "fence"; },
      "the reconciliation answer that fences the stream");
  int offers = 0;
  for (const auto& event : fw1->history()) offers += event.type() == Event::OFFERS ? 1 : 0;
  EXPECT_EQ(1, offers) << "fw1 was offered resources while suppressed";

  Call revive;
  revive.set_type(Call::REVIVE);
  fw1->call(revive);
  awaitOffer(*fw1, whole, "the whole agent for fw1 after REVIVE");
}

// KILL of a task the master does not know is answered like an explicit
// reconciliation of it (PROTOCOL.md 1.4).
TEST_P(SchedulerApi, KillOfAnUnknownTaskIsReconciled) {
  auto fw = framework(frameworkInfo({"eng"}));
  Call kill;
  kill.set_type(Call::KILL);
  kill.mutable_kill()->mutable_task_id()->set_value("ghost");
  fw->call(kill);
  auto update = awaitEvent(
      *fw, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "ghost"; },
      "the answer about the unknown task");
  const auto& status = update.update().status();
  EXPECT_EQ(mesos::v1::TASK_LOST, status.state());
  EXPECT_EQ(mesos::v1::TaskStatus::REASON_RECONCILIATION, status.reason());
  EXPECT_EQ(mesos::v1::TaskStatus::SOURCE_MASTER, status.source());
  EXPECT_EQ("Reconciliation: Task is unknown to the agent", status.message());
  EXPECT_FALSE(status.has_uuid());

  // A partition-aware framework naming a registered agent hears TASK_GONE.
  auto aware = framework(frameworkInfo({"eng"}, {Capability::PARTITION_AWARE}));
  kill.mutable_kill()->mutable_agent_id()->set_value(agent.id());
  aware->call(kill);
  update = awaitEvent(
      *aware, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "ghost"; },
      "the partition-aware answer");
  EXPECT_EQ(mesos::v1::TASK_GONE, update.update().status().state());
  EXPECT_EQ("Reconciliation: Task is unknown", update.update().status().message());
  EXPECT_EQ(0u, agent.count("mesos.internal.KillTaskMessage"));
}

// Call type UNKNOWN: 501 Not Implemented, empty body; a type this master
// cannot read (an unknown name or number) is no type at all: 400.
TEST_P(SchedulerApi, UnknownCallTypes) {
  auto fw = framework(frameworkInfo({"eng"}));
  Call unknown;
  unknown.set_type(Call::UNKNOWN);
  auto answer = fw->send(unknown);
  EXPECT_EQ(501, answer.result_int());
  EXPECT_TRUE(answer.body().empty()) << answer.body();

  bool json = GetParam().type == ContentType::kJson;
  http::Request request{http::bhttp::verb::post, GetParam().path, 11};
  request.set(http::bhttp::field::content_type,
              json ? "application/json" : "application/x-protobuf");
  request.set("Mesos-Stream-Id", fw->streamId());
  // With protobuf: the framework id, then `type` (field 2) = 99 as a varint.
  Call with_id;
  with_id.mutable_framework_id()->set_value(fw->frameworkId());
  request.body() =
      json ? R"({"type":"NOT_A_CALL","framework_id":{"value":")" + fw->frameworkId() + R"("}})"
           : with_id.SerializeAsString() + std::string("\x10\x63", 2);
  http::Client client(master.url().host, master.url().port);
  answer = client.send(std::move(request));
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Failed to validate scheduler::Call: Expecting 'type' to be present", answer.body());
}

// The HTTP-level refusals (PROTOCOL.md 1.2) in both encodings and on both
// paths, with Mesos's texts.
TEST_P(SchedulerApi, MalformedRequestsGetMesosCodes) {
  bool json = GetParam().type == ContentType::kJson;
  const std::string media = json ? "application/json" : "application/x-protobuf";
  http::Client client(master.url().host, master.url().port);
  auto post = [&](const std::string& body, const std::string& content_type,
                  const std::string& accept = "") {
    http::Request request{http::bhttp::verb::post, GetParam().path, 11};
    request.set(http::bhttp::field::content_type, content_type);
    if (!accept.empty()) request.set(http::bhttp::field::accept, accept);
    request.body() = body;
    return client.send(std::move(request));
  };
  auto encode = [&](const Call& call) {
    return json ? wire::toJsonString(call) : call.SerializeAsString();
  };
  Call subscribe;
  subscribe.set_type(Call::SUBSCRIBE);
  *subscribe.mutable_subscribe()->mutable_framework_info() = frameworkInfo({"eng"});

  auto answer = post(encode(subscribe), media + "; charset=utf-8");
  EXPECT_EQ(415, answer.result_int());
  EXPECT_EQ("Expecting 'Content-Type' of application/json or application/x-protobuf",
            answer.body());
  answer = post(json ? "{\"type\":" : std::string("\xff\xff\xff", 3), media);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ(json ? "Failed to parse body into JSON: syntax error"
                 : "Failed to parse body into Call protobuf",
            answer.body());
  Call bare;
  bare.set_type(Call::SUBSCRIBE);
  answer = post(encode(bare), media);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Failed to validate scheduler::Call: Expecting 'subscribe' to be present",
            answer.body());
  answer = post(encode(subscribe), media, "text/html");
  EXPECT_EQ(406, answer.result_int());
  EXPECT_EQ("Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
            answer.body());
  Call revive;
  revive.set_type(Call::REVIVE);
  answer = post(encode(revive), media);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Failed to validate scheduler::Call: Expecting 'framework_id' to be present",
            answer.body());
  revive.mutable_framework_id()->set_value("nope");
  answer = post(encode(revive), media);
  EXPECT_EQ(400, answer.result_int());
  EXPECT_EQ("Framework cannot be found", answer.body());
  // The master still serves.
  EXPECT_EQ(200, client.get("/master/health").result_int());
}

INSTANTIATE_TEST_SUITE_P(Encodings, SchedulerApi,
                         ::testing::Values(ApiParam{ContentType::kJson, "/api/v1/scheduler"},
                                           ApiParam{ContentType::kProtobuf, "/api/v1/scheduler"},
                                           ApiParam{ContentType::kJson, "/master/api/v1/scheduler"},
                                           ApiParam{ContentType::kProtobuf,
                                                    "/master/api/v1/scheduler"}),
                         paramName);

}  // namespace
}  // namespace svh::master::test
