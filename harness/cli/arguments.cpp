#include "harness/cli/arguments.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <set>

#include "fakes/common/duration.hpp"
#include "fakes/common/seeded_faults.hpp"
#include "suites/suite.hpp"

namespace svh::cli {

namespace {

Exit usage(const std::string& message) {
  std::cerr << "svharness: " << message << " (see --help)" << std::endl;
  return Exit{2};
}

std::filesystem::path ownDirectory() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

// googletest 1.12's flags. An unknown --gtest_* flag would make googletest
// print its help and run nothing, which exits 0: a CI job would pass.
const std::set<std::string>& gtestFlags() {
  static const std::set<std::string> flags = {"also_run_disabled_tests",
                                              "break_on_failure",
                                              "brief",
                                              "catch_exceptions",
                                              "color",
                                              "death_test_style",
                                              "death_test_use_fork",
                                              "fail_fast",
                                              "filter",
                                              "flagfile",
                                              "install_failure_signal_handler",
                                              "list_tests",
                                              "output",
                                              "print_time",
                                              "print_utf8",
                                              "random_seed",
                                              "recreate_environments_when_repeating",
                                              "repeat",
                                              "show_internal_stack_frames",
                                              "shuffle",
                                              "stack_trace_depth",
                                              "stream_result_to",
                                              "throw_on_failure"};
  return flags;
}

bool isInteger(const std::string& text) {
  std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  return text.size() > start && text.find_first_not_of("0123456789", start) == std::string::npos;
}

// nullopt if fine, else what is wrong with this --gtest_* argument.
std::optional<std::string> checkGtestFlag(const std::string& arg) {
  std::string body = arg.substr(std::string("--gtest_").size());
  auto equals = body.find('=');
  std::string name = body.substr(0, equals);
  std::string value = equals == std::string::npos ? "" : body.substr(equals + 1);
  if (gtestFlags().count(name) == 0) return "unknown googletest flag " + arg;
  if ((name == "repeat" || name == "random_seed" || name == "stack_trace_depth") &&
      !isInteger(value)) {
    return "--gtest_" + name + ": expected a whole number, got '" + value + "'";
  }
  return std::nullopt;
}

std::optional<std::string> checkReportDir(const std::filesystem::path& dir) {
  if (dir.empty()) return "--report-dir: expected a directory, got ''";
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    return "--report-dir: " + dir.string() + " exists and is not a directory";
  }
  std::filesystem::create_directories(dir / "logs", ec);
  if (ec) return "--report-dir: cannot create " + dir.string() + ": " + ec.message();
  if (access(dir.c_str(), W_OK) != 0) return "--report-dir: " + dir.string() + " is not writable";
  return std::nullopt;
}

// Each fault is known, and the process that plants it is one svharness starts.
std::optional<std::string> checkFaults(const harness::RunOptions& run) {
  for (const auto& name : run.faults) {
    const auto* fault = fakes::findSeededFault(name);
    if (!fault) {
      return "--fault: unknown fault '" + name +
             "' (svharness --list-faults shows the catalogue)";
    }
    if (fault->site == fakes::FaultSite::kMaster && run.master != "builtin") {
      return "--fault: '" + name + "' is planted in svh-master, but --master is " + run.master;
    }
    if (fault->site == fakes::FaultSite::kAgent && run.external_agents) {
      return "--fault: '" + name + "' is planted in svh-agent, but --agents is external";
    }
  }
  return std::nullopt;
}

void routeFaults(harness::RunOptions* run) {
  for (const auto& name : run->faults) {
    bool agent = fakes::findSeededFault(name)->site == fakes::FaultSite::kAgent;
    (agent ? run->agent_faults : run->master_faults).push_back(name);
  }
}

}  // namespace

std::variant<Arguments, Exit> parseArguments(int argc, char** argv) {
  Arguments out;
  auto& run = out.run;
  std::vector<std::string> own_args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--gtest_help") arg = "--help";
    if (arg.rfind("--gtest_", 0) != 0) {
      own_args.push_back(arg);
      continue;
    }
    if (auto problem = checkGtestFlag(arg)) return usage(*problem);
    // The report dir decides where junit.xml goes.
    if (arg.rfind("--gtest_output", 0) == 0) {
      return usage("--gtest_output: svharness writes junit.xml to --report-dir");
    }
    out.gtest_flags.push_back(arg);
  }

  std::string content_type = "json";
  std::string report_dir = run.report_dir.string();
  std::string agents = "1";
  out.scenario_dir = suites::defaultScenarioDir();
  std::string scenario_dir = out.scenario_dir.string();

  CLI::App app{"svharness: conformance suite for Mesos shared persistent volumes", "svharness"};
  app.option_defaults()->always_capture_default();
  app.add_option("--master", run.master, "builtin (start the bundled svh-master) or a URL");
  app.add_option("--agents", agents,
                 "Number of svh-agents to start (1-16), or 'external' to use the agents "
                 "already registered with --master");
  app.add_option("--profile", run.profile, "SPEC profile: mesos-1.12 or mesos-1.1")
      ->check(CLI::IsMember({"mesos-1.12", "mesos-1.1"}));
  app.add_option("--content-type", content_type, "Scheduler API encoding: json or protobuf")
      ->check(CLI::IsMember({"json", "protobuf"}));
  app.add_option("--report-dir", report_dir,
                 "Where report.html, results.json, junit.xml, repro/ and logs/ are written");
  app.add_option("--fault", run.faults,
                 "Plant a seeded fault in the bundled master or agents (repeatable)");
  app.add_option("--allocation-interval", run.allocation_interval,
                 "Allocation interval of the bundled master (Mesos duration)");
  app.add_option("--scenarios", scenario_dir, "Directory of scenario files (*.json)");
  app.add_flag("--list", out.list, "List the checks with their SPEC clause ids and exit");
  app.add_flag("--list-faults", out.list_faults,
               "List the seeded faults (--fault NAME) with the clause each breaks, and exit");
  app.add_flag("--selftest", out.selftest,
               "Run the suite against the faultless bundled cluster and against each seeded "
               "fault (or those --fault names); exit 0 only if every fault is detected");
  app.add_option("--selftest-jobs", out.selftest_jobs, "Self-test runs at a time")
      ->check(CLI::Range(1, 16));
  app.add_flag("--strict", out.strict, "Count skipped checks as failures");
  std::vector<std::string> reversed(own_args.rbegin(), own_args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    std::printf(
        "\nAny --gtest_* flag is passed to googletest (e.g. --gtest_filter=Lifecycle.*,\n"
        "--gtest_repeat=20, GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX for sharding).\n");
    return Exit{0};
  } catch (const CLI::ParseError& e) {
    return usage(e.what());
  }

  if (run.master != "builtin") {
    std::string error;
    if (!http::Url::parse(run.master, &error)) return usage("--master: " + error);
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
  std::string duration_error;
  if (!fakes::parseDuration(run.allocation_interval, &duration_error)) {
    return usage("--allocation-interval: " + duration_error);
  }
  if (auto problem = checkFaults(run)) return usage(*problem);
  if (out.selftest && (run.master != "builtin" || out.strict)) {
    return usage(run.master != "builtin"
                     ? "--selftest plants faults in the bundled master and agents: it needs "
                       "--master builtin"
                     : "--selftest judges each run by its exit code: --strict does not apply");
  }
  routeFaults(&run);
  run.content_type =
      content_type == "protobuf" ? harness::ContentType::kProtobuf : harness::ContentType::kJson;
  out.scenario_dir = scenario_dir;
  run.bin_dir = ownDirectory();
  if (!out.list && !out.list_faults) {
    if (auto problem = checkReportDir(report_dir)) return usage(*problem);
    run.report_dir = std::filesystem::absolute(report_dir);
  }
  return out;
}

}  // namespace svh::cli
