// The master's side of the agent protocol (PROTOCOL.md 5.5): re-registration
// with task adoption and the CheckpointResourcesMessage that follows it,
// health checks that mark an agent unreachable, and agents leaving.

#include <nlohmann/json.hpp>

#include "harness/wire/evolve.hpp"
#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

namespace internal = mesos::internal;

mesos::FrameworkInfo v0Framework(const std::string& id, const std::string& role) {
  mesos::FrameworkInfo info;
  info.set_user("root");
  info.set_name("recovered");
  info.mutable_id()->set_value(id);
  info.add_roles(role);
  info.add_capabilities()->set_type(mesos::FrameworkInfo::Capability::MULTI_ROLE);
  info.add_capabilities()->set_type(mesos::FrameworkInfo::Capability::SHARED_RESOURCES);
  return info;
}

mesos::Task v0Task(const std::string& id, const std::string& framework_id,
                   const fakes::Resources& resources, const std::string& role) {
  mesos::Task task;
  task.set_name(id);
  task.mutable_task_id()->set_value(id);
  task.mutable_framework_id()->set_value(framework_id);
  task.set_state(mesos::TASK_RUNNING);
  for (auto r : resources.toVector()) {
    r.mutable_allocation_info()->set_role(role);
    *task.add_resources() = wire::evolve<mesos::Resource>(r);
  }
  return task;
}

TEST(AgentProtocol, ReregistrationAfterMasterFailoverAdoptsTasks) {
  clauses("SV-OFFER-7 PV-AGENT-1 SV-ALLOC-5");
  // An agent that a previous master knew comes back to a new master with a
  // shared volume and two running tasks using it.
  auto v = volume(128, "eng", "v1", true, "");
  fakes::Resources checkpointed(v);
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096;disk(eng):1024"}};
  {
    MasterUnderTest previous;
    agent.registerWith(previous.upid(), checkpointed);
  }
  MasterUnderTest master;
  std::string framework_id = "11111111-2222-3333-4444-555555555555-0000";
  auto with_v = fakes::Resources(scalar("cpus", 1)) + fakes::Resources(scalar("mem", 512)) + v;
  agent.reregisterWith(
      master.upid(),
      {v0Task("t1", framework_id, with_v, "eng"), v0Task("t2", framework_id, with_v, "eng")},
      {v0Framework(framework_id, "eng")}, checkpointed);

  // Afterwards the master pushes its view of volumes and reservations.
  auto checkpoint = agent.await<internal::CheckpointResourcesMessage>();
  ASSERT_EQ(1, checkpoint.resources_size());
  EXPECT_TRUE(checkpoint.resources(0).has_shared());

  // The tasks are known; disk_used counts the volume once.
  harness::OperatorClient op(master.url());
  mesos::v1::master::Call get;
  get.set_type(mesos::v1::master::Call::GET_TASKS);
  EXPECT_EQ(2, op.v1Response(get).get_tasks().tasks_size());
  EXPECT_EQ(128, op.metrics()["master/disk_used"]);
  EXPECT_EQ(2, op.metrics()["master/cpus_used"]);

  // The framework re-subscribes with its id and is offered the volume,
  // still in use, with the remaining resources (SV-OFFER-7).
  auto info = frameworkInfo({"eng"});
  info.mutable_id()->set_value(framework_id);
  auto fw = subscribe(master, info);
  auto offer = awaitOffer(
      *fw, [](const auto& o) { return offerHasVolume(o, "v1"); }, "the volume after failover");
  EXPECT_EQ(2, offered(offer).scalar("cpus"));
  EXPECT_EQ(3072, offered(offer).scalar("mem"));
}

TEST(AgentProtocol, KnownAgentReregisteringIsReconciled) {
  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096"}};
  agent.registerWith(master.upid());
  auto fw = subscribe(master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  fw->call(acceptCall(offer, {launchOp({task("t1", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();

  // The agent comes back without t1: the master lists it for
  // reconciliation, tells the agent about the framework, and resends the
  // checkpointed resources.
  auto reregistered = agent.reregisterWith(master.upid(), {}, {});
  EXPECT_EQ(agent.id(), reregistered.slave_id().value());
  ASSERT_EQ(1, reregistered.reconciliations_size());
  EXPECT_EQ(fw->frameworkId(), reregistered.reconciliations(0).framework_id().value());
  ASSERT_EQ(1, reregistered.reconciliations(0).statuses_size());
  EXPECT_EQ("t1", reregistered.reconciliations(0).statuses(0).task_id().value());
  agent.await<internal::UpdateFrameworkMessage>();
  auto checkpoint = agent.await<internal::CheckpointResourcesMessage>();
  EXPECT_EQ(0, checkpoint.resources_size());
}

TEST(AgentProtocol, MissedPingsMakeAnAgentUnreachable) {
  MasterUnderTest master({"--agent_ping_timeout=100ms", "--max_agent_ping_timeouts=3"});
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096"}};
  agent.registerWith(master.upid());
  auto plain = subscribe(master, frameworkInfo({"eng"}));
  auto aware_info = frameworkInfo({"eng"}, {Capability::PARTITION_AWARE});
  auto aware = subscribe(master, aware_info);
  auto offer = awaitOffer(
      *plain, [](const auto&) { return true; }, "an offer");
  plain->call(acceptCall(offer, {launchOp({task("t1", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();
  auto aware_offer = awaitOffer(
      *aware, [](const auto&) { return true; }, "an offer");
  aware->call(acceptCall(aware_offer, {launchOp({task("t2", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();
  auto held = awaitOffer(
      *plain, [](const auto&) { return true; }, "an offer to be rescinded");

  agent.answerPings(false);
  auto lost = awaitEvent(
      *plain, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "t1"; }, "t1 lost");
  EXPECT_EQ(mesos::v1::TASK_LOST, lost.update().status().state());
  EXPECT_EQ(mesos::v1::TaskStatus::REASON_AGENT_REMOVED, lost.update().status().reason());
  EXPECT_EQ("health check timed out", lost.update().status().message());
  EXPECT_FALSE(lost.update().status().has_uuid());
  auto unreachable = awaitEvent(
      *aware, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "t2"; },
      "t2 unreachable");
  EXPECT_EQ(mesos::v1::TASK_UNREACHABLE, unreachable.update().status().state());
  EXPECT_TRUE(unreachable.update().status().has_unreachable_time());
  awaitEvent(
      *plain, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == held.id().value(); },
      "the agent's offer rescinded");
  awaitEvent(*plain, Event::FAILURE, nullptr, "FAILURE for the agent");

  harness::OperatorClient op(master.url());
  auto state = op.state();
  EXPECT_EQ(1, state["unreachable_slaves"]);
  EXPECT_TRUE(state["slaves"].empty());
  mesos::v1::master::Call get;
  get.set_type(mesos::v1::master::Call::GET_TASKS);
  EXPECT_EQ(2, op.v1Response(get).get_tasks().unreachable_tasks_size());

  // The agent comes back with its tasks: readmitted.
  agent.answerPings(true);
  agent.reregisterWith(
      master.upid(),
      {v0Task("t1", plain->frameworkId(), fakes::Resources(scalar("cpus", 1)), "eng")},
      {v0Framework(plain->frameworkId(), "eng")});
  EXPECT_TRUE(eventually([&] { return op.state()["slaves"].size() == 1; }));
  EXPECT_EQ(0, op.state()["unreachable_slaves"]);
  EXPECT_EQ(1, op.v1Response(get).get_tasks().tasks_size());
}

TEST(AgentProtocol, UnregisteringAgentIsRemoved) {
  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096"}};
  agent.registerWith(master.upid());
  auto fw = subscribe(master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  fw->call(acceptCall(offer, {launchOp({task("t1", agent.id(), {scalar("cpus", 1)})})}));
  agent.await<internal::RunTaskMessage>();
  internal::UnregisterSlaveMessage bye;
  bye.mutable_slave_id()->set_value(agent.id());
  agent.send(master.upid(), bye);
  auto lost = awaitEvent(
      *fw, Event::UPDATE,
      [](const Event& e) { return e.update().status().task_id().value() == "t1"; }, "t1 lost");
  EXPECT_EQ(mesos::v1::TASK_LOST, lost.update().status().state());
  EXPECT_EQ("the agent unregistered", lost.update().status().message());
  harness::OperatorClient op(master.url());
  EXPECT_TRUE(op.state()["slaves"].empty());
}

TEST(AgentProtocol, BrokenLinkDeactivatesTheAgent) {
  MasterUnderTest master;
  auto agent = std::make_unique<ScriptedAgent>(AgentOptions{.resources = "cpus:4;mem:4096"});
  agent->registerWith(master.upid());
  auto fw = subscribe(master, frameworkInfo({"eng"}));
  auto offer = awaitOffer(
      *fw, [](const auto&) { return true; }, "an offer");
  agent.reset();  // the agent process goes away
  awaitEvent(
      *fw, Event::RESCIND,
      [&](const Event& e) { return e.rescind().offer_id().value() == offer.id().value(); },
      "the offer of the vanished agent rescinded");
  harness::OperatorClient op(master.url());
  EXPECT_FALSE(op.state()["slaves"][0]["active"].get<bool>());
}

TEST(AgentProtocol, ReregistrationFromAnotherAddressIsShutDown) {
  MasterUnderTest master;
  ScriptedAgent agent{AgentOptions{.resources = "cpus:4;mem:4096"}};
  agent.registerWith(master.upid());
  ScriptedAgent impostor{AgentOptions{.hostname = "elsewhere", .resources = "cpus:4;mem:4096"}};
  internal::ReregisterSlaveMessage message;
  auto* slave = message.mutable_slave();
  slave->set_hostname("elsewhere");
  slave->mutable_id()->set_value(agent.id());
  message.set_version("1.12.0");
  impostor.send(master.upid(), message);
  auto shutdown = impostor.await<internal::ShutdownMessage>();
  EXPECT_EQ("Agent attempted to re-register with different IP / hostname", shutdown.message());
}

}  // namespace
}  // namespace svh::master::test
