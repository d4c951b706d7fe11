#pragma once
// What a run of the suites shares: the options svharness was started with
// and the cluster the checks drive. The cluster is started by a googletest
// Environment before the first check and stopped after the last one, so a
// listing (--list, --gtest_list_tests) starts nothing.

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/client/scheduler_client.hpp"
#include "harness/cluster/cluster.hpp"

namespace svh::harness {

struct RunOptions {
  std::string master = "builtin";  // or the URL of the master under test
  int agents = 1;
  bool external_agents = false;    // --agents external
  std::string profile = "mesos-1.12";
  ContentType content_type = ContentType::kJson;
  std::filesystem::path report_dir = "svharness-report";
  std::filesystem::path bin_dir;
  std::vector<std::string> faults;  // seeded faults, as given (--fault)
  // ...split by the process that plants them (svh-master, svh-agent).
  std::vector<std::string> master_faults;
  std::vector<std::string> agent_faults;
  std::string allocation_interval = "50ms";
};

RunOptions& runOptions();

// The running cluster; only valid inside a check.
Cluster& cluster();
// Set when the cluster could not start (an infrastructure error, exit 3).
const std::string& clusterStartError();
// Problems found when the cluster was stopped (leaks that had to be forced).
const std::vector<std::string>& teardownProblems();

// A first Ctrl-C asks the run to stop after the running check.
std::atomic<bool>& interrupted();

class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  // Kills every process now (second Ctrl-C) and removes what it can.
  static void emergencyStop();
};

}  // namespace svh::harness
