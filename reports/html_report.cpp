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

void writeClauses(std::ostream& out, const RunRecord& run) {
  const auto verdicts = checkVerdicts(run);
  std::map<std::string, int> tally;
  for (const auto& clause : run.clauses) ++tally[standingName(standingOf(run, clause))];
  out << "<h2 id=\"clauses\">Clauses</h2>\n<p>";
  for (const auto& [standing, n] : tally) {
    out << "<span class=\"" << cssClass(standing) << "\">" << n << " " << standing << "</span> ";
  }
  out << "</p>\n<table>\n<tr><th>clause</th><th>standing</th><th>what it says</th>"
         "<th>checks</th></tr>\n";
  for (const auto& clause : run.clauses) {
    const std::string standing = standingName(standingOf(run, clause));
    out << "<tr id=\"" << htmlEscape(clause.id) << "\"><td><code>" << htmlEscape(clause.id)
        << "</code></td><td class=\"" << cssClass(standing) << "\">" << standing << "</td><td>"
        << htmlEscape(clause.summary);
    if (!clause.not_black_box.empty()) {
      out << "<br><em>Not black-box: " << htmlEscape(clause.not_black_box) << "</em>";
    }
    out << "</td><td>";
    for (const auto& name : clause.named_by) {
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
  writeClauses(out, run);
  writeChecks(out, run);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace svh::reports
