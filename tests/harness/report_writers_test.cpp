// The report writers (reports/) on hand-made run records: clause standings
// (from what checks asserted, not merely named), escaping, repro scripts,
// repeated rounds.

#include <gtest/gtest.h>

#include "reports/html_report.hpp"
#include "reports/repro_script.hpp"
#include "reports/results_json.hpp"
#include "reports/run_record.hpp"

namespace svh::reports {
namespace {

// A check that, if it passed, asserted every clause it names.
CheckRecord check(const std::string& name, Verdict verdict, std::vector<std::string> clauses,
                  int iteration = 0) {
  CheckRecord c;
  c.name = name;
  c.verdict = verdict;
  c.clauses = std::move(clauses);
  if (verdict == Verdict::kPassed) c.asserted = c.clauses;
  c.iteration = iteration;
  return c;
}

RunRecord sampleRun() {
  RunRecord run;
  run.settings = {{"master", "builtin"}};
  run.rerun_command = {"/opt/svh/svharness", "--master", "http://m:5050/it's"};
  run.clauses = {{"A-1", "a", "", {"S.Pass", "S.Fail"}},
                 {"A-2", "b", "", {"S.Pass"}},
                 {"A-3", "c", "", {"S.Skip"}},
                 {"A-4", "d", "", {"S.NotRun"}},
                 {"A-5", "e", "internal to the allocator", {}},
                 {"A-6", "f", "", {}}};
  run.checks = {check("S.Pass", Verdict::kPassed, {"A-1", "A-2"}),
                check("S.Fail", Verdict::kFailed, {"A-1"}),
                check("S.Skip", Verdict::kSkipped, {"A-3"})};
  run.checks[1].failure = "x.cpp:3: expected <b> & 'c'";
  return run;
}

TEST(ReportWriters, AClauseStandsByTheChecksThatNameIt) {
  auto run = sampleRun();
  EXPECT_EQ(standingOf(run, run.clauses[0]), ClauseStanding::kViolated) << "one failure is enough";
  EXPECT_EQ(standingOf(run, run.clauses[1]), ClauseStanding::kHolds);
  EXPECT_EQ(standingOf(run, run.clauses[2]), ClauseStanding::kSkipped);
  EXPECT_EQ(standingOf(run, run.clauses[3]), ClauseStanding::kNotRun);
  EXPECT_EQ(standingOf(run, run.clauses[4]), ClauseStanding::kNotBlackBox);
  EXPECT_EQ(standingOf(run, run.clauses[5]), ClauseStanding::kUnchecked);
}

// SPEC 0: nothing holds vacuously. A check that passed but did not assert
// a clause it names gives that clause no standing of "holds".
TEST(ReportWriters, AClauseHoldsOnlyWhereACheckThatPassedAssertedIt) {
  RunRecord run;
  run.clauses = {{"B-1", "", "", {"S.Quiet"}},
                 {"B-2", "", "", {"S.Quiet"}},
                 {"B-3", "", "", {"S.Quiet", "S.Sure"}},
                 {"B-4", "", "", {"S.Quiet", "S.Sure"}}};
  auto quiet = check("S.Quiet", Verdict::kPassed, {"B-1", "B-2", "B-3", "B-4"});
  quiet.asserted = {"B-4"};
  quiet.skipped_parts = {{"B-2", "needs the agent's disk"}, {"B-4", "the log line"}};
  quiet.not_asserted = {"B-1", "B-3"};
  run.checks = {quiet, check("S.Sure", Verdict::kPassed, {"B-3"})};
  EXPECT_EQ(standingOf(run, run.clauses[0]), ClauseStanding::kNotAsserted);
  EXPECT_EQ(standingOf(run, run.clauses[1]), ClauseStanding::kSkipped);
  EXPECT_EQ(standingOf(run, run.clauses[2]), ClauseStanding::kHolds) << "S.Sure asserted it";
  EXPECT_EQ(standingOf(run, run.clauses[3]), ClauseStanding::kHolds) << "asserted, part skipped";
  EXPECT_EQ(assertedBy(run, "B-3"), std::vector<std::string>{"S.Sure"});
  EXPECT_EQ(skipReasonsFor(run, "B-2"),
            std::vector<std::string>{"S.Quiet: needs the agent's disk"});

  auto json = resultsJson(run);
  EXPECT_EQ(json["format"], 2);
  EXPECT_EQ(json["clauses"][0]["standing"], "not asserted");
  EXPECT_EQ(json["clauses"][1]["standing"], "skipped");
  EXPECT_EQ(json["clauses"][1]["skip_reasons"][0], "S.Quiet: needs the agent's disk");
  EXPECT_EQ(json["clauses"][2]["asserted_by"], nlohmann::json::array({"S.Sure"}));
  EXPECT_EQ(json["checks"][0]["asserted"], nlohmann::json::array({"B-4"}));
  EXPECT_EQ(json["checks"][0]["not_asserted"], nlohmann::json::array({"B-1", "B-3"}));
  EXPECT_EQ(json["checks"][0]["skipped_parts"][0]["clause"], "B-2");
  EXPECT_EQ(json["checks"][0]["skipped_parts"][0]["reason"], "needs the agent's disk");

  auto html = htmlReport(run);
  EXPECT_NE(html.find("passed without asserting B-1 B-3"), std::string::npos);
  EXPECT_NE(html.find("skipped part of <code>B-2</code>: needs the agent&#39;s disk"),
            std::string::npos);
  EXPECT_NE(html.find("(passed, not asserted)"), std::string::npos);
}

TEST(ReportWriters, AFailureInALaterRoundViolatesTheClause) {
  auto run = sampleRun();
  run.checks = {check("S.Pass", Verdict::kPassed, {"A-2"}, 0),
                check("S.Pass", Verdict::kFailed, {"A-2"}, 1)};
  EXPECT_EQ(standingOf(run, run.clauses[1]), ClauseStanding::kViolated);
  auto json = resultsJson(run);
  EXPECT_EQ(json["checks"][1]["iteration"], 1);
  EXPECT_EQ(json["counts"]["checks"], 2);
  EXPECT_EQ(json["counts"]["failed"], 1);
}

TEST(ReportWriters, AMesosTestStandsByTheChecksThatMirrorIt) {
  auto run = sampleRun();
  run.checks[0].mirrors = {"T.Passes"};
  run.checks[1].mirrors = {"T.Fails"};
  run.mesos_tests = {{"T.Passes", "", "", {"S.Pass"}},
                     {"T.Fails", "", "", {"S.Fail"}},
                     {"T.Internal", "", "allocator internals", {}}};
  EXPECT_EQ(mirrorStandingOf(run, run.mesos_tests[0]), ClauseStanding::kHolds);
  EXPECT_EQ(mirrorStandingOf(run, run.mesos_tests[1]), ClauseStanding::kViolated);
  EXPECT_EQ(mirrorStandingOf(run, run.mesos_tests[2]), ClauseStanding::kNotBlackBox);
  run.checks[0].asserted.clear();
  EXPECT_EQ(mirrorStandingOf(run, run.mesos_tests[0]), ClauseStanding::kNotAsserted)
      << "a mirroring check that asserted nothing";
  run.checks[0].asserted = {"A-1"};
  auto json = resultsJson(run);
  EXPECT_EQ(json["mesos_tests"][1]["test"], "T.Fails");
  EXPECT_EQ(json["mesos_tests"][1]["standing"], "violated");
  EXPECT_NE(htmlReport(run).find("id=\"T.Internal\""), std::string::npos);
}

TEST(ReportWriters, ResultsJsonCarriesVerdictsClausesAndOutcomes) {
  auto run = sampleRun();
  run.checks[0].outcomes["SV-HTTP-3"] = "202";
  run.checks[2].skip_reason = "needs local agents";
  auto json = resultsJson(run);
  EXPECT_EQ(json["counts"]["passed"], 1);
  EXPECT_EQ(json["counts"]["skipped"], 1);
  EXPECT_EQ(json["checks"][0]["outcomes"]["SV-HTTP-3"], "202");
  EXPECT_EQ(json["checks"][1]["failure"], "x.cpp:3: expected <b> & 'c'");
  EXPECT_FALSE(json["checks"][0].contains("failure"));
  EXPECT_EQ(json["checks"][2]["skip_reason"], "needs local agents");
  EXPECT_EQ(json["clauses"][4]["standing"], "not black-box");
  EXPECT_EQ(json["clauses"][4]["not_black_box"], "internal to the allocator");
  EXPECT_EQ(json["clauses"][0]["checks"], nlohmann::json::array({"S.Pass", "S.Fail"}));
}

TEST(ReportWriters, TheHtmlReportEscapesWhatChecksSay) {
  auto html = htmlReport(sampleRun());
  EXPECT_NE(html.find("expected &lt;b&gt; &amp; &#39;c&#39;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("repro/S.Fail.sh"), std::string::npos);
  EXPECT_NE(html.find("internal to the allocator"), std::string::npos);
  EXPECT_EQ(htmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ReportWriters, AReproScriptQuotesEveryWord) {
  auto run = sampleRun();
  auto script = reproScript(run, run.checks[1]);
  EXPECT_EQ(script.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_NE(script.find("exec '/opt/svh/svharness' '--master' 'http://m:5050/it'\\''s' "
                        "--report-dir \"$report_dir\" '--gtest_filter=S.Fail'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("#   x.cpp:3: expected <b> & 'c'"), std::string::npos) << script;
  EXPECT_EQ(shellQuote("a'b"), "'a'\\''b'");
}

}  // namespace
}  // namespace svh::reports
