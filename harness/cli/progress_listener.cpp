#include "harness/cli/progress_listener.hpp"

#include <algorithm>
#include <cstdio>

#include "reports/check_properties.hpp"

namespace svh::cli {

ProgressListener::ProgressListener(const std::map<std::string, std::string>& clauses)
    : clauses_(clauses) {}

void ProgressListener::OnTestProgramStart(const ::testing::UnitTest&) {
  start_ = std::chrono::steady_clock::now();
}

void ProgressListener::OnTestPartResult(const ::testing::TestPartResult& result) {
  if (result.skipped() && current_skip_.empty()) current_skip_ = result.message();
  if (result.failed() && current_failure_.empty()) {
    current_failure_ = std::string(result.file_name() ? result.file_name() : "?") + ":" +
                       std::to_string(result.line_number()) + ": " + result.message();
  }
}

void ProgressListener::OnTestEnd(const ::testing::TestInfo& info) {
  std::string name = std::string(info.test_suite_name()) + "." + info.name();
  const auto* result = info.result();
  double seconds = static_cast<double>(result->elapsed_time()) / 1000.0;
  const char* verdict = "PASS";
  bool not_run = false;
  for (int i = 0; i < result->test_property_count(); ++i) {
    not_run |= result->GetTestProperty(i).key() == std::string(reports::kNotRunKey);
  }
  if (not_run) {
    verdict = "NOT RUN";
    ++skipped_;
  } else if (result->Skipped()) {
    verdict = "SKIP";
    ++skipped_;
  } else if (result->Failed()) {
    verdict = "FAIL";
    ++failed_;
    failures_[name] = current_failure_;
  } else {
    ++passed_;
  }
  current_failure_.clear();
  auto& slowest = durations_[name];
  slowest = std::max(slowest, seconds);
  auto clauses = clauses_.find(name);
  std::printf("%s  %s  [%s]  %.1fs", verdict, name.c_str(),
              clauses == clauses_.end() ? "" : clauses->second.c_str(), seconds);
  // A skip always says why (SPEC 0); so does a part of a check skipped,
  // and a clause named but not asserted is shown for what it is.
  if (result->Skipped()) std::printf("  (%s)", current_skip_.c_str());
  const std::string skipped_part = reports::kSkippedPartPrefix;
  for (int i = 0; i < result->test_property_count(); ++i) {
    const auto& property = result->GetTestProperty(i);
    const std::string key = property.key();
    if (key.rfind(skipped_part, 0) == 0) {
      std::printf("  (skipped part of %s: %s)", key.substr(skipped_part.size()).c_str(),
                  property.value());
    } else if (key == reports::kNotAssertedKey && !result->Failed()) {
      std::printf("  (not asserted: %s)", property.value());
    }
  }
  std::printf("\n");
  current_skip_.clear();
  std::fflush(stdout);
}

void ProgressListener::OnTestProgramEnd(const ::testing::UnitTest&) {
  int total = passed_ + failed_ + skipped_;
  // The whole run, every --gtest_repeat round included.
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::printf("\n%d checks: %d passed, %d failed, %d skipped in %.1f s\n", total, passed_, failed_,
              skipped_, elapsed);
  std::vector<std::pair<double, std::string>> slowest;
  for (const auto& [name, seconds] : durations_) slowest.emplace_back(seconds, name);
  std::sort(slowest.rbegin(), slowest.rend());
  if (slowest.size() > 1 && slowest.front().first >= 0.05) {
    std::printf("slowest:");
    for (std::size_t i = 0; i < std::min<std::size_t>(3, slowest.size()); ++i) {
      std::printf(" %s (%.1fs)", slowest[i].second.c_str(), slowest[i].first);
    }
    std::printf("\n");
  }
  for (const auto& [name, failure] : failures_) {
    std::printf("\nFAIL %s\n  %s\n", name.c_str(), failure.c_str());
  }
  std::fflush(stdout);
}

}  // namespace svh::cli
