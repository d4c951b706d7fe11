#include "harness/cli/run_report.hpp"

#include <map>

#include "reports/recorder.hpp"
#include "suites/check.hpp"
#include "suites/clause_list.hpp"

namespace svh::cli {

namespace {

std::string agentsFlag(const harness::RunOptions& run) {
  return run.external_agents ? "external" : std::to_string(run.agents);
}

std::string contentType(const harness::RunOptions& run) {
  return run.content_type == harness::ContentType::kProtobuf ? "protobuf" : "json";
}

}  // namespace

reports::RunRecord startRecord(const Arguments& args, std::string* problem) {
  const auto& run = args.run;
  reports::RunRecord record;
  std::string faults;
  for (const auto& fault : run.faults) faults += (faults.empty() ? "" : " ") + fault;
  std::string gtest;
  for (const auto& flag : args.gtest_flags) gtest += (gtest.empty() ? "" : " ") + flag;
  record.settings = {{"master", run.master},
                     {"agents", agentsFlag(run)},
                     {"profile", run.profile},
                     {"content type", contentType(run)},
                     {"allocation interval", run.allocation_interval},
                     {"faults", faults.empty() ? "none" : faults},
                     {"scenarios", args.scenario_dir.string()},
                     {"googletest flags", gtest.empty() ? "none" : gtest}};

  auto& rerun = record.rerun_command;
  rerun = {(run.bin_dir / "svharness").string(),
           "--master",
           run.master,
           "--agents",
           agentsFlag(run),
           "--profile",
           run.profile,
           "--content-type",
           contentType(run),
           "--allocation-interval",
           run.allocation_interval,
           "--scenarios",
           args.scenario_dir.string()};
  for (const auto& fault : run.faults) {
    rerun.push_back("--fault");
    rerun.push_back(fault);
  }

  // Every check that names each clause or mirrors each Mesos test, run or
  // not (the registries hold every check linked in, scenario checks
  // included).
  std::map<std::string, std::vector<std::string>> named_by;
  for (const auto& [check, ids] : suites::clauseRegistry()) {
    for (const auto& id : reports::splitIds(ids)) named_by[id].push_back(check);
  }
  std::map<std::string, std::vector<std::string>> mirrored_by;
  for (const auto& [check, tests] : suites::mirrorRegistry()) {
    for (const auto& test : reports::splitIds(tests)) mirrored_by[test].push_back(check);
  }
  try {
    for (const auto& clause : suites::loadClauses()) {
      record.clauses.push_back(
          {clause.id, clause.summary, clause.not_black_box, named_by[clause.id]});
    }
    for (const auto& test : suites::loadMesosTests()) {
      record.mesos_tests.push_back(
          {test.id, test.summary, test.not_black_box, mirrored_by[test.id]});
    }
  } catch (const std::exception& e) {
    *problem = e.what();
  }
  return record;
}

std::string exitMeaning(int code) {
  switch (code) {
    case 0:
      return "every check passed";
    case 1:
      return "at least one check failed: the master or agent under test is not conformant";
    case 2:
      return "bad usage or bad input file";
    case 3:
      return "environment or infrastructure error: no verdict";
    case 130:
      return "interrupted";
    default:
      return "exit " + std::to_string(code);
  }
}

}  // namespace svh::cli
