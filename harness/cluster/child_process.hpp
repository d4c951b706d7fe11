#pragma once
// One fake (svh-master or svh-agent) run as a child process with
// Boost.Process: its own process group, SIGTERM when the harness dies
// (PR_SET_PDEATHSIG), stdout and stderr in one log file. Readiness is
// observed in that log, never assumed after a sleep.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace svh::harness {

class ChildProcess {
 public:
  // Starts `program` with `args`; throws HarnessError if it cannot start.
  // `environment` entries ("NAME=value") are added to the harness's own.
  ChildProcess(std::string name, const std::filesystem::path& program,
               std::vector<std::string> args, const std::filesystem::path& log,
               std::vector<std::string> environment = {});
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const;
  bool running();
  // Exit code (or 128+signal) once it has ended.
  std::optional<int> exitCode();
  const std::filesystem::path& log() const { return log_; }
  // The command line, for repro scripts and failure messages.
  std::string commandLine() const;

  // Waits until a line starting with `prefix` appears in the log and returns
  // the rest of it. Throws HarnessError if the process exits first (quoting
  // its last log line) or the deadline passes.
  std::string awaitLine(const std::string& prefix, std::chrono::milliseconds timeout);

  // SIGTERM, then SIGKILL after `grace`; waits for the exit. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL now (a crash, for checks that need one).
  void kill();
  // The last non-empty line of the log (why it failed to start).
  std::string lastLogLine() const;

 private:
  struct State;
  std::string name_;
  std::filesystem::path program_;
  std::vector<std::string> args_;
  std::filesystem::path log_;
  std::size_t start_offset_ = 0;  // where this start's output begins in log_
  std::unique_ptr<State> state_;
};

}  // namespace svh::harness
