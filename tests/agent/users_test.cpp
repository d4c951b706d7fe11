// Task users at the agent (SV-LAUNCH-10, without --volume_gid_range): a
// task runs as CommandInfo.user, else FrameworkInfo.user; the volume's root
// directory is handed to that user unless another running task uses it;
// what the task creates through the FUSE disk belongs to it.

#include <pwd.h>
#include <sys/stat.h>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

class AgentUsers : public AgentTest {
 protected:
  void SetUp() override {
    AgentTest::SetUp();
    const passwd* entry = getpwnam("nobody");
    ASSERT_NE(entry, nullptr) << "these tests need the user 'nobody'";
    nobody_ = entry->pw_uid;
    nogroup_ = entry->pw_gid;
  }
  static long ownerOf(const fs::path& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_uid) : -1;
  }
  uid_t nobody_ = 0;
  gid_t nogroup_ = 0;
};

// SV-LAUNCH-10
TEST_F(AgentUsers, ATaskRunsAsItsCommandUserAndGetsTheVolume) {
  startAgent();
  auto data = volume("v-user", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-user")); }));
  auto task = commandTask("t-user", "id -u > uid && id -g > gid && echo mine > data/f", {data});
  task.mutable_command()->set_user("nobody");
  run(framework("fw-user"), task);
  auto end = awaitTerminal("t-user");
  ASSERT_EQ(end.status().state(), mesos::TASK_FINISHED) << end.status().message();
  auto sandbox = agent_->sandboxOf("t-user");
  EXPECT_EQ(readFile(sandbox / "uid"), std::to_string(nobody_) + "\n");
  EXPECT_EQ(readFile(sandbox / "gid"), std::to_string(nogroup_) + "\n");
  EXPECT_EQ(ownerOf(sandbox), nobody_) << "the sandbox is not the task user's";
  EXPECT_EQ(ownerOf(volumeDir("v-user")), nobody_) << "the volume was not handed to the user";
  EXPECT_EQ(ownerOf(volumeDir("v-user") / "f"), nobody_)
      << "what the task created through the FUSE disk is not its user's";
  EXPECT_EQ(readFile(volumeDir("v-user") / "f"), "mine\n");
}

// SV-LAUNCH-10: the framework's user when the command names none.
TEST_F(AgentUsers, WithoutACommandUserTheFrameworksUserIsUsed) {
  startAgent();
  auto fw = framework("fw-nobody");
  fw.set_user("nobody");
  run(fw, commandTask("t-fw", "id -u > uid"));
  ASSERT_EQ(awaitTerminal("t-fw").status().state(), mesos::TASK_FINISHED);
  EXPECT_EQ(readFile(agent_->sandboxOf("t-fw") / "uid"), std::to_string(nobody_) + "\n");
}

// SV-LAUNCH-10: a volume in use keeps its owner, and the agent says so.
TEST_F(AgentUsers, AVolumeInUseKeepsItsOwner) {
  startAgent();
  auto data = volume("v-busy", 8);
  checkpoint({data});
  ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-busy")); }));
  auto fw = framework("fw-busy");
  run(fw, commandTask("t-root", "echo up > started; exec sleep 1000", {data}));
  master_->awaitState("t-root", mesos::TASK_RUNNING);
  ASSERT_EQ(awaitFile(agent_->sandboxOf("t-root") / "started"), "up\n");
  auto visitor = commandTask("t-nobody", "true", {data});
  visitor.mutable_command()->set_user("nobody");
  run(fw, visitor);
  awaitTerminal("t-nobody");
  EXPECT_EQ(ownerOf(volumeDir("v-busy")), 0) << "a volume in use changed hands";
  const std::string line = "Leaving the ownership of the persistent volume at '" +
                           volumeDir("v-busy").string() + "' unchanged because it is in use";
  EXPECT_TRUE(eventually([&] {
    return readFile(dir_ / "agent-0.log").find(line) != std::string::npos;
  })) << "the agent did not log: "
      << line;
  kill("fw-busy", "t-root");
  awaitTerminal("t-root");
}

TEST_F(AgentUsers, AnUnknownUserFailsTheLaunch) {
  startAgent();
  auto task = commandTask("t-ghost", "true");
  task.mutable_command()->set_user("svh-no-such-user");
  run(framework("fw-ghost"), task);
  auto end = awaitTerminal("t-ghost");
  EXPECT_EQ(end.status().state(), mesos::TASK_FAILED);
  EXPECT_EQ(end.status().reason(), mesos::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
  EXPECT_NE(end.status().message().find("Failed to get user information for 'svh-no-such-user'"),
            std::string::npos)
      << end.status().message();
}

}  // namespace
}  // namespace svh::agent::test
