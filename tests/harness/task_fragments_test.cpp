// The command fragments of tasks that test what they see
// (harness/scenario/common_steps.hpp), run by /bin/sh as a task runs them:
// each passes on what it expects and fails, saying why, on anything else.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "harness/scenario/common_steps.hpp"

namespace svh::harness {
namespace {

class TaskFragments : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/svh-fragments-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::filesystem::create_directories(dir_ / "data");
    std::ofstream(dir_ / "data" / "f") << "kept\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The exit status of `command` run in the temp dir, its stderr in err_.
  int sh(const std::string& command) {
    const auto err = dir_ / "err";
    std::string line = "cd '" + dir_.string() + "' && /bin/sh -c '" + escaped(command) + "' 2> '" +
                       err.string() + "'";
    int status = std::system(line.c_str());
    std::ifstream in(err);
    err_.assign(std::istreambuf_iterator<char>(in), {});
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out;
  }

  std::filesystem::path dir_;
  std::string err_;
};

TEST_F(TaskFragments, AFileHoldsWhatIsExpectedOrTheTaskFails) {
  EXPECT_EQ(sh(expectFileHolds("data/f", "kept") + " && echo after > data/g"), 0) << err_;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "g")) << "the fragment stopped the chain";
  EXPECT_EQ(sh(expectFileHolds("data/f", "it's other")), 1);
  EXPECT_NE(err_.find("expected data/f to hold 'it's other'; it holds:\nkept"), std::string::npos)
      << err_;
  EXPECT_EQ(sh(expectFileHolds("data/missing", "kept")), 1);
}

TEST_F(TaskFragments, AConditionHoldsOrTheTaskFailsSayingWhatWasExpected) {
  EXPECT_EQ(sh(expectInTask("[ -s data/f ]", "data/f")), 0) << err_;
  EXPECT_EQ(sh(expectInTask("[ ! -e data/f ]", "no data/f")), 1);
  EXPECT_NE(err_.find("svh: expected no data/f"), std::string::npos) << err_;
}

TEST_F(TaskFragments, AnAllowedWriteFailsTheTask) {
  EXPECT_EQ(sh(expectWriteRefused("data/new")), 1);
  EXPECT_NE(err_.find("a write to data/new was allowed"), std::string::npos) << err_;
  EXPECT_EQ(sh(expectWriteRefused("no-such-dir/new")), 0) << err_;
}

TEST_F(TaskFragments, AWaitEndsWhenTheConditionHoldsAndFailsAtItsDeadline) {
  EXPECT_EQ(sh("(sleep 0.2; echo later > data/later) & " +
               awaitInTask("[ -s data/later ]", "the later file", 5) + " && wait"),
            0)
      << err_;
  EXPECT_EQ(sh(awaitInTask("[ -e data/never ]", "a file that never comes", 1)), 3);
  EXPECT_NE(err_.find("svh: waited 1s for a file that never comes"), std::string::npos) << err_;
}

}  // namespace
}  // namespace svh::harness
