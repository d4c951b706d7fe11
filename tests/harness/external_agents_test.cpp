// `svharness --master URL --agents external` against an svh-master and an
// svh-agent started here, as an implementer runs it against a cluster of
// their own. The agent runs in a mount namespace of its own (unshare) with
// its work dir on a tmpfs that only that namespace sees: svharness can
// reach the agent's APIs but not its disk, sandboxes or log, so whatever
// the report says "holds" must rest on what a check asserted through the
// APIs and through tasks. The run must pass (its skips are honest skips),
// no clause may hold that no check asserted, and no check may pass having
// asserted none of its clauses.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "harness/http/client.hpp"
#include "results_evidence.hpp"
#include "run_support.hpp"

namespace svh::test {
namespace {

using namespace std::chrono_literals;

// The agent's flags as svharness gives its own agents (harness/cluster).
std::vector<std::string> agentFlags(const std::string& master, const std::string& work_dir) {
  return {"--master=" + master,
          "--ip=127.0.0.1",
          "--port=0",
          "--work_dir=" + work_dir,
          "--resources=cpus:4;mem:4096;disk:4096;disk(svh-static):128;ports:[31000-32000]",
          "--registration_backoff_factor=100ms",
          "--status_update_retry_interval=2secs",
          "--executor_shutdown_grace_period=2secs",
          "--gc_delay=10secs",
          "--verbose"};
}

// 'word' for sh -c.
std::string quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// What a run left of its own on the master: roles other than the agent's
// static one that still hold reservations (and so volumes), and frameworks
// still registered.
std::vector<std::string> leftovers(const std::string& host, std::uint16_t port) {
  std::vector<std::string> out;
  http::Client client(host, port);
  auto state = nlohmann::json::parse(client.get("/master/state").body(), nullptr, false);
  if (state.is_discarded()) return {"/master/state is not JSON"};
  for (const auto& agent : state.value("slaves", nlohmann::json::array())) {
    const auto reserved = agent.value("reserved_resources", nlohmann::json::object());
    for (const auto& [role, resources] : reserved.items()) {
      if (role != "svh-static") out.push_back("reservations of role " + role + ": " + resources.dump());
    }
  }
  for (const auto& framework : state.value("frameworks", nlohmann::json::array())) {
    out.push_back("framework " + framework.value("name", "") + " " + framework.value("id", ""));
  }
  return out;
}

TEST(ExternalAgents, NothingHoldsThatNoCheckAssertedWhenTheAgentsDiskIsHidden) {
  TempDir dir;
  Running master(binary("svh-master"), {"--port=0", "--allocation_interval=50ms", "--verbose"},
                 dir.path() / "master.log");
  ASSERT_TRUE(master.awaitOutput("svh-master ready at ", 30s))
      << "svh-master did not say it was ready: " << readFile(dir.path() / "master.log");
  std::smatch ready;
  std::string log = readFile(dir.path() / "master.log");
  ASSERT_TRUE(std::regex_search(log, ready, std::regex("ready at http://(\\S+):(\\d+)")));
  const std::string address = ready[1].str() + ":" + ready[2].str();
  const std::string url = "http://" + address;

  // The agent's disk: an empty directory out here, a tmpfs in the agent's
  // own mount namespace (gone with the agent: nothing to clean up).
  const auto hidden = dir.path() / "hidden";
  std::filesystem::create_directories(hidden);
  std::string command = "mount -t tmpfs svh-hidden " + quoted(hidden.string()) + " && exec " +
                        quoted(binary("svh-agent").string());
  for (const auto& flag : agentFlags(address, (hidden / "work").string())) {
    command += " " + quoted(flag);
  }
  Running agent("/usr/bin/unshare",
                {"--mount", "--propagation", "private", "/bin/sh", "-c", command},
                dir.path() / "agent.log");
  ASSERT_TRUE(agent.awaitOutput("svh-agent registered id=", 30s))
      << "svh-agent did not register: " << readFile(dir.path() / "agent.log");
  ASSERT_TRUE(std::filesystem::is_empty(hidden))
      << "the agent's work dir is visible outside its mount namespace";

  auto outcome = run(
      binary("svharness"),
      {"--master", url, "--agents", "external", "--report-dir", (dir.path() / "report").string()},
      600s);
  EXPECT_EQ(outcome.exit_code, 0) << "the run did not pass: its skips must be honest skips\n"
                                  << outcome.out << outcome.err;
  EXPECT_TRUE(std::filesystem::is_empty(hidden)) << "the agent's disk leaked out of its namespace";

  auto results =
      nlohmann::json::parse(readFile(dir.path() / "report" / "results.json"), nullptr, false);
  ASSERT_FALSE(results.is_discarded()) << outcome.out << outcome.err;
  ASSERT_EQ(results.value("format", 0), 2);
  EXPECT_EQ(results["settings"]["agents"], "external");
  for (const auto& problem : vacuousHolds(results)) ADD_FAILURE() << problem;
  for (const auto& problem : passedAssertingNothing(results)) ADD_FAILURE() << problem;

  // The run did look: checks passed, and what only the agent's disk shows
  // was skipped with a reason rather than claimed.
  EXPECT_GT(results["counts"]["passed"].get<int>(), 40) << outcome.out;
  std::map<std::string, nlohmann::json> clauses;
  for (const auto& clause : results["clauses"]) clauses[clause["id"]] = clause;
  EXPECT_EQ(clauses["SV-CREATE-4"]["standing"], "skipped")
      << "SV-CREATE-4 (where a volume lives on the agent's disk): " << clauses["SV-CREATE-4"];
  EXPECT_FALSE(clauses["SV-CREATE-4"].value("skip_reasons", nlohmann::json::array()).empty());
  EXPECT_EQ(clauses["H-DATA-3"]["standing"], "holds")
      << "H-DATA-3: a volume created again starts empty, which tasks see on any agent";

  // The run gave back everything it made, so a second run on the same
  // long-lived cluster meets nothing of the first and passes too.
  const auto port = static_cast<std::uint16_t>(std::stoi(ready[2].str()));
  for (const auto& left : leftovers(ready[1].str(), port)) ADD_FAILURE() << "left behind: " << left;
  auto again = run(binary("svharness"),
                   {"--master", url, "--agents", "external", "--report-dir",
                    (dir.path() / "report-2").string()},
                   600s);
  EXPECT_EQ(again.exit_code, 0) << "a second run on the same cluster did not pass\n"
                                << again.out << again.err;
  for (const auto& left : leftovers(ready[1].str(), port)) {
    ADD_FAILURE() << "left behind by the second run: " << left;
  }

  agent.signal(SIGTERM);
  EXPECT_TRUE(agent.awaitExit(30s).has_value()) << "svh-agent did not stop on SIGTERM";
}

}  // namespace
}  // namespace svh::test
