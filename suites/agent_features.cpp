// What an agent does with a task's user (SPEC SV-LAUNCH-10, without
// --volume_gid_range): the task runs as CommandInfo.user, else as
// FrameworkInfo.user; the volume's root directory is handed to that user
// unless another container uses the volume at that moment, in which case
// its ownership is left alone (and the agent says so in its log).
// "nobody" exists on every Debian system; the agents run as root. Each
// task checks what it sees (its user, owners, a refused write) and fails
// if that is not what SPEC says, so the checks hold on any agent.

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
  // A task command fragment: fails the task unless `path` belongs to the
  // user the task runs as.
  static std::string ownedByTheTask(const std::string& path) {
    return expectInTask("[ \"$(stat -c %u " + path + ")\" = \"$(id -u)\" ]",
                        path + " to belong to the task's user");
  }
  // ... unless data/uid holds the uid the task runs as.
  static std::string theUidFile() {
    return expectInTask("[ \"$(cat data/uid)\" = \"$(id -u)\" ]",
                        "data/uid to hold the uid of the task's user");
  }
};

// A command task with CommandInfo.user = nobody writes to a shared and a
// non-shared volume that nothing else uses: each volume is handed to
// the task's user, and what the task wrote belongs to it. The task checks
// all of it where it runs, so this holds on any agent.
SVH_MIRRORS(AgentFeatures, ANonRootTaskUserCanWriteToSharedAndNonSharedVolumes,
            "PersistentVolumeTest.UNPRIVILEGED_USER_PersistentVolumes "
            "LinuxFilesystemIsolatorMesosTest.ROOT_UNPRIVILEGED_USER_PersistentVolumes");
SVH_CHECK(AgentFeatures, ANonRootTaskUserCanWriteToSharedAndNonSharedVolumes, "SV-LAUNCH-10") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("user");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto shared = volume("v1").role(role).size(32).path("path1").shared();
  auto plain = volume("v2").role(role).size(32).path("path2");
  auto offer = createVolumes(fw, agent.id, {shared, plain});
  auto t = task("writer").on(agent.id).uses(shared).uses(plain).user(kUser).command(
      expectInTask("[ \"$(id -un)\" = " + std::string(kUser) + " ]",
                   "the task to run as CommandInfo.user " + std::string(kUser)) +
      " && echo hello > path1/file && echo world > path2/file && " +
      expectFileHolds("path1/file", "hello") + " && " + expectFileHolds("path2/file", "world") +
      " && " + ownedByTheTask("path1") + " && " + ownedByTheTask("path2") + " && " +
      ownedByTheTask("path1/file") + " && " + ownedByTheTask("path2/file"));
  fw.accept(offer, {launch({t})});
  expectTaskPasses(fw, agent, t.taskId(),
                   "SV-LAUNCH-10: a task running as " + std::string(kUser) +
                       " could not write to its volumes, or they were not handed to it");
  asserted("SV-LAUNCH-10");
}

// Without CommandInfo.user the task runs as FrameworkInfo.user.
SVH_CHECK(AgentFeatures, ATaskWithoutAUserRunsAsItsFrameworksUser, "SV-LAUNCH-10 H-RO-1") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("user");
  Framework fw(cluster().master(), spec(role, kUser));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto t = task("t").on(agent.id).uses(v1).command(
      expectInTask("[ \"$(id -un)\" = " + std::string(kUser) + " ]",
                   "the task to run as FrameworkInfo.user " + std::string(kUser)) +
      " && " + ownedByTheTask("data") + " && id -u > data/uid");
  fw.accept(offer, {launch({t})});
  expectTaskPasses(fw, agent, t.taskId(),
                   "SV-LAUNCH-10: the task did not run as FrameworkInfo.user, or its volume "
                   "was not handed to that user");
  asserted("SV-LAUNCH-10");

  // H-RO-1 holds for a task of the volume's owner too: mode RO, not the
  // volume's permissions, refuses its write.
  if (auto why = needsReadOnlyEnforcement(agent)) {
    skipPart("H-RO-1", *why);
    return;
  }
  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 after its first task");
  auto reader =
      task("reader")
          .on(agent.id)
          .uses(volume("v1").role(role).size(32).shared().readOnly())
          .command(theUidFile() + " && " + expectWriteRefused("data/uid") + " && " + theUidFile());
  fw.accept(offer, {launch({reader})});
  expectTaskPasses(fw, agent, reader.taskId(),
                   "H-RO-1: a task running as the volume's owner wrote through mode RO, or "
                   "could not read the volume");
  asserted("H-RO-1");
}

// A shared volume that a root task is using keeps its owner when a task of
// another user starts on it, and that task "may later fail with permission
// errors": the agent's disk checks owners and modes as a local filesystem
// does, so its write into the root-owned 0755 volume is refused. The
// visitor checks what it sees; only the agent's log line needs our agent.
SVH_CHECK(AgentFeatures, AVolumeInUseKeepsItsOwnerWhenAnotherUsersTaskStarts, "SV-LAUNCH-10") {
  auto& agent = cluster().agents().front();
  const std::string role = ownRole("user");
  Framework fw(cluster().master(), spec(role));
  fw.subscribe();
  auto v1 = volume("v1").role(role).size(32).shared();
  auto offer = createVolumes(fw, agent.id, {v1});
  auto holder =
      task("holder").on(agent.id).uses(v1).command(runUntilKilled("echo root > data/mine"));
  fw.accept(offer, {launch({holder})});
  fw.awaitTaskState(holder.taskId(), {TASK_RUNNING});

  offer = fw.awaitOffer(allOf({onAgent(agent.id), hasSharedVolume("v1")}),
                        "an offer with v1 while the holder runs");
  auto other = task("visitor").on(agent.id).uses(v1).user(kUser).command(
      awaitInTask("[ -s data/mine ]", "the holder's file data/mine") + " && " +
      expectInTask("[ \"$(stat -c %u data)\" = 0 ]", "the volume in use to still belong to root") +
      " && " + expectWriteRefused("data/theirs") + " && " + expectFileHolds("data/mine", "root"));
  fw.accept(offer, {launch({other})});
  expectTaskPasses(fw, agent, other.taskId(),
                   "SV-LAUNCH-10: a volume in use changed hands, or another user's task wrote "
                   "into a volume in use that belongs to root with mode 0755");
  outcome("SV-LAUNCH-10", "another user's write to a volume in use: refused");
  asserted("SV-LAUNCH-10");
  if (auto why = needsLocalAgents()) {
    skipPart("SV-LAUNCH-10", "the agent's log line about the volume's ownership: " + *why);
  } else {
    const auto dir = volumeDir(agent, role, "v1");
    const auto log = runOptions().report_dir / "logs" / "agent-0.log";
    EXPECT_NE(readFile(log).find("Leaving the ownership of the persistent volume at '" +
                                 dir.string() + "' unchanged because it is in use"),
              std::string::npos)
        << "SV-LAUNCH-10: the agent did not log that it left the volume's ownership";
  }
  fw.kill(holder.taskId(), agent.id);
  fw.awaitTaskState(holder.taskId(), {TASK_KILLED});
}

}  // namespace svh::suites
