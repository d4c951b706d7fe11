#pragma once
// report.html: the conformance report for people (release acceptance). One
// self-contained page: the run's verdict and settings, the clause matrix
// (each SPEC clause with its standing and the checks that name it), every
// check with its verdict, and each failure with its message and repro script,
// then the Mesos tests SPEC names with the checks that mirror them.

#include <string>

#include "reports/run_record.hpp"

namespace svh::reports {

std::string htmlReport(const RunRecord& run);

// Escapes text for HTML element content and attribute values.
std::string htmlEscape(const std::string& text);

}  // namespace svh::reports
