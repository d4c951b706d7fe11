// GROW_VOLUME and SHRINK_VOLUME at the agent (SPEC 1.11): svh-agent
// advertises RESIZE_VOLUME, and a master without resource providers tells it
// of a resize with the new checkpointed resources (Master::_apply). The data
// stays; the quota the FUSE disk enforces follows the new size, for views in
// use as for new ones, and a shrink below the usage deletes nothing.

#include <algorithm>
#include <fstream>

#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

namespace internal = mesos::internal;

class AgentResize : public AgentTest {
 protected:
  static mesos::Resource plainVolume(const std::string& id, double megabytes) {
    auto resource = volume(id, megabytes);
    resource.clear_shared();  // resizing is for non-shared volumes (SV-RESIZE-1)
    return resource;
  }

  // Checkpoints `resource` and waits until /state shows it with its size.
  void checkpointSized(const mesos::Resource& resource) {
    checkpoint({resource});
    const std::string id = resource.disk().persistence().id();
    const double size = resource.scalar().value();
    bool applied = eventually([&] {
      auto state = agent_->get("/state");
      for (const auto& v : state["volumes"]) {
        if (v.value("id", "") == id && v.value("size", 0.0) == size) return true;
      }
      return false;
    });
    ASSERT_TRUE(applied) << "the agent never showed volume " << id << " with size " << size
                         << ": " << agent_->get("/state")["volumes"].dump();
  }

  std::uintmax_t sizeOf(const fs::path& path) {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
  }
};

TEST_F(AgentResize, TheAgentAdvertisesResizeVolume) {
  startAgent();
  auto registration = master_->await<internal::RegisterSlaveMessage>();
  auto capabilities = registration.agent_capabilities();
  EXPECT_TRUE(std::any_of(capabilities.begin(), capabilities.end(), [](const auto& c) {
    return c.type() == mesos::SlaveInfo::Capability::RESIZE_VOLUME;
  })) << registration.DebugString();
}

// A task that holds a view of the volume while it grows can then store more
// than the old size: the quota of a volume in use follows the resize.
TEST_F(AgentResize, GrowingAVolumeInUseLetsItsTasksStoreMore) {
  startAgent();
  auto small = plainVolume("v-grow", 1);
  checkpointSized(small);
  ASSERT_FALSE(HasFatalFailure());
  run(framework("fw-grow"),
      commandTask("t-grow",
                  "echo up > started; while [ ! -e go ]; do sleep 0.05; done; "
                  "head -c 1572864 /dev/zero > data/big 2> write.err",
                  {small}));
  master_->awaitState("t-grow", mesos::TASK_RUNNING);
  auto sandbox = agent_->sandboxOf("t-grow");
  ASSERT_EQ(awaitFile(sandbox / "started"), "up\n") << "the task never started";

  checkpointSized(plainVolume("v-grow", 2));
  ASSERT_FALSE(HasFatalFailure());
  std::ofstream(sandbox / "go") << "go\n";
  auto end = awaitTerminal("t-grow");
  EXPECT_EQ(end.status().state(), mesos::TASK_FINISHED)
      << "1.5 MB did not fit into the volume grown to 2 MB: " << readFile(sandbox / "write.err");
  EXPECT_EQ(sizeOf(volumeDir("v-grow") / "big"), 1572864u);
}

// Shrinking below what the volume holds keeps every byte; growing it further
// fails with ENOSPC until enough is removed, and then works again.
TEST_F(AgentResize, ShrinkingBelowTheUsageKeepsTheDataAndRefusesGrowth) {
  startAgent();
  auto big = plainVolume("v-shrink", 2);
  checkpointSized(big);
  ASSERT_FALSE(HasFatalFailure());
  auto fw = framework("fw-shrink");
  run(fw, commandTask("t-fill", "head -c 1572864 /dev/zero > data/big && echo keep > data/small",
                      {big}));
  master_->awaitState("t-fill", mesos::TASK_FINISHED);

  auto shrunk = plainVolume("v-shrink", 1);
  checkpointSized(shrunk);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(sizeOf(volumeDir("v-shrink") / "big"), 1572864u) << "a shrink removed data";
  EXPECT_EQ(readFile(volumeDir("v-shrink") / "small"), "keep\n") << "a shrink removed data";

  run(fw, commandTask("t-over",
                      "cat data/small > seen; "
                      "if /bin/echo more >> data/small 2> grow.err; then echo grew; else echo refused; "
                      "fi > grow; : > data/big; echo after >> data/small && echo stored > later",
                      {shrunk}));
  master_->awaitState("t-over", mesos::TASK_FINISHED);
  auto sandbox = agent_->sandboxOf("t-over");
  EXPECT_EQ(readFile(sandbox / "seen"), "keep\n");
  EXPECT_EQ(readFile(sandbox / "grow"), "refused\n")
      << "a volume over its new size grew further";
  EXPECT_NE(readFile(sandbox / "grow.err").find("No space left on device"), std::string::npos)
      << readFile(sandbox / "grow.err");
  EXPECT_EQ(readFile(sandbox / "later"), "stored\n")
      << "once below its size again the volume refused a write";
  EXPECT_EQ(readFile(volumeDir("v-shrink") / "small"), "keep\nafter\n");
}

}  // namespace
}  // namespace svh::agent::test
