#include "suites/check.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "harness/scenario/cleanup.hpp"
#include "harness/scenario/files.hpp"
#include "harness/util/run_liveness.hpp"
#include "reports/check_properties.hpp"

namespace svh::suites {

std::map<std::string, std::string>& clauseRegistry() {
  static std::map<std::string, std::string> registry;
  return registry;
}

std::map<std::string, std::string>& mirrorRegistry() {
  static std::map<std::string, std::string> registry;
  return registry;
}

namespace {

std::string currentCheck() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

std::vector<std::string> splitClauses(const std::string& clauses) {
  std::vector<std::string> ids;
  std::string id;
  for (char c : clauses + " ") {
    if (c == ' ') {
      if (!id.empty()) ids.push_back(id);
      id.clear();
    } else {
      id += c;
    }
  }
  return ids;
}

// The clause ids the running check's SVH_CHECK names ("" if none).
std::string namedClauses() {
  auto it = clauseRegistry().find(currentCheck());
  return it == clauseRegistry().end() ? std::string() : it->second;
}

std::vector<std::filesystem::path> clusterLogs() {
  std::vector<std::filesystem::path> logs;
  auto& cluster = harness::cluster();
  if (auto* master = cluster.masterProcess()) logs.push_back(master->log());
  for (auto& agent : cluster.agents()) {
    if (agent.process) logs.push_back(agent.process->log());
  }
  return logs;
}

// Whether a failure of the running check already says `text`.
bool failureMentions(const std::string& text) {
  const auto* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->total_part_count(); ++i) {
    const auto& part = result->GetTestPartResult(i);
    if (part.failed() && std::string(part.message()).find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

static int g_serial = 0;  // checks started in this process: keeps names unique across repeats

void Check::releaseRole(const std::string& role) {
  std::vector<std::string> agent_ids;
  for (const auto& agent : cluster().agents()) agent_ids.push_back(agent.id);
  harness::releaseRole(cluster().master(), agent_ids, role, harness::runOptions().content_type);
}

void Check::SetUp() {
  ++g_serial;
  // From here on what the check makes registers with its ledger.
  ledger_scope_.emplace(&ledger_);
  auto it = clauseRegistry().find(currentCheck());
  if (it != clauseRegistry().end()) RecordProperty("clauses", it->second);
  auto mirrors = mirrorRegistry().find(currentCheck());
  if (mirrors != mirrorRegistry().end()) RecordProperty("mirrors", mirrors->second);
  // A process of the run died (run_liveness.hpp): the run has stopped, and
  // this check is not run. Every later one is told so quickly.
  if (auto death = util::runProcessDeath()) {
    not_run_ = true;
    RecordProperty(reports::kNotRunKey, "the run stopped: " + *death);
    GTEST_SKIP() << "not run: the run stopped: " << *death;
  }
  if (harness::interrupted()) GTEST_SKIP() << "run interrupted";
  // Could not establish is not violated (Jepsen): without a cluster no
  // check has a verdict, and svharness exits 3, not 1.
  if (!harness::clusterStartError().empty()) {
    GTEST_SKIP() << "the cluster did not start: " << harness::clusterStartError();
  }
  // One that died since the last check fails this one, naming it.
  try {
    util::checkRunAlive(/*thorough=*/true);
  } catch (const util::RunProcessDied& e) {
    FAIL() << e.what();
  }
  // Where each log ends now: TearDown keeps what this check added.
  for (const auto& log : clusterLogs()) {
    std::error_code ec;
    log_marks_.emplace_back(log, std::filesystem::file_size(log, ec));
  }
}

void Check::TearDown() {
  ledger_scope_.reset();
  if (not_run_) return;
  recordEvidence();
  // Nothing to give back to a cluster a process of which died: the run ends.
  bool alive = true;
  try {
    util::checkRunAlive(/*thorough=*/true);
  } catch (const util::RunProcessDied& e) {
    alive = false;
    // The check in progress names the death, even where it failed first on
    // what the death caused (an event stream that broke with its master).
    if (!failureMentions(e.what())) ADD_FAILURE() << e.what();
  }
  // Give back what the check made, newest first, so that later checks (and
  // repeats) find the cluster as it was.
  if (harness::clusterStartError().empty() && alive) {
    for (const auto& problem : ledger_.undoAll()) ADD_FAILURE() << "teardown: " << problem;
  }
  saveLogs();
}

void Check::saveLogs() {
  if (log_marks_.empty()) return;
  auto dir = harness::runOptions().report_dir / "logs" / "checks" / currentCheck();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [log, offset] : log_marks_) {
    std::ifstream in(log, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::ofstream out(dir / log.filename(), std::ios::binary);
    out << in.rdbuf();
  }
}

std::optional<std::string> Check::needsLocalAgents() {
  for (auto& agent : cluster().agents()) {
    if (!agent.local()) {
      return "needs the agents' disks and sandboxes, but the agents are external (--agents "
             "external)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> Check::needsBuiltinMaster() {
  if (cluster().builtinMaster()) return std::nullopt;
  return "needs the bundled master (it restarts it or seeds faults), but --master is " +
         cluster().master().str();
}

std::optional<std::string> Check::needsReadOnlyEnforcement(harness::AgentHandle& agent) {
  nlohmann::json flags;
  try {
    flags = agent.flags().value("flags", nlohmann::json::object());
  } catch (const std::exception& e) {
    return std::string("cannot read agent ") + agent.id +
           "'s flags to see whether it enforces "
           "RO: " +
           e.what();
  }
  std::string isolation = flags.value("isolation", "");
  if (isolation.find("svh/fuse") != std::string::npos ||
      isolation.find("filesystem/linux") != std::string::npos ||
      isolation.find("docker") != std::string::npos) {
    return std::nullopt;
  }
  return "agent " + agent.id + " does not enforce mode RO (isolation '" + isolation +
         "'; needs filesystem/linux, docker, or svh-agent's FUSE disk)";
}

std::filesystem::path Check::volumeDir(const harness::AgentHandle& agent, const std::string& role,
                                       const std::string& id) {
  std::string dir = role;
  std::replace(dir.begin(), dir.end(), '/', ' ');
  return agent.backing() / "volumes" / "roles" / dir / id;
}

void Check::expectUndisturbed(const harness::Framework& fw, const std::string& task_id) {
  for (const auto& status : fw.statuses(task_id)) {
    EXPECT_TRUE(status.state() == TASK_STARTING || status.state() == TASK_RUNNING)
        << task_id << " got " << harness::describe(status);
  }
}

void Check::expectTaskPasses(harness::Framework& fw, const harness::AgentHandle& agent,
                             const std::string& task_id, const std::string& what) {
  auto end = fw.awaitTaskState(
      task_id, {TASK_FINISHED, TASK_FAILED, TASK_KILLED, TASK_ERROR, TASK_LOST, TASK_DROPPED},
      2 * harness::kDefaultWait);
  if (end.state() == TASK_FINISHED) return;
  std::string stderr_text;
  if (agent.local()) {
    try {
      stderr_text = harness::readFile(agent.sandboxOf(task_id) / "stderr");
    } catch (const std::exception& e) {
      stderr_text = std::string("(its stderr cannot be read: ") + e.what() + ")";
    }
  }
  ADD_FAILURE() << what << ": task " << task_id << " ended " << harness::describe(end)
                << (stderr_text.empty() ? "" : "; its stderr:\n" + stderr_text);
}

void Check::expectAnswer(const http::Response& response, int code, const std::string& says) {
  EXPECT_EQ(response.result_int(), code) << response.body();
  EXPECT_NE(response.body().find(says), std::string::npos)
      << "expected the answer to say '" << says << "'; it says: " << response.body();
}

void Check::outcome(const std::string& clause, const std::string& seen) {
  RecordProperty(reports::kOutcomePrefix + clause, seen);
}

std::vector<std::string> Check::namedOf(const std::string& clauses, const char* what) {
  const auto named = splitClauses(namedClauses());
  const auto given = splitClauses(clauses);
  if (given.empty()) ADD_FAILURE() << what << "() without a clause id";
  std::vector<std::string> ids;
  for (const auto& id : given) {
    if (std::find(named.begin(), named.end(), id) == named.end()) {
      ADD_FAILURE() << what << "(\"" << id << "\"): " << currentCheck()
                    << " does not name that clause (its SVH_CHECK names: " << namedClauses() << ")";
    } else {
      ids.push_back(id);
    }
  }
  return ids;
}

void Check::asserted(const std::string& clauses) {
  for (const auto& id : namedOf(clauses, "asserted")) asserted_.insert(id);
}

void Check::skipPart(const std::string& clauses, const std::string& reason) {
  if (reason.empty()) ADD_FAILURE() << "skipPart(\"" << clauses << "\") without a reason";
  for (const auto& id : namedOf(clauses, "skipPart")) skipped_.emplace(id, reason);
}

// What the report needs to tell a clause asserted from one merely named.
// A check skipped as a whole leaves its other clauses to its skip reason.
void Check::recordEvidence() {
  std::string ids;
  for (const auto& id : asserted_) ids += (ids.empty() ? "" : " ") + id;
  RecordProperty(reports::kAssertedKey, ids);
  for (const auto& [id, reason] : skipped_)
    RecordProperty(reports::kSkippedPartPrefix + id, reason);
  if (IsSkipped()) return;
  std::string missing;
  for (const auto& id : splitClauses(namedClauses())) {
    if (!asserted_.count(id) && !skipped_.count(id)) missing += (missing.empty() ? "" : " ") + id;
  }
  if (!missing.empty()) RecordProperty(reports::kNotAssertedKey, missing);
}

std::string Check::unique(const std::string& prefix) const {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + "-" + info->name() + "-" + std::to_string(g_serial);
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

harness::Resource Check::offered(const harness::Offer& offer, const std::string& id) {
  auto volume = harness::findVolume(offer, id);
  if (!volume) throw harness::CheckFailure("offer " + harness::describe(offer) + " lacks volume " + id);
  return *volume;
}

std::string Check::ownRole(const std::string& prefix) {
  std::string role = unique(prefix);
  ledger_.addRole(role);
  return role;
}

}  // namespace svh::suites
