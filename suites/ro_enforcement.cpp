// RoEnforcement: mode RO as a task sees it (SPEC H-RO-1..3, SV-RO-2), told
// through the master's public APIs with real tasks. The tasks run svh-probe
// (built next to svh-agent, so these checks need this run's own agents),
// which tries every call H-RO-1 names on a volume and prints one JSON line
// per call with its errno; the checks then compare the volume's digest on
// the agent's backing store and read the agent's trace of mutating calls.

#include <algorithm>
#include <chrono>
#include <sstream>

#include "fakes/agent/probe/probe_report.hpp"
#include "harness/scenario/common_steps.hpp"
#include "harness/scenario/digest.hpp"
#include "harness/scenario/files.hpp"
#include "harness/util/eventually.hpp"
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
    if (auto why = needsLocalAgents()) GTEST_SKIP() << *why;
    if (auto why = needsReadOnlyEnforcement(agent())) GTEST_SKIP() << *why;
    if (!fs::exists(probe_)) GTEST_SKIP() << "svh-probe is not next to svharness: " << probe_;
    role_ = unique("ro");
  }

  AgentHandle& agent() { return cluster().agents().front(); }

  std::string probe(const std::string& mode, const std::string& dir) const {
    return probe_.string() + " " + mode + " " + dir;
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
  // that ends other than FINISHED fails the check with its status.
  void runToEnd(Framework& fw, const Offer& offer, const std::vector<TaskBuilder>& tasks) {
    std::vector<TaskInfo> infos(tasks.begin(), tasks.end());
    fw.accept(offer, {launch(infos)});
    for (const auto& task : tasks) {
      auto status = fw.awaitTaskState(
          task.taskId(), {mesos::v1::TASK_FINISHED, mesos::v1::TASK_FAILED}, 2 * kDefaultWait);
      EXPECT_EQ(status.state(), mesos::v1::TASK_FINISHED)
          << task.taskId() << ": " << status.message() << "\n"
          << readFile(agent().sandboxOf(task.taskId()) / "stderr");
    }
  }

  // What svh-probe printed in the task.
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

  // The agent's trace lines about one task.
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
};

SVH_MIRRORS(RoEnforcement, EveryMutatingCallFromAnRoTaskFailsAndChangesNothing,
            "LinuxFilesystemIsolatorMesosTest.ROOT_WriteAccessSharedPersistentVolumeReadOnlyMode");
SVH_CHECK(RoEnforcement, EveryMutatingCallFromAnRoTaskFailsAndChangesNothing,
          "H-RO-1 H-RO-3 SV-RO-2") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto filler = task("filler").on(agent().id).uses(shared("v1")).command(probe("fill", "data/p"));
  runToEnd(fw, offer, {filler});
  const auto before = contentDigest(volumeDir("v1"));
  ASSERT_NE(before.find("p/f "), std::string::npos) << "the volume was not filled:\n" << before;

  auto reader =
      task("ro-probe").on(agent().id).uses(shared("v1").readOnly()).command(probe("ro", "data/p"));
  runToEnd(fw, nextOffer(fw, "v1"), {reader});
  auto results = probeResults(reader.taskId());
  for (const auto& result : results) {
    if (result.mutating) {
      // EROFS, or EACCES/EPERM (H-RO-1); a call that needs a writable fd
      // reports the open that refused to give one.
      EXPECT_TRUE(result.error == EROFS || result.error == EACCES || result.error == EPERM)
          << "H-RO-1: " << result.op << " on " << result.path
          << " from an RO task: " << (result.error == 0 ? "allowed" : result.error_name);
    } else {
      EXPECT_EQ(result.error, 0) << "H-RO-1: an RO task cannot " << result.op << ": "
                                 << result.error_name;
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
  fw.teardown();
}

// SV-RO-3's own story: Mesos's test runs `echo hello > volume/file` in a
// task whose resource names the shared volume RO and sees the task fail.
// How an agent enforces RO (a read-only bind mount in Mesos, the FUSE
// view here) is its business; the effect, EROFS and TASK_FAILED, is not.
SVH_MIRRORS(RoEnforcement, ATaskThatWritesToItsRoVolumeFails,
            "LinuxFilesystemIsolatorMesosTest.ROOT_WriteAccessSharedPersistentVolumeReadOnlyMode");
SVH_CHECK(RoEnforcement, ATaskThatWritesToItsRoVolumeFails, "SV-RO-3 SV-RO-2 H-RO-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto writer =
      task("writer").on(agent().id).uses(shared("v1").readOnly()).command("echo hello > data/file");
  fw.accept(offer, {launch({writer})});
  auto end = fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_FINISHED, mesos::v1::TASK_FAILED});
  EXPECT_EQ(end.state(), mesos::v1::TASK_FAILED)
      << "SV-RO-3: a task's write to its RO volume succeeded: " << describe(end);
  EXPECT_NE(readFile(agent().sandboxOf(writer.taskId()) / "stderr").find("Read-only file system"),
            std::string::npos)
      << "SV-RO-3: the write did not fail with EROFS; the task's stderr: "
      << readFile(agent().sandboxOf(writer.taskId()) / "stderr");
  EXPECT_FALSE(fs::exists(volumeDir("v1") / "file"))
      << "SV-RO-3: the write reached the agent's disk";
  fw.teardown();
}

SVH_CHECK(RoEnforcement, AnRwTaskOnTheSameVolumeCanMakeEveryChange, "SV-RO-1 H-DATA-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  auto filler = task("filler").on(agent().id).uses(shared("v1")).command(probe("fill", "data/p"));
  runToEnd(fw, offer, {filler});
  auto writer = task("rw-probe").on(agent().id).uses(shared("v1")).command(probe("rw", "data/p"));
  runToEnd(fw, nextOffer(fw, "v1"), {writer});
  for (const auto& result : probeResults(writer.taskId())) {
    EXPECT_EQ(result.error, 0) << result.op << " on " << result.path
                               << " from an RW task: " << result.error_name
                               << (result.via.empty() ? "" : " in " + result.via);
    EXPECT_EQ(result.detail, "") << result.op;
  }
  // What the task did reached the agent's disk.
  auto p = volumeDir("v1") / "p";
  EXPECT_TRUE(fs::exists(p / "c")) << "open(O_CREAT)";
  EXPECT_TRUE(fs::is_directory(p / "n_dir")) << "mkdir";
  EXPECT_TRUE(fs::exists(p / "d" / "ri") && fs::exists(p / "out") && fs::exists(p / "r2"))
      << "rename";
  EXPECT_FALSE(fs::exists(p / "u")) << "unlink";
  fw.teardown();
}

SVH_CHECK(RoEnforcement, RoAndRwTasksShareOneVolumeAtOnceAndTheReaderSeesTheWriter,
          "H-RO-2 H-RO-1 H-DATA-1") {
  Framework fw(cluster().master(), {.role = role_, .content_type = runOptions().content_type});
  fw.subscribe();
  auto offer = createVolume(fw, "v1");
  // The writer counts on; the reader waits until it has seen the count
  // change twice while it ran, then tries to write itself.
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
                    .command(
                        "n=0; while [ ! -s data/count ]; do n=$((n+1)); [ $n -gt 600 ] && exit 3; "
                        "sleep 0.05; "
                        "done; first=$(cat data/count); seen=$first; n=0; "
                        "while [ \"$seen\" = \"$first\" ]; do n=$((n+1)); [ $n -gt 600 ] && exit "
                        "4; sleep 0.05; "
                        "seen=$(cat data/count); done; echo \"$first $seen\" > seen; " +
                        tryWrite("data/from-reader"));
  std::vector<TaskInfo> both = {writer, reader};
  fw.accept(offer, {launch(both)});
  fw.awaitTaskState(writer.taskId(), {mesos::v1::TASK_RUNNING});
  auto status = fw.awaitTaskState(
      reader.taskId(), {mesos::v1::TASK_FINISHED, mesos::v1::TASK_FAILED}, 2 * kDefaultWait);
  ASSERT_EQ(status.state(), mesos::v1::TASK_FINISHED)
      << "H-RO-2: the RO reader never saw the RW writer's count change (" << status.message()
      << ")";
  auto sandbox = agent().sandboxOf(reader.taskId());
  std::istringstream seen(readFile(sandbox / "seen"));
  long first = 0, later = 0;
  seen >> first >> later;
  EXPECT_GT(later, first) << "H-RO-2: the reader saw the writer's count go backwards";
  EXPECT_EQ(readFile(sandbox / "write"), "refused\n")
      << "H-RO-1: the RO task could write while an RW task shared the volume";
  EXPECT_FALSE(fs::exists(volumeDir("v1") / "from-reader"));
  // The writer went on writing after the reader was refused.
  auto count = std::stol("0" + readFile(volumeDir("v1") / "count"));
  EXPECT_TRUE(util::eventually(
      [&] { return std::stol("0" + readFile(volumeDir("v1") / "count")) > count; }, kDefaultWait))
      << "the RW writer stopped writing while it shared the volume (count stayed at " << count
      << ")";
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
  // its own container_path.
  auto attempt = [](const std::string& path, const std::string& name) {
    return "if grep -q \" $MESOS_SANDBOX/" + path + " \" /proc/self/mountinfo; then echo " + path +
           " > at; fi; " + tryWrite(path + "/" + name, "write", name);
  };
  auto first_ro = task("ro-a")
                      .on(agent().id)
                      .uses(shared("v1").readOnly().path("in-a"))
                      .command(attempt("in-a", "a"));
  auto rw =
      task("rw-b").on(agent().id).uses(shared("v1").path("in-b")).command(attempt("in-b", "b"));
  auto second_ro = task("ro-c")
                       .on(agent().id)
                       .uses(shared("v1").readOnly().path("in-c"))
                       .command(attempt("in-c", "c"));
  runToEnd(fw, offer, {first_ro, rw, second_ro});
  EXPECT_EQ(readFile(agent().sandboxOf(first_ro.taskId()) / "write"), "refused\n")
      << "H-RO-3: the first RO task got the RW task's mode";
  EXPECT_EQ(readFile(agent().sandboxOf(rw.taskId()) / "write"), "allowed\n")
      << "H-RO-3: the RW task got an RO task's mode: "
      << readFile(agent().sandboxOf(rw.taskId()) / "write.err");
  EXPECT_EQ(readFile(agent().sandboxOf(second_ro.taskId()) / "write"), "refused\n")
      << "H-RO-3: the second RO task got the RW task's mode";
  for (const auto& [task, path] :
       {std::pair{first_ro, "in-a"}, std::pair{rw, "in-b"}, std::pair{second_ro, "in-c"}}) {
    EXPECT_EQ(readFile(agent().sandboxOf(task.taskId()) / "at"), std::string(path) + "\n")
        << "SV-LAUNCH-9: " << task.taskId() << " does not see the volume at its own "
        << "container_path " << path;
  }
  EXPECT_TRUE(fs::exists(volumeDir("v1") / "b"));
  EXPECT_FALSE(fs::exists(volumeDir("v1") / "a") || fs::exists(volumeDir("v1") / "c"))
      << "H-RO-3: an RO task's write reached the agent's disk";
  fw.teardown();
}

}  // namespace svh::suites
