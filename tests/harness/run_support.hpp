#pragma once
// Running the built binaries as a user would, for tests of their behaviour
// at the edges: exit codes, one-line errors, and what a run leaves behind.

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/util/eventually.hpp"

namespace svh::test {

inline std::filesystem::path binary(const std::string& name) {
  return std::filesystem::path(SVH_BIN_DIR) / name;
}

// A fresh directory under /tmp, removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs to completion (killed at the deadline, which fails the test).
Outcome run(const std::filesystem::path& program, const std::vector<std::string>& args,
            std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A program left running while the test watches its output file.
class Running {
 public:
  Running(const std::filesystem::path& program, const std::vector<std::string>& args,
          const std::filesystem::path& output);
  ~Running();
  // Waits until the output contains `text`; false at the deadline or exit.
  bool awaitOutput(const std::string& text, std::chrono::milliseconds timeout);
  // Waits for the exit; nullopt at the deadline.
  std::optional<int> awaitExit(std::chrono::milliseconds timeout);
  void signal(int sig);
  pid_t pid();

 private:
  std::filesystem::path output_;
  boost::process::child child_;
};

std::string readFile(const std::filesystem::path& path);

// The run dir of an svharness run, read from its agent's log
// ("... work_dir=<run>/agent-0"); empty if not there yet.
std::filesystem::path runDirOf(const std::filesystem::path& report_dir);
// The pid of the run's process running `program` (svh-agent, svh-master); -1
// if none.
pid_t pidOfRun(const std::filesystem::path& run_dir, const std::string& program);
// Fails the test unless, within a deadline, no process of the run is left,
// no mount under its dir, and the dir itself is gone.
void expectNothingLeft(const std::filesystem::path& run_dir);
std::size_t lineCount(const std::string& text);

// Polls `done` until it holds or the deadline passes.
template <typename Done>
bool eventually(Done done, std::chrono::milliseconds timeout) {
  return util::eventually(done, timeout);
}

}  // namespace svh::test
