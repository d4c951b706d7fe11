// Every v1 scheduler call (PROTOCOL.md 1.4) against a running svh-master,
// in both encodings and on both paths, with a scripted agent that shows
// what the master forwards to agents.

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

INSTANTIATE_TEST_SUITE_P(Encodings, SchedulerApi,
                         ::testing::Values(ApiParam{ContentType::kJson, "/api/v1/scheduler"},
                                           ApiParam{ContentType::kProtobuf, "/api/v1/scheduler"},
                                           ApiParam{ContentType::kJson, "/master/api/v1/scheduler"},
                                           ApiParam{ContentType::kProtobuf,
                                                    "/master/api/v1/scheduler"}),
                         paramName);

}  // namespace
}  // namespace svh::master::test
