// Sandbox garbage collection of a real svh-agent (--gc_delay, as Mesos's
// flag): the sandbox of an ended task goes after the delay, whatever links
// to volume data the task left in it, and the volume data stays (H-DATA-5,
// MESOS-7366). /state lists what the GC removed and what it will remove, so
// tests wait on that instead of on time.

#include <algorithm>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

class AgentGc : public AgentTest {
 protected:
  // Whether /state says the GC removed the sandbox of `task_id`.
  bool sandboxRemoved(const std::string& task_id) {
    const auto state = agent_->get("/state");
    for (const auto& task : state["completed_tasks"]) {
      if (task.value("id", "") == task_id) return task.value("sandbox_removed", false);
    }
    return false;
  }
  static bool listed(const nlohmann::json& list, const fs::path& path) {
    return std::any_of(list.begin(), list.end(),
                       [&](const nlohmann::json& entry) { return entry == path.string(); });
  }
};

// H-DATA-5: the task leaves, in its sandbox, a symlink to its view of the
// volume and one to the volume's backing directory; the GC unlinks both and
// the data is intact for the next task.
TEST_F(AgentGc, AnEndedTasksSandboxGoesAfterTheDelayAndTheVolumeDataStays) {
  startAgent({"--gc_delay=1secs"});
  auto data = volume("v-gc", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-gc")); }));
  auto fw = framework("fw-gc");
  run(fw, commandTask("t-write",
                      "echo precious > data/f && mkdir -p data/sub && echo deep > data/sub/g && "
                      "ln -s \"$(readlink -f data)\" view-link && ln -s " +
                          volumeDir("v-gc").string() + " backing-link && echo out > stdout-copy",
                      {data}));
  auto end = awaitTerminal("t-write");
  ASSERT_EQ(end.status().state(), mesos::TASK_FINISHED) << end.status().message();
  auto sandbox = agent_->sandboxOf("t-write");
  ASSERT_FALSE(sandbox.empty());

  ASSERT_TRUE(eventually([&] { return sandboxRemoved("t-write"); }))
      << "the GC never removed the sandbox of t-write: " << agent_->get("/state").dump();
  EXPECT_FALSE(fs::exists(fs::symlink_status(sandbox))) << sandbox << " is still there";
  EXPECT_TRUE(listed(agent_->get("/state")["removed_sandboxes"], sandbox));
  EXPECT_EQ(readFile(volumeDir("v-gc") / "f"), "precious\n") << "H-DATA-5: the GC touched the data";
  EXPECT_EQ(readFile(volumeDir("v-gc") / "sub" / "g"), "deep\n")
      << "H-DATA-5: the GC touched the data";

  run(fw, commandTask("t-read", "test \"$(cat data/f)\" = precious && test -f data/sub/g", {data}));
  auto read = awaitTerminal("t-read");
  EXPECT_EQ(read.status().state(), mesos::TASK_FINISHED)
      << "H-DATA-5: a later task did not find the data: " << read.status().message();
}

// A task's sandbox is kept while it runs, however long that is.
TEST_F(AgentGc, ARunningTasksSandboxIsKept) {
  startAgent({"--gc_delay=1secs"});
  auto fw = framework("fw-run");
  run(fw, commandTask("t-long", "echo up > started; exec sleep 1000"));
  master_->awaitState("t-long", mesos::TASK_RUNNING);
  auto long_sandbox = agent_->sandboxOf("t-long");
  ASSERT_EQ(awaitFile(long_sandbox / "started"), "up\n");
  // Another task ending and being collected shows the GC at work meanwhile.
  run(fw, commandTask("t-short", "true"));
  ASSERT_EQ(awaitTerminal("t-short").status().state(), mesos::TASK_FINISHED);
  ASSERT_TRUE(eventually([&] { return sandboxRemoved("t-short"); }))
      << "the GC never removed the sandbox of t-short";
  EXPECT_EQ(readFile(long_sandbox / "started"), "up\n") << "the running task's sandbox was touched";
  EXPECT_FALSE(listed(agent_->get("/state")["sandboxes_to_remove"], long_sandbox));
  kill("fw-run", "t-long");
  awaitTerminal("t-long");
}

// Mesos's default is a week: /flags shows it, and an ended task's sandbox
// is scheduled, not removed.
TEST_F(AgentGc, ByDefaultASandboxIsScheduledForAWeekLater) {
  startAgent();
  EXPECT_EQ(agent_->get("/flags")["flags"].value("gc_delay", ""), "1weeks");
  run(framework("fw-default"), commandTask("t-default", "echo kept > out"));
  ASSERT_EQ(awaitTerminal("t-default").status().state(), mesos::TASK_FINISHED);
  auto sandbox = agent_->sandboxOf("t-default");
  EXPECT_TRUE(eventually([&] {
    return listed(agent_->get("/state")["sandboxes_to_remove"], sandbox);
  })) << agent_->get("/state").dump();
  EXPECT_EQ(readFile(sandbox / "out"), "kept\n");
  EXPECT_FALSE(sandboxRemoved("t-default"));
}

// Sandboxes left by an earlier run go --gc_delay after they last changed,
// as Mesos schedules the sandboxes it recovers.
TEST_F(AgentGc, ARestartedAgentCollectsTheSandboxesOfItsEarlierRun) {
  startAgent();
  auto data = volume("v-old", 8);
  checkpoint({data});
  run(framework("fw-old"),
      commandTask("t-old", "echo old > data/f && ln -s \"$(readlink -f data)\" link", {data}));
  ASSERT_EQ(awaitTerminal("t-old").status().state(), mesos::TASK_FINISHED);
  auto sandbox = agent_->sandboxOf("t-old");
  ASSERT_TRUE(fs::is_directory(sandbox));
  stopAgent();

  startAgent({"--gc_delay=1secs"});
  EXPECT_TRUE(eventually([&] { return !fs::exists(fs::symlink_status(sandbox)); }))
      << "the restarted agent never removed " << sandbox;
  EXPECT_TRUE(
      eventually([&] { return listed(agent_->get("/state")["removed_sandboxes"], sandbox); }));
  EXPECT_EQ(readFile(volumeDir("v-old") / "f"), "old\n") << "H-DATA-5: the GC touched the data";
}

TEST_F(AgentGc, AGcDelayThatIsNotADurationIsRefused) {
  auto log = dir_ / "refused.log";
  harness::ChildProcess refused("svh-agent", binary("svh-agent"),
                                {"--master=" + master_->address(), "--ip=127.0.0.1", "--port=0",
                                 "--work_dir=" + (dir_ / "work").string(), "--gc_delay=soon"},
                                log, {mark_});
  ASSERT_TRUE(eventually([&] { return refused.exitCode().has_value(); }))
      << "the agent started with --gc_delay=soon";
  EXPECT_EQ(refused.exitCode().value_or(-1), 2);
  std::string text = readFile(log);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("--gc_delay"), std::string::npos) << text;
}

}  // namespace
}  // namespace svh::agent::test
