#include "harness/cli/selftest.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "harness/cluster/child_process.hpp"
#include "harness/util/eventually.hpp"

namespace svh::cli {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json readResults(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return nullptr;
  }
}

struct Running {
  SelftestRun run;
  std::unique_ptr<harness::ChildProcess> process;
  Clock::time_point started;
};

// SIGINT/SIGTERM: stop starting runs, stop the running ones (each cleans
// up after itself), report what finished.
std::atomic<bool> g_stop{false};

void watchSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    g_stop = true;
    std::fprintf(stderr, "\nsvharness: self-test interrupted; stopping the running runs\n");
  }).detach();
}

}  // namespace

int runSelftest(const Arguments& args, const std::string& svharness) {
  std::vector<SelftestRun> runs;
  try {
    runs = planSelftest(args.run.faults);
  } catch (const std::invalid_argument& e) {
    std::cerr << "svharness: --fault: " << e.what() << std::endl;
    return 2;
  }
  watchSignals();
  const auto& dir = args.run.report_dir;
  const auto start = Clock::now();
  std::printf("self-test: %zu runs (%zu faults), %d at a time; reports in %s/runs/\n",
              runs.size(), runs.size() - std::count_if(runs.begin(), runs.end(),
                                                       [](const auto& r) { return !r.fault; }),
              args.selftest_jobs, dir.c_str());
  std::fflush(stdout);

  std::deque<SelftestRun> waiting(runs.begin(), runs.end());
  std::vector<Running> running;
  std::vector<SelftestResult> results;
  auto launch = [&](SelftestRun run) {
    auto run_dir = dir / "runs" / run.name;
    std::vector<std::string> argv = {"--report-dir", run_dir.string(),
                                     "--allocation-interval", args.run.allocation_interval,
                                     "--scenarios", args.scenario_dir.string()};
    argv.insert(argv.end(), run.config.begin(), run.config.end());
    // A fault run needs only its first failing check to count as detected;
    // the rest of the suite after it would often wait out deadlines.
    if (run.fault) argv.insert(argv.end(), {"--fault", *run.fault, "--gtest_fail_fast"});
    argv.insert(argv.end(), args.gtest_flags.begin(), args.gtest_flags.end());
    std::error_code ec;
    std::filesystem::remove_all(run_dir, ec);
    std::filesystem::create_directories(run_dir, ec);
    auto process = std::make_unique<harness::ChildProcess>("svharness " + run.name, svharness,
                                                           argv, run_dir / "output.txt");
    running.push_back({std::move(run), std::move(process), Clock::now()});
  };
  auto finish = [&](Running& r) {
    int code = r.process->exitCode().value_or(-1);
    auto result = judgeRun(r.run, code, readResults(dir / "runs" / r.run.name / "results.json"),
                           secondsSince(r.started));
    std::printf("%-9s %s (%.1f s)\n", runVerdictName(result.verdict), r.run.name.c_str(),
                result.seconds);
    std::fflush(stdout);
    results.push_back(std::move(result));
  };

  while ((!waiting.empty() || !running.empty()) && !g_stop) {
    while (!waiting.empty() && static_cast<int>(running.size()) < args.selftest_jobs) {
      launch(waiting.front());
      waiting.pop_front();
    }
    // Wait until one run ends (or an interrupt); no deadline: each run has
    // its own (every wait of every check has one).
    util::eventually(
        [&] {
          return g_stop || std::any_of(running.begin(), running.end(),
                                       [](Running& r) { return !r.process->running(); });
        },
        std::chrono::hours(24), std::chrono::milliseconds(200));
    for (auto it = running.begin(); it != running.end();) {
      if (it->process->running()) {
        ++it;
        continue;
      }
      finish(*it);
      it = running.erase(it);
    }
  }
  for (auto& r : running) r.process->stop();
  if (g_stop) return 130;

  // Catalogue order (faultless runs first), not finishing order.
  std::sort(results.begin(), results.end(), [&](const auto& a, const auto& b) {
    auto index = [&](const SelftestResult& r) {
      return std::find_if(runs.begin(), runs.end(),
                          [&](const SelftestRun& run) { return run.name == r.run.name; }) -
             runs.begin();
    };
    return index(a) < index(b);
  });
  double seconds = secondsSince(start);
  std::printf("\n%s", selftestTable(results, seconds).c_str());
  std::ofstream(dir / "selftest.json") << selftestJson(results, seconds).dump(2) << "\n";
  std::printf("report: %s\n", (dir / "selftest.json").c_str());
  bool no_verdict = std::any_of(results.begin(), results.end(), [](const SelftestResult& r) {
    return r.verdict == RunVerdict::kError;
  });
  if (selftestPassed(results)) return 0;
  return no_verdict ? 3 : 1;
}

}  // namespace svh::cli
