// Teardown that cannot leak: kill -9 of a real svh-agent while its tasks
// run with volumes mounted leaves no mount and no process; and an agent
// without FUSE (--disk=plain) says plainly that it does not enforce RO.

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

class AgentTeardown : public AgentTest {};

TEST_F(AgentTeardown, AKilledAgentLeavesNoMountAndNoProcessEvenWhileTasksUseVolumes) {
  startAgent();
  auto fw = framework("fw-teardown");
  auto data = volume("v-busy", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-busy")); }));
  // Tasks that hold their views busy (cwd and an open file in the volume)
  // and have children of their own.
  run(fw, commandTask("t-writer",
                      "cd data; exec 3> held; sleep 1000 & sleep 1000 & "
                      "while true; do echo beat >> beat; sleep 0.05; done",
                      {data}));
  run(fw,
      commandTask("t-reader", "cd data; while true; do cat beat > /dev/null 2>&1; sleep 0.05; done",
                  {volume("v-busy", 8, mesos::Volume::RO)}));
  master_->awaitState("t-writer", mesos::TASK_RUNNING);
  master_->awaitState("t-reader", mesos::TASK_RUNNING);
  ASSERT_TRUE(eventually([&] { return fs::exists(volumeDir("v-busy") / "held"); }));
  ASSERT_FALSE(mountsUnderDir().empty()) << "the agent's FUSE mount is not there";
  std::size_t before = processesMarked().size();
  EXPECT_GE(before, 6u) << "agent, guard, two launchers with their supervisors and shells";

  auto killed_at = std::chrono::steady_clock::now();
  crashAgent();
  EXPECT_TRUE(eventually([&] { return mountsUnderDir().empty(); }, 10s))
      << "a mount outlived the killed agent: " << mountsUnderDir().front().string();
  EXPECT_TRUE(eventually([&] { return processesMarked().empty(); }, 10s))
      << processesMarked().size() << " of " << before << " processes outlived the killed agent";
  auto took = std::chrono::steady_clock::now() - killed_at;
  std::printf(
      "everything was gone %lld ms after kill -9\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  EXPECT_EQ(readFile(volumeDir("v-busy") / "held"), "") << "the data must stay";
}

// Issue 4 item 7; H-RO-1 (an agent that cannot enforce RO must say so).
TEST_F(AgentTeardown, APlainDiskAgentSaysItDoesNotEnforceRoAndNamesNoTrace) {
  startAgent({"--disk=plain"});
  auto flags = agent_->get("/flags")["flags"];
  EXPECT_EQ(flags.value("isolation", ""), "svh/plain");
  EXPECT_EQ(flags.value("ro_enforced", ""), "false");
  auto state = agent_->get("/state");
  EXPECT_EQ(state["flags"].value("ro_enforced", ""), "false");
  EXPECT_NE(state.value("ro_note", "").find("not enforced"), std::string::npos) << state.dump();
  ASSERT_TRUE(state.contains("trace"));
  if (state["trace"].is_string()) {
    EXPECT_TRUE(fs::exists(state["trace"].get<std::string>()))
        << "/state names a trace file that does not exist";
  } else {
    EXPECT_TRUE(state["trace"].is_null()) << state["trace"].dump();
  }
  EXPECT_TRUE(mountsUnderDir().empty()) << "a plain disk mounts nothing";

  // And it is true: an RO task can write.
  auto data = volume("v-plain", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-plain")); }));
  run(framework("fw-plain"),
      commandTask("t-ro", "echo written > data/f", {volume("v-plain", 8, mesos::Volume::RO)}));
  master_->awaitState("t-ro", mesos::TASK_FINISHED);
  EXPECT_EQ(readFile(volumeDir("v-plain") / "f"), "written\n");
}

}  // namespace
}  // namespace svh::agent::test
