#pragma once
// Writes results.json, report.html and repro/<check>.sh into a report dir
// (junit.xml is googletest's, logs/ the cluster's).

#include <filesystem>
#include <string>
#include <vector>

#include "reports/run_record.hpp"

namespace svh::reports {

// Returns the problems met (a file that could not be written), each one
// line; empty when everything was written.
std::vector<std::string> writeReports(const RunRecord& run, const std::filesystem::path& dir);

}  // namespace svh::reports
