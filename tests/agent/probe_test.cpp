// H-RO-1 through real tasks on a real svh-agent: svh-probe runs in a task
// with an RO view and tries every mutating call on a filled volume, then in
// a task with an RW view. Each call's errno, the volume's digest on the
// backing store and the agent's trace are checked. (The conformance suite
// does the same through a master: suites/ro_enforcement.cpp.)

#include <algorithm>
#include <cerrno>
#include <map>
#include <sstream>

#include "fakes/agent/probe/probe_report.hpp"
#include "harness/scenario/digest.hpp"
#include "tests/agent/agent_test_support.hpp"

namespace svh::agent::test {
namespace {

using probe::ProbeResult;

class AgentProbe : public AgentTest {
 protected:
  void SetUp() override {
    AgentTest::SetUp();
    startAgent();
    checkpoint({data_});
    ASSERT_TRUE(eventually([&] { return fs::is_directory(volumeDir("v-probe")); }));
    run(fw_, commandTask("t-fill", probeCommand("fill"), {data_}));
    master_->awaitState("t-fill", mesos::TASK_FINISHED);
  }

  std::string probeCommand(const std::string& mode) const {
    return binary("svh-probe").string() + " " + mode + " data/p";
  }

  // Runs the probe in a task and returns what it printed.
  std::vector<ProbeResult> probe(const std::string& task_id, mesos::Volume::Mode mode) {
    run(fw_, commandTask(task_id, probeCommand(mode == mesos::Volume::RO ? "ro" : "rw"),
                         {volume("v-probe", 8, mode)}));
    auto update = master_->awaitState(task_id, mesos::TASK_FINISHED);
    auto sandbox = agent_->sandboxOf(task_id);
    std::string problem;
    auto results = probe::parseProbeOutput(readFile(sandbox / "stdout"), &problem);
    EXPECT_EQ(problem, "");
    std::vector<std::string> ran;
    for (const auto& result : results) ran.push_back(result.op);
    EXPECT_EQ(ran, probe::probeOperations()) << readFile(sandbox / "stderr");
    return results;
  }

  // The agent's trace lines of one task.
  std::vector<nlohmann::json> traceOf(const std::string& task_id) const {
    std::vector<nlohmann::json> lines;
    std::istringstream in(readFile(dir_ / "work" / "trace.jsonl"));
    for (std::string line; std::getline(in, line);) {
      auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_discarded() && json.value("task", "") == task_id) lines.push_back(json);
    }
    return lines;
  }

  // Each mutating call has its own trace line (one line serves one call):
  // the op, the path in the volume and the errno agree.
  void expectTraced(const std::vector<ProbeResult>& results,
                    std::vector<nlohmann::json> lines) const {
    for (const auto& result : results) {
      if (!result.mutating) continue;
      auto ops = probe::traceOperations(result);
      auto match = std::find_if(lines.begin(), lines.end(), [&](const nlohmann::json& line) {
        return ops.count(line.value("op", "")) && line.value("path", "") == "p/" + result.path &&
               line.value("errno", -1) == result.error;
      });
      if (match == lines.end()) {
        ADD_FAILURE() << result.op << " on " << result.path << " (" << result.error_name
                      << ") is not in the agent's trace";
      } else {
        lines.erase(match);
      }
    }
  }

  mesos::FrameworkInfo fw_ = framework("fw-probe");
  mesos::Resource data_ = volume("v-probe", 8);
};

TEST_F(AgentProbe, EveryMutatingCallFromAnRoTaskFailsAndTheVolumeIsUnchanged) {
  // H-RO-1 H-RO-3
  const auto before = harness::contentDigest(volumeDir("v-probe"));
  auto results = probe("t-ro", mesos::Volume::RO);
  for (const auto& result : results) {
    if (result.mutating) {
      EXPECT_TRUE(result.error == EROFS || result.error == EACCES || result.error == EPERM)
          << result.op << " from an RO task: " << (result.error ? result.error_name : "allowed");
    } else {
      EXPECT_EQ(result.error, 0) << result.op << ": " << result.error_name;
      EXPECT_EQ(result.detail, "") << result.op;
    }
  }
  EXPECT_EQ(harness::contentDigest(volumeDir("v-probe")), before)
      << "the RO task changed the volume";
  auto trace = traceOf("t-ro");
  for (const auto& line : trace) {
    EXPECT_NE(line.value("errno", -1), 0) << "an RO task's call was allowed: " << line.dump();
  }
  expectTraced(results, trace);
}

TEST_F(AgentProbe, AnRwTaskCanMakeEveryChangeTheRoTaskCouldNot) {
  // SV-RO-1 (volumes are RW) H-DATA-1
  auto results = probe("t-rw", mesos::Volume::RW);
  for (const auto& result : results) {
    EXPECT_EQ(result.error, 0) << result.op << " from an RW task: " << result.error_name
                               << (result.via.empty() ? "" : " (" + result.via + ")");
    EXPECT_TRUE(result.ok) << result.op << ": " << result.detail;
  }
  // What the calls did is on the backing store.
  auto p = volumeDir("v-probe") / "p";
  EXPECT_TRUE(fs::exists(p / "c") && fs::is_directory(p / "n_dir") && fs::exists(p / "r2") &&
              fs::exists(p / "d" / "ri") && fs::exists(p / "out") && !fs::exists(p / "u") &&
              !fs::exists(p / "e") && fs::is_symlink(p / "n_sym"));
  EXPECT_EQ(fs::file_size(p / "t_trunc"), 0u);
  EXPECT_EQ(readFile(p / "m").substr(0, 1), "M") << "the shared mapping's write did not land";
  expectTraced(results, traceOf("t-rw"));
}

}  // namespace
}  // namespace svh::agent::test
