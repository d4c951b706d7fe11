#include "suites/check.hpp"

#include <cctype>

namespace svh::suites {

std::map<std::string, std::string>& clauseRegistry() {
  static std::map<std::string, std::string> registry;
  return registry;
}

void Check::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string full = std::string(info->test_suite_name()) + "." + info->name();
  auto it = clauseRegistry().find(full);
  if (it != clauseRegistry().end()) RecordProperty("clauses", it->second);
  if (harness::interrupted()) GTEST_SKIP() << "run interrupted";
  if (!harness::clusterStartError().empty()) {
    FAIL() << "cluster did not start: " << harness::clusterStartError();
  }
}

std::string Check::unique(const std::string& prefix) const {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + "-" + info->name();
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

}  // namespace svh::suites
