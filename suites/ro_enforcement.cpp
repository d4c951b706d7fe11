// RoEnforcement: mode RO as a task sees it (SPEC H-RO-1..3, SV-RO-2), told
// through the master's public APIs with real tasks. The tasks run svh-probe
// (built next to svh-agent), which tries every call H-RO-1 names on a volume,
// prints one JSON line per call with its errno and exits non-zero unless
// each call did what the mode allows; other tasks check what they see and
// compare the volume's digest as a task sees it. So the checks hold on any
// agent that enforces RO and whose host has svh-probe where svharness has
// it (else they SKIP, saying so). On our agents they also read the probe's
// lines, the volume's digest on the backing store and the agent's trace of
// mutating calls; on other agents those parts are skipped, with the reason.

#include <algorithm>
#include <chrono>
#include <sstream>

#include "fakes/agent/probe/probe_report.hpp"
#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/digest.hpp"
#include "harness/scenario/files.hpp"
#include "suites/check.hpp"

namespace svh::suites {

using namespace harness;  // the story API reads best unqualified
namespace fs = std::filesystem;
using agent::probe::ProbeResult;

class RoEnforcement : public Check {
 protected:
  void SetUp() override {
    Check::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (auto why = needsReadOnlyEnforcement(agent())) GTEST_SKIP() << *why;
    if (agent().local() && !fs::exists(probe_)) {
      GTEST_SKIP() << "svh-probe is not next to svharness: " << probe_;
    }
    role_ = ownRole("ro");
  }

  AgentHandle& agent() { return cluster().agents().front(); }

  // Runs svh-probe in a task; exits 77 where the agent's host has no
  // svh-probe at that path (runToEnd then skips the check).
  std::string probe(const std::string& mode, const std::string& dir) const {
    return "{ [ -x " + probe_.string() + " ] || exit 77; } && " + probe_.string() + " " + mode +
           " " + dir;
  }

  // A task command fragment: the digest of `dir` as a task sees it (every
  // entry's name, type, mode, owner, size and mtime, and each file's
  // sha256), on stdout.
  static std::string taskDigest(const std::string& dir) {
    return "(cd " + dir +
           " && find . -exec stat -c '%n %F %a %u:%g %s %.9Y' {} + | sort && find . -type f "
           "-exec sha256sum {} + | sort)";
  }

  VolumeBuilder shared(const std::string& id) const {
    return volume(id).role(role_).size(64).shared();
  }

  fs::path volumeDir(const std::string& id) {
    return agent().backing() / "volumes" / "roles" / role_ / id;
  }

  // Reserves 64 MB on the agent and creates the shared volume `id` on it;
  // returns an offer that holds it.
  Offer createVolume(Framework& fw, const std::string& id) {
    auto offer = fw.awaitOffer(allOf({onAgent(agent().id), hasScalar("disk", 64, "*")}),
                               "an offer with 64 MB of unreserved disk");
    fw.accept(offer, {reserve({shared(id).reservedDisk()}), create({shared(id)})});
    return nextOffer(fw, id);
  }

  Offer nextOffer(Framework& fw, const std::string& id) {
    return fw.awaitOffer(allOf({onAgent(agent().id), hasSharedVolume(id), hasScalar("cpus", 0.3),
                                hasScalar("mem", 96)}),
                         "an offer with shared volume " + id + " and room for tasks");
  }

  // Launches `tasks` from `offer` and waits until each has ended; a task
  // that ends other than FINISHED fails the check with its status. False
  // when a task found no svh-probe on the agent's host: the caller then
  // skips the check, saying no_probe_.
  bool runToEnd(Framework& fw, const Offer& offer, const std::vector<TaskBuilder>& tasks) {
    std::vector<TaskInfo> infos(tasks.begin(), tasks.end());
    fw.accept(offer, {launch(infos)});
    for (const auto& task : tasks) {
      auto status = fw.awaitTaskState(
          task.taskId(), {mesos::v1::TASK_FINISHED, mesos::v1::TASK_FAILED}, 2 * kDefaultWait);
      if (status.message().find("exited with status 77") != std::string::npos) {
        no_probe_ = "svh-probe is not at " + probe_.string() + " on the host of agent " +
                    agent().id + " (its tasks run it from there)";
        return false;
      }
      EXPECT_EQ(status.state(), mesos::v1::TASK_FINISHED)
          << task.taskId() << ": " << describe(status) << "\n"
          << (agent().local() ? readFile(agent().sandboxOf(task.taskId()) / "stderr") : "");
    }
    return true;
  }

  // What svh-probe printed in the task (our agents only).
  std::vector<ProbeResult> probeResults(const std::string& task_id) {
    auto sandbox = agent().sandboxOf(task_id);
    std::string problem;
    auto results = agent::probe::parseProbeOutput(readFile(sandbox / "stdout"), &problem);
    EXPECT_EQ(problem, "") << "svh-probe's output in " << sandbox;
    std::vector<std::string> ran;
    for (const auto& result : results) ran.push_back(result.op);
    EXPECT_EQ(ran, agent::probe::probeOperations())
        << "svh-probe did not try every call: " << readFile(sandbox / "stderr");
    return results;
  }

  // The agent's trace lines about one task (our agents only).
  std::vector<nlohmann::json> traceOf(const std::string& task_id) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(readFile(agent().trace()));
    for (std::string line; std::getline(in, line);) {
      auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_discarded() && json.value("task", "") == task_id) lines.push_back(json);
    }
    return lines;
  }

  std::string role_;
  fs::path probe_ = runOptions().bin_dir / "svh-probe";
  std::string no_probe_;
};

SVH_MIRRORS(RoEnforcement, EveryMutatingCallFromAnRoTaskFailsAndChangesNothing,
            "LinuxFilesystemIsolatorMesosTest.ROOT_WriteAccessSharedPersistentVolumeReadOnlyMode");
SVH_CHECK(RoEnforcement, EveryMutatingCallFromAnRoTaskFailsAndChangesNothing,
          "H-RO-1 H-RO-3 SV-RO-2") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto filler =
      task("filler")
          .on(agent().id)
          .uses(shared("v1"))
          .command(probe("fill", "data/p") + " && " + taskDigest("data/p") + " > data/digest");
  if (!runToEnd(fw, offer, {filler})) GTEST_SKIP() << no_probe_;
  const auto before = agent().local() ? contentDigest(volumeDir("v1")) : "";

  // The volume is offered RW; the task's own resource says RO. svh-probe
  // ends the task FINISHED only if every mutating call failed and every
  // read worked.
  auto reader =
      task("ro-probe").on(agent().id).uses(shared("v1").readOnly()).command(probe("ro", "data/p"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {reader})) GTEST_SKIP() << no_probe_;
  asserted("H-RO-1 H-RO-3 SV-RO-2");

  if (auto why = needsLocalAgents()) {
    skipPart("H-RO-1",
             "each call's errno as svh-probe printed it, the digest on the backing store and "
             "the agent's trace: " +
                 *why);
  } else {
    ASSERT_NE(before.find("p/f "), std::string::npos) << "the volume was not filled:\n" << before;
    auto results = probeResults(reader.taskId());
    for (const auto& result : results) {
      if (result.mutating) {
        // EROFS, or EACCES/EPERM (H-RO-1); a call that needs a writable fd
        // reports the open that refused to give one.
        EXPECT_TRUE(result.error == EROFS || result.error == EACCES || result.error == EPERM)
            << "H-RO-1: " << result.op << " on " << result.path
            << " from an RO task: " << (result.error == 0 ? "allowed" : result.error_name);
      } else {
        EXPECT_EQ(result.error, 0)
            << "H-RO-1: an RO task cannot " << result.op << ": " << result.error_name;
        EXPECT_EQ(result.detail, "") << result.op;
      }
    }
    EXPECT_EQ(contentDigest(volumeDir("v1")), before)
        << "H-RO-1: the volume changed on the agent's disk while only an RO task used it";

    // The trace shows every refused call and no allowed one.
    auto trace = traceOf(reader.taskId());
    for (const auto& line : trace) {
      EXPECT_NE(line.value("errno", -1), 0)
          << "H-RO-1: the agent let a mutating call of the RO task through: " << line.dump();
    }
    for (const auto& result : results) {
      if (!result.mutating || result.error == 0) continue;
      auto ops = agent::probe::traceOperations(result);
      auto match = std::find_if(trace.begin(), trace.end(), [&](const nlohmann::json& line) {
        return ops.count(line.value("op", "")) && line.value("path", "") == "p/" + result.path &&
               line.value("errno", -1) == result.error;
      });
      if (match == trace.end()) {
        ADD_FAILURE() << "the refused " << result.op << " on " << result.path
                      << " is not in the agent's trace";
      } else {
        trace.erase(match);  // each call has its own line
      }
    }
  }

  // The volume is as the filler left it, as a task sees it.
  auto checker = task("checker")
                     .on(agent().id)
                     .uses(shared("v1"))
                     .command(taskDigest("data/p") +
                              " > digest.after && { cmp -s data/digest digest.after || { echo "
                              "'svh: the volume changed while only an RO task used it:' >&2; "
                              "diff data/digest digest.after >&2; exit 1; }; }");
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  asserted("H-RO-1");
  fw.teardown();
}

// SV-RO-3's own story: Mesos's test runs `echo hello > volume/file` in a
// task whose resource names the shared volume RO and sees the task fail.
// How an agent enforces RO (a read-only bind mount in Mesos, the FUSE
// view here) is its business; the effect, EROFS and TASK_FAILED, is not.
// The task tells EROFS by its exit status (30), which the status says.
SVH_MIRRORS(RoEnforcement, ATaskThatWritesToItsRoVolumeFails,
            "LinuxFilesystemIsolatorMesosTest.ROOT_WriteAccessSharedPersistentVolumeReadOnlyMode");
SVH_CHECK(RoEnforcement, ATaskThatWritesToItsRoVolumeFails, "SV-RO-3 SV-RO-2 H-RO-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto writer = task("writer")
                    .on(agent().id)
                    .uses(shared("v1").readOnly())
                    .command(
                        "{ echo hello > data/file; } 2> write.err || { cat write.err >&2; "
                        "grep -q 'Read-only file system' write.err && exit 30; exit 1; }");
  fw.accept(offer, {launch({writer})});
  auto end = fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_FINISHED, mesos::v1::TASK_FAILED});
  EXPECT_EQ(end.state(), mesos::v1::TASK_FAILED)
      << "SV-RO-3: a task's write to its RO volume succeeded: " << describe(end);
  EXPECT_NE(end.message().find("exited with status 30"), std::string::npos)
      << "SV-RO-3: the write did not fail with EROFS: " << describe(end)
      << (agent().local()
              ? "; the task's stderr: " + readFile(agent().sandboxOf(writer.taskId()) / "stderr")
              : "");
  // The write left nothing in the volume.
  auto checker =
      task("checker")
          .on(agent().id)
          .uses(shared("v1"))
          .command(expectInTask("[ ! -e data/file ]", "no data/file: the RO task's write"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  asserted("SV-RO-3 SV-RO-2 H-RO-1");
  fw.teardown();
}

SVH_CHECK(RoEnforcement, AnRwTaskOnTheSameVolumeCanMakeEveryChange, "SV-RO-1 H-DATA-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto filler = task("filler").on(agent().id).uses(shared("v1")).command(probe("fill", "data/p"));
  if (!runToEnd(fw, offer, {filler})) GTEST_SKIP() << no_probe_;
  // svh-probe ends the task FINISHED only if every call worked.
  auto writer = task("rw-probe").on(agent().id).uses(shared("v1")).command(probe("rw", "data/p"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {writer})) GTEST_SKIP() << no_probe_;
  asserted("SV-RO-1");
  if (agent().local()) {
    for (const auto& result : probeResults(writer.taskId())) {
      EXPECT_EQ(result.error, 0) << result.op << " on " << result.path
                                 << " from an RW task: " << result.error_name
                                 << (result.via.empty() ? "" : " in " + result.via);
      EXPECT_EQ(result.detail, "") << result.op;
    }
  }
  // What the task did is in the volume: a later task finds it.
  auto checker =
      task("checker")
          .on(agent().id)
          .uses(shared("v1"))
          .command(expectInTask("[ -e data/p/c ]", "open(O_CREAT)'s file") + " && " +
                   expectInTask("[ -d data/p/n_dir ]", "mkdir's directory") + " && " +
                   expectInTask("[ -e data/p/d/ri ] && [ -e data/p/out ] && [ -e data/p/r2 ]",
                                "the renamed files") +
                   " && " + expectInTask("[ ! -e data/p/u ]", "unlink's file gone"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  asserted("H-DATA-1");
  fw.teardown();
}

SVH_CHECK(RoEnforcement, RoAndRwTasksShareOneVolumeAtOnceAndTheReaderSeesTheWriter,
          "H-RO-2 H-RO-1 H-DATA-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  // The writer counts on; the reader waits until it has seen the count
  // change twice while it ran, then tries to write itself, which must fail.
  auto writer = task("writer")
                    .on(agent().id)
                    .uses(shared("v1"))
                    .command(
                        "i=0; while true; do i=$((i+1)); echo $i > data/count.new; mv "
                        "data/count.new data/count; "
                        "sleep 0.05; done");
  auto reader = task("reader")
                    .on(agent().id)
                    .uses(shared("v1").readOnly())
                    .command(awaitInTask("[ -s data/count ]", "the writer's count") +
                             " && first=$(cat data/count) && " +
                             awaitInTask("[ \"$(cat data/count)\" -gt \"$first\" ]",
                                         "the writer's count to grow") +
                             " && " + expectWriteRefused("data/from-reader") + " && " +
                             expectInTask("[ ! -e data/from-reader ]",
                                          "no data/from-reader: the RO task's write"));
  std::vector<TaskInfo> both = {writer, reader};
  fw.accept(offer, {launch(both)});
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_RUNNING});
  expectTaskPasses(fw, agent(), reader.taskId(),
                   "H-RO-2, H-RO-1: the RO reader did not see the RW writer's count grow, or "
                   "could write");
  asserted("H-RO-2 H-RO-1 H-DATA-1");
  // The writer went on writing after the reader was refused.
  auto checker =
      task("checker")
          .on(agent().id)
          .uses(shared("v1").readOnly())
          .command("first=$(cat data/count) && " +
                   awaitInTask("[ \"$(cat data/count)\" -gt \"$first\" ]",
                               "the RW writer to keep writing while it shares the volume"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  expectUndisturbed(fw, writer.taskId());
  asserted("H-RO-2");
  fw.kill(writer.taskId(), agent().id);
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_KILLED});
  fw.teardown();
}

SVH_CHECK(RoEnforcement, EachTaskGetsTheModeOfItsOwnResource,
          "H-RO-3 SV-RO-2 SV-LAUNCH-9 H-PATH-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  // One ACCEPT, one volume (offered RW), three tasks: RO, RW, RO, each at
  // its own container_path, where each must find it, with its own mode.
  auto attempt = [](const std::string& path, const std::string& name, bool read_only) {
    return expectInTask("grep -q \" $MESOS_SANDBOX/" + path + " \" /proc/self/mountinfo",
                        "the volume mounted at the task's own container path " + path) +
           " && " +
           (read_only ? expectWriteRefused(path + "/" + name)
                      : "echo " + name + " > " + path + "/" + name);
  };
  auto first_ro = task("ro-a")
                      .on(agent().id)
                      .uses(shared("v1").readOnly().path("in-a"))
                      .command(attempt("in-a", "a", true));
  auto rw = task("rw-b")
                .on(agent().id)
                .uses(shared("v1").path("in-b"))
                .command(attempt("in-b", "b", false));
  auto second_ro = task("ro-c")
                       .on(agent().id)
                       .uses(shared("v1").readOnly().path("in-c"))
                       .command(attempt("in-c", "c", true));
  if (!runToEnd(fw, offer, {first_ro, rw, second_ro})) GTEST_SKIP() << no_probe_;
  asserted("SV-LAUNCH-9 H-PATH-1 SV-RO-2");
  // Only the RW task's write is in the volume.
  auto checker = task("checker")
                     .on(agent().id)
                     .uses(shared("v1"))
                     .command(expectFileHolds("data/b", "b") + " && " +
                              expectInTask("[ ! -e data/a ] && [ ! -e data/c ]",
                                           "no write of an RO task in the volume"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  asserted("H-RO-3");
  fw.teardown();
}

// H-RO-3 on the other launch path: a task of a task group (LAUNCH_GROUP, run
// as Mesos's default executor runs it) gets the mode of its own resource
// too. The task checks that its write is refused; a later RW task, that
// nothing was written.
SVH_CHECK(RoEnforcement, ATaskOfAGroupGetsTheModeOfItsOwnResource, "H-RO-3 SV-RO-2") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto member = task("group-ro")
                    .on(agent().id)
                    .uses(shared("v1").readOnly())
                    .command(expectWriteRefused("data/g"));
  fw.accept(offer, {launchGroup(unique("executor"), {member})});
  expectTaskPasses(fw, agent(), member.taskId(),
                   "H-RO-3: a task of a task group could write to the volume its resource names "
                   "RO");
  asserted("SV-RO-2");
  auto checker = task("checker")
                     .on(agent().id)
                     .uses(shared("v1"))
                     .command(expectInTask("[ ! -e data/g ]", "no write of the group's RO task"));
  if (!runToEnd(fw, nextOffer(fw, "v1"), {checker})) GTEST_SKIP() << no_probe_;
  asserted("H-RO-3");
  fw.teardown();
}

}  // namespace svh::suites
