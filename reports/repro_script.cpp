#include "reports/repro_script.hpp"

#include <sstream>

namespace svh::reports {

std::string shellQuote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string reproScript(const RunRecord& run, const CheckRecord& failed) {
  std::ostringstream out;
  out << "#!/bin/sh\n"
      << "# Runs " << failed.name << " alone, as the run of " << run.started_at << " ran it.\n"
      << "# Its clauses: " << (failed.clauses.empty() ? "none" : "");
  for (std::size_t i = 0; i < failed.clauses.size(); ++i) {
    out << (i ? " " : "") << failed.clauses[i];
  }
  out << "\n# It failed with:\n";
  std::istringstream failure(failed.failure);
  for (std::string line; std::getline(failure, line);) out << "#   " << line << "\n";
  out << "set -eu\n"
      << "report_dir=${1:-svharness-repro}\n"
      << "echo \"report: $report_dir\" >&2\n"
      << "exec";
  for (const auto& word : run.rerun_command) out << " " << shellQuote(word);
  out << " --report-dir \"$report_dir\" " << shellQuote("--gtest_filter=" + failed.name) << "\n";
  return out.str();
}

}  // namespace svh::reports
