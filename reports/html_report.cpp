#include "reports/html_report.hpp"

#include <algorithm>
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
.skipped, .not-run, .skipped-part { color: #9a6700; }
.not-asserted { color: #bc4c00; font-weight: bold; }
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

// What one check showed of one clause over the run's rounds, as the clause
// matrix says it: "failed", "asserted", "skipped part: why", "not
// asserted", "skipped" or "not run".
struct Shown {
  std::string css;
  std::string text;
};
Shown shownOf(const RunRecord& run, const std::string& check_name, const std::string& clause) {
  bool ran = false, failed = false, asserted = false, passed = false;
  std::string skipped_part;
  for (const auto& check : run.checks) {
    if (check.name != check_name || check.verdict == Verdict::kNotRun) continue;
    ran = true;
    failed |= check.verdict == Verdict::kFailed;
    if (check.verdict != Verdict::kPassed) continue;
    passed = true;
    asserted |= check.hasAsserted(clause);
    if (auto it = check.skipped_parts.find(clause); it != check.skipped_parts.end()) {
      skipped_part = it->second;
    }
  }
  if (!ran) return {"not-run", "not run"};
  if (failed) return {"failed", "failed"};
  if (asserted)
    return {"passed",
            skipped_part.empty() ? "asserted" : "asserted; skipped part: " + skipped_part};
  if (!skipped_part.empty()) return {"skipped-part", "skipped: " + skipped_part};
  if (passed) return {"not-asserted", "passed, not asserted"};
  return {"skipped", "skipped"};
}

void writeSummary(std::ostream& out, const RunRecord& run) {
  const Counts counts = countChecks(run);
  const char* banner = run.exit_code == 0 ? "passed" : run.exit_code == 1 ? "failed" : "other";
  out << "<p class=\"banner " << banner << "\">exit " << run.exit_code << ": "
      << htmlEscape(run.exit_meaning) << " &mdash; " << counts.total()
      << " checks: " << counts.passed << " passed, " << counts.failed << " failed, "
      << counts.skipped << " skipped"
      << (counts.not_run > 0 ? ", " + std::to_string(counts.not_run) + " not run" : "") << " in "
      << seconds(run.seconds) << "</p>\n<table>\n";
  out << "<tr><th>started</th><td>" << htmlEscape(run.started_at) << "</td></tr>\n";
  for (const auto& [key, value] : run.settings) {
    out << "<tr><th>" << htmlEscape(key) << "</th><td><code>" << htmlEscape(value)
        << "</code></td></tr>\n";
  }
  out << "</table>\n";
}

// A matrix of clauses (or Mesos tests) with their standings and the checks
// that name (or mirror) them; `shown(check, row id)` says what each check
// showed of the row.
template <typename StandingOf, typename ShownOf>
void writeMatrix(std::ostream& out, const RunRecord& run, const std::vector<ClauseRecord>& rows,
                 StandingOf standing_of, ShownOf shown, const std::string& anchor,
                 const std::string& title, const std::string& intro, const std::string& row_name,
                 const std::string& checks_name) {
  std::map<std::string, int> tally;
  for (const auto& row : rows) ++tally[standingName(standing_of(run, row))];
  out << "<h2 id=\"" << anchor << "\">" << htmlEscape(title) << "</h2>\n";
  if (!intro.empty()) out << "<p>" << htmlEscape(intro) << "</p>\n";
  out << "<p>";
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
      const Shown seen = shown(name, row.id);
      out << "<a class=\"" << seen.css << "\" href=\"#" << htmlEscape(name) << "\">"
          << htmlEscape(name) << "</a> <small class=\"" << seen.css << "\">("
          << htmlEscape(seen.text) << ")</small><br>";
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
    out << "</td><td class=\"" << cssClass(verdict) << "\">" << verdict << "</td><td>";
    // Each clause as the check showed it: asserted (plain), asserted with
    // a part skipped, skipped, or named and not asserted.
    for (const auto& id : check.clauses) {
      const bool skipped_part = check.skipped_parts.count(id) > 0;
      const bool not_asserted = std::find(check.not_asserted.begin(), check.not_asserted.end(),
                                          id) != check.not_asserted.end();
      out << "<a href=\"#" << htmlEscape(id) << "\">" << htmlEscape(id) << "</a> ";
      if (not_asserted) {
        out << "<small class=\"not-asserted\">(not asserted)</small> ";
      } else if (skipped_part) {
        out << "<small class=\"skipped-part\">("
            << (check.hasAsserted(id) ? "part skipped" : "skipped") << ")</small> ";
      }
    }
    out << "</td><td>" << seconds(check.seconds) << "</td><td>";
    if (!check.skip_reason.empty()) out << htmlEscape(check.skip_reason) << "<br>";
    for (const auto& [clause, reason] : check.skipped_parts) {
      out << "skipped part of <code>" << htmlEscape(clause) << "</code>: " << htmlEscape(reason)
          << "<br>";
    }
    if (!check.not_asserted.empty() && check.verdict == Verdict::kPassed) {
      out << "<span class=\"not-asserted\">passed without asserting";
      for (const auto& id : check.not_asserted) out << " " << htmlEscape(id);
      out << "</span><br>";
    }
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
  writeMatrix(
      out, run, run.clauses, standingOf,
      [&](const std::string& check, const std::string& id) { return shownOf(run, check, id); },
      "clauses", "Clauses",
      "A clause holds only if a check that passed asserted it in this run; \"not asserted\" "
      "means checks naming it passed without asserting it, \"skipped\" that they skipped it "
      "(as a whole or that part) for the reasons shown with them.",
      "clause", "checks");
  writeChecks(out, run);
  if (!run.mesos_tests.empty()) {
    const auto verdicts = checkVerdicts(run);
    auto verdict_of = [&](const std::string& check, const std::string&) {
      auto it = verdicts.find(check);
      const std::string verdict = it == verdicts.end() ? "not run" : it->second;
      return Shown{cssClass(verdict), verdict};
    };
    writeMatrix(out, run, run.mesos_tests, mirrorStandingOf, verdict_of, "mesos-tests",
                "Mesos tests (SPEC 2.1, 2.2) and the checks that mirror them",
                "A Mesos test holds if a check mirroring it passed and asserted at least one of "
                "its clauses.",
                "Mesos test", "mirrored by");
  }
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace svh::reports
