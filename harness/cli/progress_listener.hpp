#pragma once
// What svharness prints while it runs: one line per check as it finishes
// (verdict, name, clause ids, seconds), then "N checks: P passed, F failed,
// S skipped in T s" with the slowest checks, then each failure's message.
// A SKIP line carries its reason, any line the parts of the check skipped
// (with theirs) and the clauses it names but did not assert; with
// --gtest_repeat every round counts.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace svh::cli {

class ProgressListener : public ::testing::EmptyTestEventListener {
 public:
  explicit ProgressListener(const std::map<std::string, std::string>& clauses);

  void OnTestProgramStart(const ::testing::UnitTest& unit) override;
  void OnTestPartResult(const ::testing::TestPartResult& result) override;
  void OnTestEnd(const ::testing::TestInfo& info) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override;

  int failed() const { return failed_; }

 private:
  const std::map<std::string, std::string>& clauses_;
  std::map<std::string, std::string> failures_;  // check -> first failure text
  std::map<std::string, double> durations_;      // check -> its slowest run
  std::chrono::steady_clock::time_point start_;
  int passed_ = 0;
  int failed_ = 0;
  int skipped_ = 0;
  std::string current_failure_;
  std::string current_skip_;
};

}  // namespace svh::cli
