#include "harness/cli/progress_listener.hpp"

#include <algorithm>
#include <cstdio>

namespace svh::cli {

ProgressListener::ProgressListener(const std::map<std::string, std::string>& clauses)
    : clauses_(clauses) {}

void ProgressListener::OnTestPartResult(const ::testing::TestPartResult& result) {
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
  if (result->Skipped()) {
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
  durations_.emplace_back(seconds, name);
  auto clauses = clauses_.find(name);
  std::printf("%s  %s  [%s]  %.1fs\n", verdict, name.c_str(),
              clauses == clauses_.end() ? "" : clauses->second.c_str(), seconds);
  std::fflush(stdout);
}

void ProgressListener::OnTestProgramEnd(const ::testing::UnitTest& unit) {
  int total = passed_ + failed_ + skipped_;
  std::printf("\n%d checks: %d passed, %d failed, %d skipped in %.1f s\n", total, passed_,
              failed_, skipped_, static_cast<double>(unit.elapsed_time()) / 1000.0);
  std::sort(durations_.rbegin(), durations_.rend());
  if (durations_.size() > 1) {
    std::printf("slowest:");
    for (std::size_t i = 0; i < std::min<std::size_t>(3, durations_.size()); ++i) {
      std::printf(" %s (%.1fs)", durations_[i].second.c_str(), durations_[i].first);
    }
    std::printf("\n");
  }
  for (const auto& [name, failure] : failures_) {
    std::printf("\nFAIL %s\n  %s\n", name.c_str(), failure.c_str());
  }
  std::fflush(stdout);
}

}  // namespace svh::cli
