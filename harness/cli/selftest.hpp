#pragma once
// svharness --selftest: proof that the suite fails when the master or agent
// is wrong. It runs the whole suite against the faultless bundled cluster
// (once per run configuration the faults need) and once against each seeded
// fault (fakes/common/seeded_faults.hpp), several runs at a time, each as a
// child svharness with its own report dir. A fault is detected when its run
// fails a check (exit 1; a fault run stops at its first failing check,
// --gtest_fail_fast); missed when the run passes; an error when the run
// could not give a verdict (exit 2 or 3). It prints a table (fault, clause,
// verdict, the checks that failed, seconds), writes it as selftest.json,
// and exits 0 only when every faultless run passed and every fault was
// detected.

#include <string>
#include <vector>

#include "harness/cli/arguments.hpp"
#include "harness/cli/selftest_plan.hpp"

namespace svh::cli {

// Runs the self-test described by `args` (the faults to plant: all unless
// --fault names some; --selftest-jobs runs at a time; --gtest_* flags go
// to every run). Returns svharness's exit code.
int runSelftest(const Arguments& args, const std::string& svharness);

}  // namespace svh::cli
