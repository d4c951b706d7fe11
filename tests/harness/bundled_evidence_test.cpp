// The evidence of the full runs against the bundled cluster (the
// conformance.* project tests, this test's fixture): every check that
// passed asserted each clause it names, or said why it skipped it. A check
// whose marker was forgotten (suites/check.hpp's asserted()) fails here,
// naming the check and the clause, as does any clause reported "holds"
// that no check asserted.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "results_evidence.hpp"

namespace svh::test {
namespace {

// The results.json of run `name` (conformance.<name>), or a failure saying
// where it should have been.
nlohmann::json resultsOf(const std::string& name) {
  const auto file =
      std::filesystem::path(SVH_BIN_DIR) / ("test-conformance-" + name) / "results.json";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!in || json.is_discarded()) {
    ADD_FAILURE() << "no results.json at " << file << " (ctest runs conformance." << name
                  << " first, as this test's fixture)";
    return nlohmann::json::object();
  }
  return json;
}

void expectEvidenceOf(const std::string& name) {
  auto run = resultsOf(name);
  ASSERT_EQ(run.value("format", 0), 2);
  ASSERT_GT(run["counts"].value("passed", 0), 0) << "the run passed no check";
  for (const auto& problem : clausesLeftUnaccounted(run)) ADD_FAILURE() << problem;
  for (const auto& problem : passedAssertingNothing(run)) ADD_FAILURE() << problem;
  for (const auto& problem : vacuousHolds(run)) ADD_FAILURE() << problem;
}

// Every check that passed asserted, or skipped with a reason, each clause it
// names; nothing holds that no check asserted.
TEST(Evidence, OfTheJsonRun) {
  expectEvidenceOf("json");
}
TEST(Evidence, OfTheProtobufRun) {
  expectEvidenceOf("protobuf");
}
TEST(Evidence, OfTheMesos11Run) {
  expectEvidenceOf("mesos-1.1");
}

}  // namespace
}  // namespace svh::test
