// Task groups (RunTaskGroupMessage, sent for LAUNCH_GROUP) on a real
// svh-agent: each task runs as a command process under the group's one
// executor id, and the group behaves as under Mesos's default executor
// (src/launcher/default_executor.cpp): TASK_STARTING and TASK_RUNNING per
// task, a failed or killed task takes the others down with it, and once no
// task is left the executor is reported gone.

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

namespace internal = mesos::internal;

class AgentTaskGroups : public AgentTest {
 protected:
  void runGroup(const mesos::FrameworkInfo& fw, const std::string& executor_id,
                const std::vector<mesos::TaskInfo>& tasks) {
    internal::RunTaskGroupMessage message;
    *message.mutable_framework() = fw;
    auto* executor = message.mutable_executor();
    executor->mutable_executor_id()->set_value(executor_id);
    executor->mutable_framework_id()->set_value(fw.id().value());
    executor->set_type(mesos::ExecutorInfo::DEFAULT);
    auto* cpus = executor->add_resources();
    cpus->set_name("cpus");
    cpus->set_type(mesos::Value::SCALAR);
    cpus->mutable_scalar()->set_value(0.1);
    for (const auto& task : tasks) *message.mutable_task_group()->add_tasks() = task;
    message.set_launch_executor(true);
    master_->send(message);
  }
};

TEST_F(AgentTaskGroups, EachTaskRunsUnderTheGroupsExecutorAndTheExecutorEndsWithTheLast) {
  startAgent();
  auto fw = framework("fw-group");
  auto volume_ = volume("v-group", 8);
  checkpoint({volume_});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-group")); }));
  runGroup(fw, "executor-1",
           {commandTask("g1",
                        "echo \"$MESOS_EXECUTOR_ID $MESOS_TASK_ID\" > ids; "
                        "echo one > data/from-g1",
                        {volume_}),
            commandTask("g2",
                        "echo \"$MESOS_EXECUTOR_ID $MESOS_TASK_ID\" > ids; "
                        "while [ ! -s data/from-g1 ]; do sleep 0.02; done",
                        {volume("v-group", 8, mesos::Volume::RO)})});
  for (const char* id : {"g1", "g2"}) {
    auto finished = master_->awaitState(id, mesos::TASK_FINISHED);
    EXPECT_EQ(finished.executor_id().value(), "executor-1");
    EXPECT_EQ(finished.status().executor_id().value(), "executor-1");
    EXPECT_EQ(finished.status().message(), "Command exited with status 0");
    std::vector<mesos::TaskState> seen;
    for (const auto& update : master_->updates(id)) seen.push_back(update.status().state());
    EXPECT_EQ(seen, (std::vector<mesos::TaskState>{mesos::TASK_STARTING, mesos::TASK_RUNNING,
                                                   mesos::TASK_FINISHED}))
        << id;
    auto sandbox = agent_->sandboxOf(id);
    EXPECT_EQ(readFile(sandbox / "ids"), std::string("executor-1 ") + id + "\n");
  }
  EXPECT_NE(agent_->sandboxOf("g1"), agent_->sandboxOf("g2")) << "each task has its own sandbox";
  EXPECT_EQ(agent_->sandboxOf("g1").parent_path(), agent_->sandboxOf("g2").parent_path())
      << "the tasks' sandboxes live in the executor's";
  EXPECT_EQ(readFile(volumeDir("v-group") / "from-g1"), "one\n");
  auto exited = master_->await<internal::ExitedExecutorMessage>();
  EXPECT_EQ(exited.executor_id().value(), "executor-1");
  EXPECT_EQ(exited.framework_id().value(), "fw-group");
  EXPECT_EQ(exited.slave_id().value(), master_->agentId());
}

TEST_F(AgentTaskGroups, WhenOneTaskFailsTheOthersOfItsGroupAreKilled) {
  startAgent();
  auto fw = framework("fw-group");
  runGroup(
      fw, "executor-2",
      {commandTask("g-fails", "while [ ! -e ../g-waits/started ]; do sleep 0.02; done; exit 2"),
       commandTask("g-waits", "echo up > started; exec sleep 1000")});
  auto failed = master_->awaitState("g-fails", mesos::TASK_FAILED);
  EXPECT_EQ(failed.status().message(), "Command exited with status 2");
  auto killed = master_->awaitState("g-waits", mesos::TASK_KILLED);
  EXPECT_EQ(killed.executor_id().value(), "executor-2");
  auto exited = master_->await<internal::ExitedExecutorMessage>();
  EXPECT_EQ(exited.executor_id().value(), "executor-2");
}

TEST_F(AgentTaskGroups, KillingOneTaskKillsTheWholeGroup) {
  startAgent();
  auto fw = framework("fw-group");
  runGroup(fw, "executor-3",
           {commandTask("g-a", "exec sleep 1000"), commandTask("g-b", "exec sleep 1000")});
  master_->awaitState("g-a", mesos::TASK_RUNNING);
  master_->awaitState("g-b", mesos::TASK_RUNNING);
  kill("fw-group", "g-a");
  master_->awaitState("g-a", mesos::TASK_KILLED);
  master_->awaitState("g-b", mesos::TASK_KILLED);
  master_->await<internal::ExitedExecutorMessage>();
}

}  // namespace
}  // namespace svh::agent::test
