#include "reports/recorder.hpp"

#include <ctime>
#include <sstream>

#include "reports/check_properties.hpp"

namespace svh::reports {

std::vector<std::string> splitIds(const std::string& ids) {
  std::istringstream in(ids);
  std::vector<std::string> out;
  for (std::string id; in >> id;) out.push_back(id);
  return out;
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

RunRecorder::RunRecorder(RunRecord& record, const std::map<std::string, std::string>& clauses,
                         const std::map<std::string, std::string>& mirrors)
    : record_(record), clauses_(clauses), mirrors_(mirrors) {}

void RunRecorder::OnTestProgramStart(const ::testing::UnitTest&) {
  start_ = std::chrono::steady_clock::now();
  record_.started_at = utcNow();
}

void RunRecorder::OnTestIterationStart(const ::testing::UnitTest&, int iteration) {
  iteration_ = iteration;
}

void RunRecorder::OnTestPartResult(const ::testing::TestPartResult& result) {
  if (result.skipped() && skip_.empty()) skip_ = result.message();
  if (result.failed()) {
    if (!failure_.empty()) failure_ += "\n";
    failure_ += std::string(result.file_name() ? result.file_name() : "?") + ":" +
                std::to_string(result.line_number()) + ": " + result.message();
  }
}

void RunRecorder::OnTestEnd(const ::testing::TestInfo& info) {
  CheckRecord check;
  check.name = std::string(info.test_suite_name()) + "." + info.name();
  check.iteration = iteration_;
  const auto* result = info.result();
  check.verdict = result->Skipped()  ? Verdict::kSkipped
                  : result->Failed() ? Verdict::kFailed
                                     : Verdict::kPassed;
  if (auto it = clauses_.find(check.name); it != clauses_.end()) {
    check.clauses = splitIds(it->second);
  }
  if (auto it = mirrors_.find(check.name); it != mirrors_.end()) {
    check.mirrors = splitIds(it->second);
  }
  check.seconds = static_cast<double>(result->elapsed_time()) / 1000.0;
  check.failure = std::move(failure_);
  check.skip_reason = std::move(skip_);
  // What the check recorded as it ran (check_properties.hpp).
  const std::string outcome = kOutcomePrefix;
  const std::string skipped_part = kSkippedPartPrefix;
  for (int i = 0; i < result->test_property_count(); ++i) {
    const auto& property = result->GetTestProperty(i);
    const std::string key = property.key();
    if (key.rfind(outcome, 0) == 0) {
      check.outcomes[key.substr(outcome.size())] = property.value();
    } else if (key.rfind(skipped_part, 0) == 0) {
      check.skipped_parts[key.substr(skipped_part.size())] = property.value();
    } else if (key == kAssertedKey) {
      check.asserted = splitIds(property.value());
    } else if (key == kNotAssertedKey) {
      check.not_asserted = splitIds(property.value());
    } else if (key == kNotRunKey) {
      check.verdict = Verdict::kNotRun;
      check.skip_reason = property.value();
    }
  }
  record_.checks.push_back(std::move(check));
  failure_.clear();
  skip_.clear();
}

void RunRecorder::OnTestProgramEnd(const ::testing::UnitTest&) {
  record_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

}  // namespace svh::reports
