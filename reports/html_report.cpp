#include "reports/html_report.hpp"

#include <cstdio>
#include <map>
#include <sstream>

namespace svh::reports {

namespace {

// Inline, so the page is one file that can be mailed or archived by CI.
constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { white-space: pre-wrap; background: #fafafa; padding: .6em; border: 1px solid #eee; }
.banner { padding: .6em 1em; border-radius: 4px; font-weight: bold; }
.passed, .holds { color: #1a7f37; }
.failed, .violated { color: #cf222e; font-weight: bold; }
.skipped, .not-run { color: #9a6700; }
.not-black-box, .unchecked { color: #666; }
.banner.passed { background: #dafbe1; } .banner.failed { background: #ffebe9; }
.banner.other { background: #fff8c5; color: #9a6700; }
)";

std::string cssClass(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == ' ') c = '-';
  }
  return out;
}

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", value);
  return text;
}

// Each check's verdicts over the run's rounds, for the clause matrix:
// "Area.Name" -> "passed", "failed" (any round failed) or "skipped".
std::map<std::string, std::string> checkVerdicts(const RunRecord& run) {
  std::map<std::string, std::string> out;
  for (const auto& check : run.checks) {
    auto& verdict = out[check.name];
    if (verdict == "failed") continue;
    if (check.verdict == Verdict::kFailed || verdict.empty() || check.verdict == Verdict::kPassed) {
      verdict = verdictName(check.verdict);
    }
  }
  return out;
}

void writeSummary(std::ostream& out, const RunRecord& run) {
  const Counts counts = countChecks(run);
  const char* banner = run.exit_code == 0 ? "passed" : run.exit_code == 1 ? "failed" : "other";
  out << "<p class=\"banner " << banner << "\">exit " << run.exit_code << ": "
      << htmlEscape(run.exit_meaning) << " &mdash; " << counts.total()
      << " checks: " << counts.passed << " passed, " << counts.failed << " failed, "
      << counts.skipped << " skipped in " << seconds(run.seconds) << "</p>\n<table>\n";
  out << "<tr><th>started</th><td>" << htmlEscape(run.started_at) << "</td></tr>\n";
  for (const auto& [key, value] : run.settings) {
    out << "<tr><th>" << htmlEscape(key) << "</th><td><code>" << htmlEscape(value)
        << "</code></td></tr>\n";
  }
  out << "</table>\n";
}

// A matrix of clauses (or Mesos tests) with their standings and the checks
// that name (or mirror) them.
template <typename StandingOf>
void writeMatrix(std::ostream& out, const RunRecord& run, const std::vector<ClauseRecord>& rows,
                 StandingOf standing_of, const std::string& anchor, const std::string& title,
                 const std::string& row_name, const std::string& checks_name) {
  const auto verdicts = checkVerdicts(run);
  std::map<std::string, int> tally;
  for (const auto& row : rows) ++tally[standingName(standing_of(run, row))];
  out << "<h2 id=\"" << anchor << "\">" << htmlEscape(title) << "</h2>\n<p>";
  for (const auto& [standing, n] : tally) {
    out << "<span class=\"" << cssClass(standing) << "\">" << n << " " << standing << "</span> ";
  }
  out << "</p>\n<table>\n<tr><th>" << row_name << "</th><th>standing</th><th>what it says</th><th>"
      << checks_name << "</th></tr>\n";
  for (const auto& row : rows) {
    const std::string standing = standingName(standing_of(run, row));
    out << "<tr id=\"" << htmlEscape(row.id) << "\"><td><code>" << htmlEscape(row.id)
        << "</code></td><td class=\"" << cssClass(standing) << "\">" << standing << "</td><td>"
        << htmlEscape(row.summary);
    if (!row.not_black_box.empty()) {
      out << "<br><em>Not black-box: " << htmlEscape(row.not_black_box) << "</em>";
    }
    out << "</td><td>";
    for (const auto& name : row.named_by) {
      auto it = verdicts.find(name);
      const std::string verdict = it == verdicts.end() ? "not run" : it->second;
      out << "<a class=\"" << cssClass(verdict) << "\" href=\"#" << htmlEscape(name) << "\">"
          << htmlEscape(name) << "</a><br>";
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";
}

void writeChecks(std::ostream& out, const RunRecord& run) {
  out << "<h2 id=\"checks\">Checks</h2>\n<table>\n<tr><th>check</th><th>verdict</th>"
         "<th>clauses</th><th>time</th><th>notes</th></tr>\n";
  for (const auto& check : run.checks) {
    const std::string verdict = verdictName(check.verdict);
    // Only the first round carries the anchor the clause matrix links to.
    out << "<tr" << (check.iteration == 0 ? " id=\"" + htmlEscape(check.name) + "\"" : "")
        << "><td><code>" << htmlEscape(check.name) << "</code>";
    if (check.iteration > 0) out << " (round " << check.iteration + 1 << ")";
    if (!check.mirrors.empty()) {
      out << "<br><small>mirrors";
      for (const auto& m : check.mirrors) out << " " << htmlEscape(m);
      out << "</small>";
    }
    out << "</td><td class=\"" << verdict << "\">" << verdict << "</td><td>";
    for (const auto& id : check.clauses) {
      out << "<a href=\"#" << htmlEscape(id) << "\">" << htmlEscape(id) << "</a> ";
    }
    out << "</td><td>" << seconds(check.seconds) << "</td><td>";
    if (!check.skip_reason.empty()) out << htmlEscape(check.skip_reason) << "<br>";
    for (const auto& [clause, seen] : check.outcomes) {
      out << "<code>" << htmlEscape(clause) << "</code>: " << htmlEscape(seen) << "<br>";
    }
    if (check.verdict == Verdict::kFailed) {
      out << "<pre>" << htmlEscape(check.failure) << "</pre>Re-run alone: <code>repro/"
          << htmlEscape(check.name) << ".sh</code>";
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

std::string htmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string htmlReport(const RunRecord& run) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>svharness conformance report</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n"
      << "<h1>Shared persistent volumes: conformance report</h1>\n";
  writeSummary(out, run);
  writeMatrix(out, run, run.clauses, standingOf, "clauses", "Clauses", "clause", "checks");
  writeChecks(out, run);
  if (!run.mesos_tests.empty()) {
    writeMatrix(out, run, run.mesos_tests, mirrorStandingOf, "mesos-tests",
                "Mesos tests (SPEC 2.1, 2.2) and the checks that mirror them", "Mesos test",
                "mirrored by");
  }
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace svh::reports
