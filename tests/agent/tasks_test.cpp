// Command tasks on a real svh-agent: environment, states with the command
// executor's messages, kill with escalation, framework shutdown, status
// update retries, volume quota.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

namespace internal = mesos::internal;

class AgentTasks : public AgentTest {};

std::map<std::string, std::string> environmentFile(const std::string& text) {
  std::map<std::string, std::string> variables;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto equals = line.find('=');
    if (equals != std::string::npos) variables[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return variables;
}

std::vector<mesos::TaskState> states(const std::vector<internal::StatusUpdate>& updates) {
  std::vector<mesos::TaskState> out;
  for (const auto& update : updates) out.push_back(update.status().state());
  return out;
}

TEST_F(AgentTasks, ATaskRunsInItsSandboxWithTheMesosVariables) {
  startAgent();
  auto fw = framework("fw-env");
  run(fw, commandTask("t-env", "env > env.txt; pwd > pwd.txt"));
  auto finished = master_->awaitState("t-env", mesos::TASK_FINISHED);
  auto sandbox = agent_->sandboxOf("t-env");
  auto env = environmentFile(readFile(sandbox / "env.txt"));
  EXPECT_EQ(readFile(sandbox / "pwd.txt"), sandbox.string() + "\n");
  EXPECT_EQ(env["MESOS_SANDBOX"], sandbox.string());
  EXPECT_EQ(env["MESOS_DIRECTORY"], sandbox.string());
  EXPECT_EQ(env["MESOS_TASK_ID"], "t-env");
  EXPECT_EQ(env["MESOS_EXECUTOR_ID"], "t-env") << "a command task is its own executor";
  EXPECT_EQ(env["MESOS_FRAMEWORK_ID"], "fw-env");
  EXPECT_EQ(env["MESOS_AGENT_ID"], master_->agentId());
  EXPECT_EQ(env["MESOS_SLAVE_ID"], master_->agentId());
  EXPECT_EQ(env["MESOS_CONTAINER_ID"], finished.status().container_status().container_id().value());
  EXPECT_FALSE(env["MESOS_CONTAINER_ID"].empty());

  EXPECT_EQ(states(master_->updates("t-env")),
            (std::vector<mesos::TaskState>{mesos::TASK_STARTING, mesos::TASK_RUNNING,
                                           mesos::TASK_FINISHED}));
  EXPECT_EQ(finished.status().message(), "Command exited with status 0");
  EXPECT_EQ(finished.status().source(), mesos::TaskStatus::SOURCE_EXECUTOR);
  EXPECT_EQ(finished.executor_id().value(), "t-env");
  EXPECT_EQ(finished.status().uuid(), finished.uuid());
}

TEST_F(AgentTasks, AFailingCommandEndsTaskFailedWithItsExitStatus) {
  startAgent();
  run(framework("fw-fail"), commandTask("t-fail", "exit 3"));
  auto failed = master_->awaitState("t-fail", mesos::TASK_FAILED);
  EXPECT_EQ(failed.status().message(), "Command exited with status 3");
  EXPECT_EQ(failed.status().source(), mesos::TaskStatus::SOURCE_EXECUTOR);
}

// The task handles SIGTERM and carries on: after the kill's grace period the
// agent escalates to SIGKILL, which ends it and everything it started.
TEST_F(AgentTasks, ATaskThatOutlivesSigtermIsKilledWithSigkillAfterTheGrace) {
  startAgent();
  auto fw = framework("fw-kill");
  run(fw, commandTask("t-stubborn",
                      "trap 'echo TERM >> got_term' TERM; export STUBBORN_CHILD=1; "
                      "sleep 1000 & echo up > started; "
                      "while true; do sleep 0.05; done"));
  master_->awaitState("t-stubborn", mesos::TASK_RUNNING);
  auto sandbox = agent_->sandboxOf("t-stubborn");
  ASSERT_EQ(awaitFile(sandbox / "started"), "up\n") << "the task never started";

  const auto grace = 1500ms;
  auto killed_at = std::chrono::steady_clock::now();
  kill(fw.id().value(), "t-stubborn", grace);
  auto killed = master_->awaitState("t-stubborn", mesos::TASK_KILLED);
  auto took = std::chrono::steady_clock::now() - killed_at;
  EXPECT_GE(took, grace) << "SIGKILL came before the grace period ran out";
  EXPECT_EQ(killed.status().message(), "Command terminated with signal Killed");
  EXPECT_EQ(readFile(sandbox / "got_term"), "TERM\n") << "SIGTERM did not come first";
  // The background sleep went with it.
  EXPECT_TRUE(eventually([&] { return processesWith("STUBBORN_CHILD=1").empty(); }))
      << "a process the task started outlived it";
}

TEST_F(AgentTasks, AKilledTaskThatObeysSigtermEndsTaskKilled) {
  startAgent();
  auto fw = framework("fw-kill");
  run(fw, commandTask("t-obedient", "exec sleep 1000"));
  master_->awaitState("t-obedient", mesos::TASK_RUNNING);
  kill(fw.id().value(), "t-obedient");
  auto killed = master_->awaitState("t-obedient", mesos::TASK_KILLED);
  EXPECT_EQ(killed.status().message(), "Command terminated with signal Terminated");
}

// Only the head of a task's stream is in flight; it is resent, same uuid,
// until acknowledged, and the next update waits for that (PROTOCOL.md 5.5 (6)).
TEST_F(AgentTasks, UnacknowledgedUpdatesAreResentInOrderUntilAcknowledged) {
  startAgent();
  // Shared with the master's io thread, which may outlive this body.
  auto acking = std::make_shared<std::atomic<bool>>(false);
  master_->setAckPolicy([acking](const internal::StatusUpdate& update) {
    return acking->load() || update.status().task_id().value() != "t-acks";
  });
  run(framework("fw-acks"), commandTask("t-acks", "true"));
  // With acks dropped, the first update comes again and again, alone.
  ASSERT_TRUE(eventually([&] { return master_->updates("t-acks").size() >= 3; }))
      << "the unacknowledged update was not resent";
  auto first = master_->updates("t-acks");
  for (const auto& update : first) {
    EXPECT_EQ(update.status().state(), mesos::TASK_STARTING);
    EXPECT_EQ(update.uuid(), first.front().uuid()) << "a retry must carry the same uuid";
  }

  *acking = true;
  master_->acknowledge(first.back());
  master_->awaitState("t-acks", mesos::TASK_FINISHED);
  // Received in order: STARTING (retries), then RUNNING, then FINISHED, each
  // state one uuid.
  std::vector<mesos::TaskState> order;
  std::map<mesos::TaskState, std::set<std::string>> uuids;
  for (const auto& update : master_->updates("t-acks")) {
    if (order.empty() || order.back() != update.status().state()) {
      order.push_back(update.status().state());
    }
    uuids[update.status().state()].insert(update.uuid());
  }
  EXPECT_EQ(order, (std::vector<mesos::TaskState>{mesos::TASK_STARTING, mesos::TASK_RUNNING,
                                                  mesos::TASK_FINISHED}));
  for (const auto& [state, set] : uuids) {
    EXPECT_EQ(set.size(), 1u) << mesos::TaskState_Name(state) << " came with several uuids";
  }
  EXPECT_TRUE(eventually([&] { return agent_->get("/state")["tasks"].empty(); }))
      << "the task is still listed after its terminal update was acknowledged";
}

// ShutdownFrameworkMessage: every task of the framework is killed with the
// executor shutdown grace period (1s here), and nothing more is reported
// about them; other frameworks' tasks keep running.
TEST_F(AgentTasks, ShuttingDownAFrameworkKillsItsTasksAndReportsNothingMore) {
  startAgent();
  auto doomed = framework("fw-doomed");
  auto other = framework("fw-other");
  run(doomed, commandTask("t-stubborn",
                          "trap 'echo TERM >> got_term' TERM; "
                          "while true; do sleep 0.05; done"));
  run(doomed, commandTask("t-obedient", "exec sleep 1000"));
  run(other, commandTask("t-other", "exec sleep 1000"));
  for (const char* id : {"t-stubborn", "t-obedient", "t-other"}) {
    master_->awaitState(id, mesos::TASK_RUNNING);
  }
  auto stubborn_sandbox = agent_->sandboxOf("t-stubborn");
  std::size_t reported =
      master_->updates("t-stubborn").size() + master_->updates("t-obedient").size();

  internal::ShutdownFrameworkMessage shutdown;
  shutdown.mutable_framework_id()->set_value("fw-doomed");
  master_->send(shutdown);
  auto listed = [&](const std::string& id) {
    auto state = agent_->get("/state");
    for (const auto& task : state["tasks"]) {
      if (task.value("id", "") == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return !listed("t-stubborn") && !listed("t-obedient"); }))
      << "the framework's tasks are still there";
  EXPECT_EQ(readFile(stubborn_sandbox / "got_term"), "TERM\n") << "SIGTERM did not come first";
  EXPECT_TRUE(listed("t-other")) << "another framework's task went too: "
                                 << agent_->get("/state").dump();

  // Fence: the other framework's task is killed and reported after the
  // shutdown; by then any update about the shut-down tasks would be here.
  kill("fw-other", "t-other");
  master_->awaitState("t-other", mesos::TASK_KILLED);
  EXPECT_EQ(master_->updates("t-stubborn").size() + master_->updates("t-obedient").size(), reported)
      << "updates were sent for a framework that was shut down";
}

// Issue 4 item 2: a volume holds at most its disk size.
TEST_F(AgentTasks, AWritePastTheVolumeSizeFailsWithEnospcAndStoresNothingBeyondIt) {
  startAgent();
  auto small = volume("v-quota", 1);  // 1 MB = 1 MiB
  checkpoint({small});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-quota")); }));
  run(framework("fw-quota"),
      commandTask("t-quota", "dd if=/dev/zero of=data/big bs=64k count=32 2> dd.err", {small}));
  auto failed = master_->awaitState("t-quota", mesos::TASK_FAILED);
  EXPECT_EQ(failed.status().message(), "Command exited with status 1");
  EXPECT_NE(readFile(agent_->sandboxOf("t-quota") / "dd.err").find("No space left on device"),
            std::string::npos)
      << readFile(agent_->sandboxOf("t-quota") / "dd.err");
  std::error_code ec;
  auto stored = fs::file_size(volumeDir("v-quota") / "big", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_LE(stored, 1u << 20) << "bytes past the quota reached the backing store";
  EXPECT_GT(stored, 0u) << "what fits should be stored";
}

}  // namespace
}  // namespace svh::agent::test
