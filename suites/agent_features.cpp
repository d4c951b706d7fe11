// What an agent does with a task's user (SPEC SV-LAUNCH-10, without
// --volume_gid_range): the task runs as CommandInfo.user, else as
// FrameworkInfo.user; the volume's root directory is handed to that user
// unless another container uses the volume at that moment, in which case
// its ownership is left alone (and the agent says so in its log).
// "nobody" exists on every Debian system; the agents run as root.

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/files.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified

class AgentFeatures : public Check {
 protected:
  static constexpr const char* kUser = "nobody";

  FrameworkSpec spec(const std::string& role, const std::string& user = "root") {
    return {.role = role, .content_type = runOptions().content_type, .user = user};
  }
  // The owner of `path` on a local agent's disk (-1 when it cannot be read).
  static long ownerOf(const std::filesystem::path& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_uid) : -1;
  }
  // A user's uid, from the system's user database as `id` sees it.
  static long uidOf(const std::string& user) {
    std::string command = "id -u " + user + " 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    long uid = -1;
    if (std::fscanf(pipe, "%ld", &uid) != 1) uid = -1;
    ::pclose(pipe);
    return uid;
  }
};

// A command task with CommandInfo.user = nobody writes to a shared and a
// non-shared volume that nothing else uses: each volume is handed to
// the task's user, and what the task wrote belongs to it.
SVH_MIRRORS(AgentFeatures, ANonRootTaskUserCanWriteToSharedAndNonSharedVolumes,
            "PersistentVolumeTest.UNPRIVILEGED_USER_PersistentVolumes "
            "LinuxFilesystemIsolatorMesosTest.ROOT_UNPRIVILEGED_USER_PersistentVolumes");
SVH_CHECK(AgentFeatures, ANonRootTaskUserCanWriteToSharedAndNonSharedVolumes, "SV-LAUNCH-10") {
  const long nobody = uidOf(kUser);
  ASSERT_GT(nobody, 0) << "this check needs the user '" << kUser << "' on this machine";
  auto& agent = cluster().agents().front();
  const std::string role = unique("user");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto shared = volume("v1").role(role).size(32).path("path1").shared();
  auto plain = volume("v2").role(role).size(32).path("path2");
  auto offer = createVolumes(fw, agent.id, {shared, plain});
  auto t = task("writer").on(agent.id).uses(shared).uses(plain).user(kUser).command(
      "echo hello > path1/file && echo world > path2/file && id -u > uid");
  fw.accept(offer, {launch({t})});
  auto end = fw.awaitTaskState(t.taskId(), {TASK_FINISHED, TASK_FAILED});
  EXPECT_EQ(end.state(), TASK_FINISHED) << "SV-LAUNCH-10: a task running as " << kUser
                                        << " could not write to its volumes: " << describe(end);
  if (!agent.local()) return;
  EXPECT_EQ(readFile(agent.sandboxOf(t.taskId()) / "uid"), std::to_string(nobody) + "\n")
      << "SV-LAUNCH-10: the task did not run as CommandInfo.user";
  for (const auto& id : {"v1", "v2"}) {
    auto dir = volumeDir(agent, role, id);
    EXPECT_EQ(ownerOf(dir), nobody)
        << "SV-LAUNCH-10: volume " << id << " was not handed to " << kUser << " (" << dir << ")";
    EXPECT_EQ(ownerOf(dir / "file"), nobody)
        << "what the task wrote to " << id << " does not belong to its user";
  }
  EXPECT_EQ(readFile(volumeDir(agent, role, "v1") / "file"), "hello\n");
  EXPECT_EQ(readFile(volumeDir(agent, role, "v2") / "file"), "world\n");
}

// Without CommandInfo.user the task runs as FrameworkInfo.user.
SVH_CHECK(AgentFeatures, ATaskWithoutAUserRunsAsItsFrameworksUser, "SV-LAUNCH-10 H-RO-1") {
  if (auto why = needsLocalAgents()) GTEST_SKIP() << *why;
  const long nobody = uidOf(kUser);
  ASSERT_GT(nobody, 0) << "this check needs the user '" << kUser << "' on this machine";
  auto& agent = cluster().agents().front();
  const std::string role = unique("user");
  Framework fw(cluster().master(), spec(role, kUser));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto t = task("t").on(agent.id).uses(v1).command("id -u > uid && id -u > data/uid");
  fw.accept(offer, {launch({t})});
  auto end = fw.awaitTaskState(t.taskId(), {TASK_FINISHED, TASK_FAILED});
  ASSERT_EQ(end.state(), TASK_FINISHED) << describe(end);
  EXPECT_EQ(readFile(agent.sandboxOf(t.taskId()) / "uid"), std::to_string(nobody) + "\n")
      << "SV-LAUNCH-10: the task did not run as FrameworkInfo.user";
  EXPECT_EQ(ownerOf(volumeDir(agent, role, "v1")), nobody);

  // H-RO-1 holds for a task of the volume's owner too: mode RO, not the
  // volume's permissions, refuses its write.
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 after its first task");
  auto reader = task("reader")
                    .on(agent.id)
                    .uses(volume("v1").role(role).size(32).shared().readOnly())
                    .command("cat data/uid > seen; " + tryWrite("data/uid"));
  fw.accept(offer, {launch({reader})});
  fw.awaitTaskState(reader.taskId(), {TASK_FINISHED, TASK_FAILED});
  auto sandbox = agent.sandboxOf(reader.taskId());
  EXPECT_EQ(readFile(sandbox / "seen"), std::to_string(nobody) + "\n");
  EXPECT_EQ(readFile(sandbox / "write"), "refused\n")
      << "H-RO-1: a task running as the volume's owner wrote through mode RO";
  EXPECT_EQ(readFile(volumeDir(agent, role, "v1") / "uid"), std::to_string(nobody) + "\n");
}

// A shared volume that a root task is using keeps its owner when a task of
// another user starts on it, and that task "may later fail with permission
// errors": the agent's disk checks owners and modes as a local filesystem
// does, so its write into the root-owned 0755 volume is refused.
SVH_CHECK(AgentFeatures, AVolumeInUseKeepsItsOwnerWhenAnotherUsersTaskStarts, "SV-LAUNCH-10") {
  if (auto why = needsLocalAgents()) GTEST_SKIP() << *why;
  const long nobody = uidOf(kUser);
  ASSERT_GT(nobody, 0) << "this check needs the user '" << kUser << "' on this machine";
  auto& agent = cluster().agents().front();
  const std::string role = unique("user");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto holder =
      task("holder").on(agent.id).uses(v1).command(runUntilKilled("echo root > data/mine"));
  fw.accept(offer, {launch({holder})});
  fw.awaitTaskState(holder.taskId(), {TASK_RUNNING});
  awaitFile(agent.sandboxOf(holder.taskId()) / "started", kDefaultWait, "the holder to start");
  const auto dir = volumeDir(agent, role, "v1");
  ASSERT_EQ(ownerOf(dir), 0) << "the root task's volume does not belong to root";

  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 while the holder runs");
  auto other = task("visitor").on(agent.id).uses(v1).user(kUser).command(tryWrite("data/theirs"));
  fw.accept(offer, {launch({other})});
  fw.awaitTaskState(other.taskId(), {TASK_FINISHED, TASK_FAILED});
  EXPECT_EQ(ownerOf(dir), 0) << "SV-LAUNCH-10: a volume in use changed hands";
  auto write = readFile(agent.sandboxOf(other.taskId()) / "write");
  EXPECT_EQ(write, "refused\n") << "SV-LAUNCH-10: another user's task wrote into a volume in use "
                                   "that belongs to root with mode 0755 (empty: it never tried)";
  outcome("SV-LAUNCH-10",
          "another user's write to a volume in use: " +
              (write.empty() ? std::string("none") : write.substr(0, write.size() - 1)));
  EXPECT_EQ(readFile(dir / "mine"), "root\n");
  const auto log = runOptions().report_dir / "logs" / "agent-0.log";
  EXPECT_NE(readFile(log).find("Leaving the ownership of the persistent volume at '" +
                               dir.string() + "' unchanged because it is in use"),
            std::string::npos)
      << "SV-LAUNCH-10: the agent did not log that it left the volume's ownership";
  fw.kill(holder.taskId(), agent.id);
  fw.awaitTaskState(holder.taskId(), {TASK_KILLED});
}

}  // namespace svh::suites
