// svharness's report dir as tools and people read it: results.json,
// report.html and a repro script per failed check, from a real run with a
// scenario that fails on purpose (it expects a volume file to hold what the
// task did not write).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/harness/run_support.hpp"

namespace svh::test {
namespace {

constexpr const char* kFailingScenario = R"({
  "name": "ExpectsWhatTheTaskDidNotWrite",
  "description": "Fails on purpose: the task writes 'a', the scenario expects 'b'.",
  "clauses": ["H-DATA-1"],
  "frameworks": {"fw": {"role": "eng"}},
  "volumes": {"v": {"size": 32, "shared": true}},
  "steps": [
    {"create": {"framework": "fw", "volumes": ["v"]}},
    {"launch": {"framework": "fw", "tasks": [
      {"name": "writer", "command": "echo a > data/f", "volumes": {"v": "RW"}}]}},
    {"await_task": {"framework": "fw", "task": "writer", "state": "TASK_FINISHED"}},
    {"volume_file": {"volume": "v", "file": "f", "content": "b\n", "asserts": ["H-DATA-1"]}}
  ]
})";

class Report : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(scenarios_.path());
    std::ofstream(scenarios_.path() / "failing.json") << kFailingScenario;
  }
  // The failing scenario and one passing check, against the bundled master.
  Outcome runSuite(const std::filesystem::path& report_dir) {
    return run(binary("svharness"),
               {"--scenarios", scenarios_.path().string(), "--report-dir", report_dir.string(),
                "--gtest_filter=Scenario.*:Resize.ASharedVolumeCannotBeGrownOrShrunk"},
               std::chrono::seconds(120));
  }
  TempDir scenarios_;
  TempDir reports_;
};

TEST_F(Report, AFailedCheckIsInEveryReportAndItsReproFailsTheSameWay) {
  auto outcome = runSuite(reports_.path());
  ASSERT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  const auto& dir = reports_.path();

  auto results = nlohmann::json::parse(readFile(dir / "results.json"));
  EXPECT_EQ(results["format"], 2);
  EXPECT_EQ(results["exit_code"], 1);
  EXPECT_EQ(results["counts"]["checks"], 2);
  EXPECT_EQ(results["counts"]["failed"], 1);
  EXPECT_EQ(results["counts"]["passed"], 1);
  EXPECT_EQ(results["settings"]["master"], "builtin");
  nlohmann::json failed;
  for (const auto& check : results["checks"]) {
    if (check["verdict"] == "failed") failed = check;
  }
  ASSERT_FALSE(failed.is_null()) << results.dump(2);
  EXPECT_EQ(failed["name"], "Scenario.ExpectsWhatTheTaskDidNotWrite");
  EXPECT_EQ(failed["clauses"], nlohmann::json::array({"H-DATA-1"}));
  EXPECT_NE(failed["failure"].get<std::string>().find("expected 'b"), std::string::npos)
      << failed.dump(2);
  std::map<std::string, std::string> standing;
  for (const auto& clause : results["clauses"]) standing[clause["id"]] = clause["standing"];
  EXPECT_EQ(standing["H-DATA-1"], "violated");
  EXPECT_EQ(standing["SV-RESIZE-1"], "holds");
  nlohmann::json passed;
  for (const auto& check : results["checks"]) {
    if (check["verdict"] == "passed") passed = check;
  }
  EXPECT_EQ(passed["asserted"], nlohmann::json::array({"SV-RESIZE-1"})) << passed.dump(2);
  EXPECT_EQ(passed["not_asserted"], nlohmann::json::array());
  EXPECT_EQ(standing["SV-ARITH-1"], "not black-box");
  EXPECT_EQ(standing["SV-OFFER-1"], "not run");

  std::map<std::string, std::string> mirrored;
  for (const auto& test : results["mesos_tests"]) mirrored[test["test"]] = test["standing"];
  EXPECT_EQ(mirrored["PersistentVolumeTest.SharedPersistentVolumeRescindOnDestroy"], "not run");
  EXPECT_EQ(mirrored["DestroyOperationValidationTest.MultipleResourceProviders"], "not black-box");

  auto html = readFile(dir / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Scenario.ExpectsWhatTheTaskDidNotWrite"), std::string::npos);
  EXPECT_NE(html.find("violated"), std::string::npos);
  EXPECT_NE(html.find("holds &#39;a"), std::string::npos) << "the failure, escaped";
  EXPECT_EQ(html.find("<script"), std::string::npos) << "self-contained and static";

  // The repro script runs the failed check alone, the same way, and fails.
  const auto repro = dir / "repro" / "Scenario.ExpectsWhatTheTaskDidNotWrite.sh";
  struct stat st {};
  ASSERT_EQ(::stat(repro.c_str(), &st), 0) << repro;
  EXPECT_TRUE(st.st_mode & S_IXUSR) << "repro script not executable";
  EXPECT_FALSE(
      std::filesystem::exists(dir / "repro" / "Resize.ASharedVolumeCannotBeGrownOrShrunk.sh"));
  TempDir again;
  auto rerun = run(repro, {again.path().string()}, std::chrono::seconds(120));
  EXPECT_EQ(rerun.exit_code, 1) << rerun.out << rerun.err;
  auto rerun_results = nlohmann::json::parse(readFile(again.path() / "results.json"));
  EXPECT_EQ(rerun_results["counts"]["checks"], 1) << "the repro runs the failed check alone";
  EXPECT_EQ(rerun_results["counts"]["failed"], 1);
}

TEST_F(Report, APassingRunLeavesNoReproScriptsBehind) {
  // A report dir reused by a passing run keeps no scripts of an earlier failure.
  std::filesystem::create_directories(reports_.path() / "repro");
  std::ofstream(reports_.path() / "repro" / "Old.Failure.sh") << "#!/bin/sh\nexit 1\n";
  auto outcome = run(binary("svharness"),
                     {"--report-dir", reports_.path().string(),
                      "--gtest_filter=Resize.ASharedVolumeCannotBeGrownOrShrunk"},
                     std::chrono::seconds(120));
  ASSERT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_FALSE(std::filesystem::exists(reports_.path() / "repro"));
  auto results = nlohmann::json::parse(readFile(reports_.path() / "results.json"));
  EXPECT_EQ(results["exit_meaning"], "every check passed");
  EXPECT_NE(outcome.out.find("report.html"), std::string::npos) << outcome.out;
}

TEST_F(Report, ListingTheChecksWritesNoReport) {
  auto outcome =
      run(binary("svharness"), {"--report-dir", reports_.path().string(), "--gtest_list_tests"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("ATaskThatWritesToItsRoVolumeFails"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(reports_.path() / "results.json"));
  EXPECT_FALSE(std::filesystem::exists(reports_.path() / "report.html"));
}

}  // namespace
}  // namespace svh::test
