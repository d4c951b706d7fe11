// svharness: runs the conformance suites against a Mesos master and writes
// the report. Its own flags are parsed here; every --gtest_* flag goes to
// googletest untouched (the csi-sanity way).
//
// Exit codes: 0 every check passed (skips allowed unless --strict), 1 a
// check failed, 2 bad usage, 3 environment or infrastructure error, 130
// interrupted.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "harness/cli/progress_listener.hpp"
#include "harness/cluster/environment.hpp"
#include "harness/cluster/janitor.hpp"
#include "harness/scenario/scenario_loader.hpp"
#include "suites/check.hpp"
#include "suites/scenarios.hpp"

namespace {

int usage(const std::string& message) {
  std::cerr << "svharness: " << message << " (see --help)" << std::endl;
  return 2;
}

std::filesystem::path ownDirectory() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

// Ctrl-C: the first asks the run to stop after the running check and clean
// up; the second kills everything at once. Handled on a thread of its own
// (the signals are blocked everywhere else) so no check is interrupted in an
// inconsistent state.
void watchSignals(sigset_t signals) {
  std::thread([signals] {
    int count = 0;
    while (true) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (++count == 1 && sig == SIGINT) {
        svh::harness::interrupted() = true;
        std::fprintf(stderr,
                     "\nsvharness: interrupted; finishing the running check and cleaning up "
                     "(Ctrl-C again to stop at once)\n");
        continue;
      }
      std::fprintf(stderr, "\nsvharness: stopping everything now\n");
      svh::harness::ClusterEnvironment::emergencyStop();
      std::_Exit(130);
    }
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  // googletest's flags pass straight through.
  std::vector<char*> gtest_args = {argv[0]};
  std::vector<std::string> own_args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--gtest_", 0) == 0) {
      gtest_args.push_back(argv[i]);
    } else {
      own_args.push_back(arg);
    }
  }

  auto& run = svh::harness::runOptions();
  std::string content_type = "json";
  std::string report_dir = run.report_dir.string();
  bool list = false;
  bool strict = false;

  CLI::App app{"svharness: conformance suite for Mesos shared persistent volumes", "svharness"};
  app.option_defaults()->always_capture_default();
  app.add_option("--master", run.master, "builtin (start the bundled svh-master) or a URL");
  std::string agents = "1";
  app.add_option("--agents", agents,
                 "Number of svh-agents to start (1-16), or 'external' to use the agents "
                 "already registered with --master");
  app.add_option("--profile", run.profile, "SPEC profile: mesos-1.12 or mesos-1.1")
      ->check(CLI::IsMember({"mesos-1.12", "mesos-1.1"}));
  app.add_option("--content-type", content_type, "Scheduler API encoding: json or protobuf")
      ->check(CLI::IsMember({"json", "protobuf"}));
  app.add_option("--report-dir", report_dir, "Where junit.xml and logs/ are written");
  app.add_option("--fault", run.faults, "Run the bundled master with a seeded fault");
  app.add_option("--allocation-interval", run.allocation_interval,
                 "Allocation interval of the bundled master (Mesos duration)");
  std::string scenario_dir = SVH_SCENARIO_DIR;
  app.add_option("--scenarios", scenario_dir, "Directory of scenario files (*.json)");
  app.add_flag("--list", list, "List the checks with their SPEC clause ids and exit");
  app.add_flag("--strict", strict, "Count skipped checks as failures");
  std::vector<std::string> reversed(own_args.rbegin(), own_args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    std::printf("\nAny --gtest_* flag is passed to googletest (e.g. --gtest_filter=Lifecycle.*).\n");
    return 0;
  } catch (const CLI::ParseError& e) {
    return usage(e.what());
  }
  if (run.master != "builtin") {
    std::string error;
    if (!svh::http::Url::parse(run.master, &error)) return usage("--master: " + error);
  }
  if (agents == "external") {
    if (run.master == "builtin") return usage("--agents external needs --master URL");
    run.external_agents = true;
  } else {
    try {
      std::size_t end = 0;
      run.agents = std::stoi(agents, &end);
      if (end != agents.size() || run.agents < 1 || run.agents > 16) throw std::out_of_range("");
    } catch (const std::exception&) {
      return usage("--agents: expected a number from 1 to 16 or 'external', got '" + agents + "'");
    }
  }
  run.content_type = content_type == "protobuf" ? svh::harness::ContentType::kProtobuf
                                                : svh::harness::ContentType::kJson;
  run.report_dir = std::filesystem::absolute(report_dir);
  run.bin_dir = ownDirectory();

  // Scenario files are checked before anything starts: a malformed one is a
  // usage error naming the file, the JSON path and what was expected.
  try {
    svh::suites::registerScenarios(svh::harness::scenario::loadScenarios(scenario_dir));
  } catch (const svh::harness::scenario::ScenarioError& e) {
    std::cerr << "svharness: " << e.what() << std::endl;
    return 2;
  }

  if (list) {
    for (const auto& [name, clauses] : svh::suites::clauseRegistry()) {
      std::printf("%s  [%s]\n", name.c_str(), clauses.c_str());
    }
    return 0;
  }

  // Before any thread exists: the janitor removes our temp dirs even if we
  // are killed.
  svh::harness::startJanitor();

  std::error_code ec;
  std::filesystem::create_directories(run.report_dir / "logs", ec);
  if (ec) {
    std::cerr << "svharness: cannot create report dir " << run.report_dir << ": " << ec.message()
              << std::endl;
    return 3;
  }
  std::string output = "--gtest_output=xml:" + (run.report_dir / "junit.xml").string();
  gtest_args.push_back(output.data());
  int gtest_argc = static_cast<int>(gtest_args.size());
  ::testing::InitGoogleTest(&gtest_argc, gtest_args.data());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  watchSignals(signals);

  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  auto* progress = new svh::cli::ProgressListener(svh::suites::clauseRegistry());
  listeners.Append(progress);
  ::testing::AddGlobalTestEnvironment(new svh::harness::ClusterEnvironment);

  int status = RUN_ALL_TESTS();
  const auto* unit = ::testing::UnitTest::GetInstance();
  std::printf("report: %s\n", (run.report_dir / "junit.xml").c_str());

  for (const auto& problem : svh::harness::teardownProblems()) {
    std::fprintf(stderr, "svharness: teardown: %s\n", problem.c_str());
  }
  if (!svh::harness::clusterStartError().empty()) {
    std::fprintf(stderr, "svharness: cannot start the cluster: %s\n",
                 svh::harness::clusterStartError().c_str());
    return 3;
  }
  if (svh::harness::interrupted()) return 130;
  if (unit->failed_test_count() > 0 || status != 0) return 1;
  if (!svh::harness::teardownProblems().empty()) return 3;
  if (strict && unit->skipped_test_count() > 0) return 1;
  return 0;
}
