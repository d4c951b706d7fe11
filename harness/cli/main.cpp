// svharness: runs the conformance suites against a Mesos master and writes
// the report. Its own flags are parsed in arguments.cpp; every --gtest_* flag
// goes to googletest (the csi-sanity way).
//
// Exit codes: 0 every check passed (skips allowed unless --strict), 1 a
// check failed, 2 bad usage, 3 environment or infrastructure error, 130
// interrupted.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "harness/cli/arguments.hpp"
#include "harness/cli/fault_list.hpp"
#include "harness/cli/selftest.hpp"
#include "harness/cli/progress_listener.hpp"
#include "harness/cli/run_report.hpp"
#include "harness/cluster/environment.hpp"
#include "harness/cluster/janitor.hpp"
#include "harness/scenario/scenario_loader.hpp"
#include "harness/util/run_liveness.hpp"
#include "reports/recorder.hpp"
#include "reports/write_reports.hpp"
#include "suites/check.hpp"
#include "suites/clause_list.hpp"
#include "suites/suite.hpp"

namespace {

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

// ARCHITECTURE.md's exit codes, from how the run went.
int exitCode(int gtest_status, bool strict) {
  const auto* unit = ::testing::UnitTest::GetInstance();
  if (!svh::harness::clusterStartError().empty()) return 3;
  if (svh::util::runProcessDeath()) return 3;  // the run stopped: no verdict on what followed
  if (svh::harness::interrupted()) return 130;
  if (unit->failed_test_count() > 0 || gtest_status != 0) return 1;
  if (!svh::harness::teardownProblems().empty()) return 3;
  if (strict && unit->skipped_test_count() > 0) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = svh::cli::parseArguments(argc, argv);
  if (auto* exit = std::get_if<svh::cli::Exit>(&parsed)) return exit->code;
  auto& args = std::get<svh::cli::Arguments>(parsed);

  // Scenario files are checked before anything starts: a malformed one is a
  // usage error naming the file, the JSON path and what was expected.
  try {
    svh::suites::install(args.run, args.scenario_dir);
  } catch (const svh::harness::scenario::ScenarioError& e) {
    std::cerr << "svharness: " << e.what() << std::endl;
    return 2;
  }
  if (args.selftest) return svh::cli::runSelftest(args, (args.run.bin_dir / "svharness").string());
  if (args.list_faults) {
    std::fputs(svh::cli::describeFaults().c_str(), stdout);
    return 0;
  }
  if (args.list) {
    try {
      std::fputs(svh::suites::describeCoverage(
                     svh::suites::loadClauses(), svh::suites::clauseRegistry(),
                     svh::suites::loadMesosTests(), svh::suites::mirrorRegistry())
                     .c_str(),
                 stdout);
    } catch (const std::exception& e) {
      std::cerr << "svharness: " << e.what() << std::endl;
      return 3;
    }
    return 0;
  }

  // Before any thread exists: the janitor removes our temp dirs even if we
  // are killed.
  svh::harness::startJanitor();

  const auto& run = svh::harness::runOptions();
  std::vector<std::string> gtest_strings = {argv[0]};
  gtest_strings.insert(gtest_strings.end(), args.gtest_flags.begin(), args.gtest_flags.end());
  gtest_strings.push_back("--gtest_output=xml:" + (run.report_dir / "junit.xml").string());
  std::vector<char*> gtest_args;
  for (auto& arg : gtest_strings) gtest_args.push_back(arg.data());
  int gtest_argc = static_cast<int>(gtest_args.size());
  ::testing::InitGoogleTest(&gtest_argc, gtest_args.data());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  watchSignals(signals);

  std::string clause_problem;
  auto record = svh::cli::startRecord(args, &clause_problem);
  if (!clause_problem.empty()) {
    std::fprintf(stderr, "svharness: the report has no clause matrix: %s\n",
                 clause_problem.c_str());
  }
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new svh::cli::ProgressListener(svh::suites::clauseRegistry()));
  listeners.Append(new svh::reports::RunRecorder(record, svh::suites::clauseRegistry(),
                                                 svh::suites::mirrorRegistry()));

  const int status = RUN_ALL_TESTS();
  for (const auto& problem : svh::harness::teardownProblems()) {
    std::fprintf(stderr, "svharness: teardown: %s\n", problem.c_str());
  }
  if (!svh::harness::clusterStartError().empty()) {
    std::fprintf(stderr, "svharness: cannot start the cluster: %s\n",
                 svh::harness::clusterStartError().c_str());
  }
  if (auto death = svh::util::runProcessDeath()) {
    std::fprintf(stderr, "svharness: the run stopped: %s\n", death->c_str());
  }
  int code = exitCode(status, args.strict);

  // --gtest_list_tests ran nothing: there is no run to report on.
  if (GTEST_FLAG_GET(list_tests)) return code;
  record.exit_code = code;
  record.exit_meaning = svh::cli::exitMeaning(code);
  const auto problems = svh::reports::writeReports(record, run.report_dir);
  for (const auto& problem : problems) std::fprintf(stderr, "svharness: %s\n", problem.c_str());
  // A run whose report could not be written has no verdict to hand over.
  if (!problems.empty() && code == 0) code = 3;
  std::printf("report: %s (and junit.xml, results.json)\n",
              (run.report_dir / "report.html").c_str());
  return code;
}
