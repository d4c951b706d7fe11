#pragma once
// repro/<Area.Name>.sh: for each failed check, a script that runs that
// check alone as the failed run ran it (same master, agents, profile,
// encoding, faults), so a failure can be handed to whoever owns the master.

#include <string>

#include "reports/run_record.hpp"

namespace svh::reports {

// The script's text. Its report goes to the directory given as its first
// argument, or to ./svharness-repro.
std::string reproScript(const RunRecord& run, const CheckRecord& failed);

// Quotes `word` for a POSIX shell.
std::string shellQuote(const std::string& word);

}  // namespace svh::reports
