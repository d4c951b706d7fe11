#pragma once
// The report of one svharness run: what the run was (settings, the flags
// that re-run it, the SPEC clauses it is measured against) for the report
// writers in reports/, and what its exit code means.

#include <string>

#include "harness/cli/arguments.hpp"
#include "reports/run_record.hpp"

namespace svh::cli {

// A record with the run's settings, re-run flags and clauses filled in; the
// checks are added by a reports::RunRecorder as they end. A clause list that
// cannot be read leaves the clauses out and says why in `problem`.
reports::RunRecord startRecord(const Arguments& args, std::string* problem);

// One line per exit code (ARCHITECTURE.md).
std::string exitMeaning(int code);

}  // namespace svh::cli
