#pragma once
// A googletest listener that records each check's verdict, failure
// messages, skip reason, duration and recorded outcomes into a RunRecord
// for the report writers.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "reports/run_record.hpp"

namespace svh::reports {

class RunRecorder : public ::testing::EmptyTestEventListener {
 public:
  // `clauses` and `mirrors` map "Area.Name" to space-separated ids (the
  // suites' registries); `record` outlives the listener's use.
  RunRecorder(RunRecord& record, const std::map<std::string, std::string>& clauses,
              const std::map<std::string, std::string>& mirrors);

  void OnTestProgramStart(const ::testing::UnitTest& unit) override;
  void OnTestIterationStart(const ::testing::UnitTest& unit, int iteration) override;
  void OnTestPartResult(const ::testing::TestPartResult& result) override;
  void OnTestEnd(const ::testing::TestInfo& info) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override;

 private:
  RunRecord& record_;
  const std::map<std::string, std::string>& clauses_;
  const std::map<std::string, std::string>& mirrors_;
  std::chrono::steady_clock::time_point start_;
  int iteration_ = 0;
  std::string failure_;
  std::string skip_;
};

// "a b  c" -> {"a", "b", "c"}.
std::vector<std::string> splitIds(const std::string& ids);
// Now, UTC, ISO 8601 to the second ("2026-12-01T10:14:13Z").
std::string utcNow();

}  // namespace svh::reports
