// Checkpoint and recovery of a real svh-agent: what a restart reports about
// tasks that died with the agent, updates never acknowledged, tasks the
// master knows and the agent does not, volumes (kept, destroyed, unknown),
// and refusing to start on resources that no longer hold the volumes.

#include <algorithm>
#include <fstream>
#include <set>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

namespace internal = mesos::internal;

class AgentRecovery : public AgentTest {
 protected:
  // After a kill -9 the agent's mount and every task must go on their own.
  void awaitNothingLeft() {
    ASSERT_TRUE(eventually([&] { return mountsUnderDir().empty(); }, 10s))
        << "the killed agent's mount is still there";
    ASSERT_TRUE(eventually([&] { return processesMarked().empty(); }, 10s))
        << processesMarked().size() << " processes outlived the killed agent";
  }
};

// PV-AGENT-1 H-DATA-2: tasks and volumes are checkpointed; a task that died
// with the agent is reported as Mesos reports a command executor it could
// not reconnect (TASK_FAILED, REASON_EXECUTOR_TERMINATED), and an update the
// master never acknowledged is sent again with its uuid.
TEST_F(AgentRecovery, TasksThatDiedWithTheAgentAreReportedFailedAndPendingUpdatesAreResent) {
  startAgent();
  auto fw = framework("fw-recover");
  auto data = volume("v-keep", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-keep")); }));
  master_->setAckPolicy([](const internal::StatusUpdate& update) {
    return !(update.status().task_id().value() == "t-done" &&
             update.status().state() == mesos::TASK_FINISHED);
  });
  run(fw, commandTask("t-long", "echo kept > data/f; exec sleep 1000", {data}));
  master_->awaitState("t-long", mesos::TASK_RUNNING);
  run(fw, commandTask("t-done", "true"));
  auto unacknowledged = master_->awaitState("t-done", mesos::TASK_FINISHED);
  ASSERT_TRUE(eventually([&] { return fs::exists(volumeDir("v-keep") / "f"); }));

  crashAgent();
  awaitNothingLeft();
  master_->setAckPolicy(nullptr);
  startAgent();

  auto reregistered = master_->await<internal::ReregisterSlaveMessage>();
  EXPECT_EQ(reregistered.slave().id().value(), master_->agentId());
  std::set<std::string> listed;
  for (const auto& task : reregistered.tasks()) listed.insert(task.task_id().value());
  EXPECT_EQ(listed, (std::set<std::string>{"t-long", "t-done"}));
  ASSERT_EQ(reregistered.checkpointed_resources_size(), 1);
  EXPECT_EQ(reregistered.checkpointed_resources(0).disk().persistence().id(), "v-keep");

  auto resent = master_->awaitState("t-done", mesos::TASK_FINISHED);
  EXPECT_EQ(resent.uuid(), unacknowledged.uuid()) << "the pending update came with a new uuid";
  auto failed = master_->awaitState("t-long", mesos::TASK_FAILED);
  EXPECT_EQ(failed.status().reason(), mesos::TaskStatus::REASON_EXECUTOR_TERMINATED);
  EXPECT_EQ(failed.status().source(), mesos::TaskStatus::SOURCE_SLAVE);
  EXPECT_EQ(failed.status().message(), "Executor terminated");
  EXPECT_EQ(readFile(volumeDir("v-keep") / "f"), "kept\n") << "H-DATA-2: the data did not survive";
  EXPECT_TRUE(eventually([&] { return agent_->get("/state")["tasks"].empty(); }))
      << "acknowledged tasks are still listed";
}

// PROTOCOL.md 5.5 (8): after re-registering, each task the master lists that
// the agent does not know is reported TASK_LOST, or TASK_DROPPED to a
// partition-aware framework, with REASON_RECONCILIATION; a task it knows
// gets nothing.
TEST_F(AgentRecovery, TasksTheMasterKnowsAndTheAgentDoesNotAreReportedLostOrDropped) {
  startAgent();
  auto fw = framework("fw-a");
  run(fw, commandTask("t-known", "exec sleep 1000"));
  master_->awaitState("t-known", mesos::TASK_RUNNING);

  // What the master believes about each task it lists.
  auto status = [](const std::string& task_id) {
    mesos::TaskStatus status;
    status.mutable_task_id()->set_value(task_id);
    status.set_state(mesos::TASK_RUNNING);
    return status;
  };
  internal::ReconcileTasksMessage old_framework;
  old_framework.mutable_framework_id()->set_value("fw-a");
  *old_framework.add_statuses() = status("t-unknown");
  *old_framework.add_statuses() = status("t-known");
  internal::ReconcileTasksMessage aware_framework;
  aware_framework.mutable_framework_id()->set_value("fw-b");
  *aware_framework.mutable_framework() = framework("fw-b", /*partition_aware=*/true);
  *aware_framework.add_statuses() = status("t-gone");
  master_->setReconciliations({old_framework, aware_framework});
  std::size_t known_updates = master_->updates("t-known").size();

  // A ping saying "disconnected" makes the agent re-register.
  internal::PingSlaveMessage ping;
  ping.set_connected(false);
  master_->send(ping);
  master_->await<internal::ReregisterSlaveMessage>();

  auto lost = master_->awaitState("t-unknown", mesos::TASK_LOST);
  EXPECT_EQ(lost.status().reason(), mesos::TaskStatus::REASON_RECONCILIATION);
  EXPECT_EQ(lost.status().source(), mesos::TaskStatus::SOURCE_SLAVE);
  EXPECT_EQ(lost.status().message(), "Reconciliation: task unknown to the agent");
  auto dropped = master_->awaitState("t-gone", mesos::TASK_DROPPED);
  EXPECT_EQ(dropped.status().reason(), mesos::TaskStatus::REASON_RECONCILIATION);
  EXPECT_EQ(dropped.framework_id().value(), "fw-b");

  // Fence: an update about t-known after the reconciliation.
  kill("fw-a", "t-known");
  master_->awaitState("t-known", mesos::TASK_KILLED);
  EXPECT_EQ(master_->updates("t-known").size(), known_updates + 1)
      << "a task the agent knows got a reconciliation update";
  auto state = agent_->get("/state");
  for (const auto& task : state["tasks"]) {
    EXPECT_NE(task.value("id", ""), "t-unknown") << "a reconciled task is listed as the agent's";
  }
}

// PV-AGENT-1: an agent whose checkpointed volumes do not fit its --resources
// refuses to start, in one line, and touches no data.
TEST_F(AgentRecovery, AnAgentWhoseVolumesDoNotFitItsResourcesRefusesToStart) {
  startAgent();
  auto big = volume("v-big", 512);
  checkpoint({big});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-big")); }));
  std::ofstream(volumeDir("v-big") / "precious") << "precious\n";
  ASSERT_TRUE(eventually([&] {
    return readFile(dir_ / "work" / "meta" / "agent.json").find("v-big") != std::string::npos;
  }));
  stopAgent();

  auto log = dir_ / "refused.log";
  harness::ChildProcess refused(
      "svh-agent", binary("svh-agent"),
      {"--master=" + master_->address(), "--ip=127.0.0.1", "--port=0",
       "--work_dir=" + (dir_ / "work").string(), "--resources=cpus:1;mem:128;disk:256"},
      log, {mark_});
  ASSERT_TRUE(eventually([&] { return refused.exitCode().has_value(); }))
      << "the agent started on resources that cannot hold its volumes";
  EXPECT_EQ(refused.exitCode().value_or(-1), 3);
  std::string text = readFile(log);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("are incompatible with agent resources"), std::string::npos) << text;
  EXPECT_NE(text.find("--resources"), std::string::npos) << text;
  EXPECT_EQ(readFile(volumeDir("v-big") / "precious"), "precious\n");
}

// A directory under the backing store that no checkpoint ever named is not
// the agent's: creating, destroying volumes and restarting leave it alone.
TEST_F(AgentRecovery, AVolumeDirectoryUnknownToTheCheckpointIsNeverTouched) {
  auto stray = volumeDir("stray");
  fs::create_directories(stray);
  std::ofstream(stray / "file") << "not the agent's\n";
  startAgent();
  auto data = volume("v1", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v1")); }));
  checkpoint({});
  ASSERT_TRUE(eventually([&] { return !fs::exists(volumeDir("v1")); }))
      << "the destroyed volume stayed";
  stopAgent();
  startAgent();
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v1")); }));
  EXPECT_EQ(readFile(stray / "file"), "not the agent's\n");
}

// H-DATA-3 PV-DESTROY-3: DESTROY removes the volume's data from the agent's
// disk, and a volume created again with the same id starts empty.
TEST_F(AgentRecovery, DestroyWipesTheDataAndAVolumeCreatedAgainWithItsIdStartsEmpty) {
  startAgent();
  auto fw = framework("fw-destroy");
  auto data = volume("v-wipe", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-wipe")); }));
  run(fw, commandTask("t-write", "mkdir data/dir && echo old > data/dir/f", {data}));
  master_->awaitState("t-write", mesos::TASK_FINISHED);
  ASSERT_EQ(readFile(volumeDir("v-wipe") / "dir" / "f"), "old\n");

  checkpoint({});
  ASSERT_TRUE(eventually([&] { return !fs::exists(volumeDir("v-wipe")); }))
      << "the destroyed volume's data is still on the agent's disk";
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-wipe")); }));
  run(fw, commandTask("t-look", "ls -A data > listing; echo done >> listing", {data}));
  master_->awaitState("t-look", mesos::TASK_FINISHED);
  EXPECT_EQ(readFile(agent_->sandboxOf("t-look") / "listing"), "done\n")
      << "the re-created volume is not empty";
}

}  // namespace
}  // namespace svh::agent::test
