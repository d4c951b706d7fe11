#include "harness/cluster/child_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <utility>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include "harness/client/scheduler_client.hpp"

namespace svh::harness {

namespace bp = boost::process;

namespace {

// Runs in the child between fork and exec.
struct ChildSetup : bp::extend::handler {
  pid_t parent;
  template <typename Executor>
  void on_exec_setup(Executor&) const {
    // The harness blocks termination signals in its threads (a signal thread
    // takes them); the fake must get them.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // the harness died before prctl
  }
};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

struct ChildProcess::State {
  bp::child child;
  std::optional<int> exit_code;
};

ChildProcess::ChildProcess(std::string name, const std::filesystem::path& program,
                           std::vector<std::string> args, const std::filesystem::path& log,
                           std::vector<std::string> environment)
    : name_(std::move(name)), program_(program), args_(std::move(args)), log_(log) {
  std::error_code ec;
  std::filesystem::create_directories(log_.parent_path(), ec);
  if (!std::filesystem::exists(program_)) {
    throw HarnessError("cannot start " + name_ + ": " + program_.string() + " does not exist");
  }
  // A restarted fake appends to its log: what it said before a restart is
  // often what explains a failure after it. Readiness lines are looked for
  // only past this start's offset.
  std::unique_ptr<FILE, int (*)(FILE*)> log_file(std::fopen(log_.c_str(), "a"), std::fclose);
  if (!log_file) {
    throw HarnessError("cannot start " + name_ + ": cannot open its log " + log_.string() + ": " +
                       std::strerror(errno));
  }
  std::fseek(log_file.get(), 0, SEEK_END);
  start_offset_ = static_cast<std::size_t>(std::ftell(log_file.get()));
  if (start_offset_ > 0) {
    std::fprintf(log_file.get(), "---- svharness: %s started again ----\n", name_.c_str());
    std::fflush(log_file.get());
  }
  try {
    state_ = std::make_unique<State>();
    bp::environment env = boost::this_process::environment();
    for (const auto& entry : environment) {
      auto equals = entry.find('=');
      env[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
    state_->child = bp::child(program_.string(), bp::args(args_), env,
                              (bp::std_out & bp::std_err) > log_file.get(), bp::std_in < bp::null,
                              ChildSetup{{}, getpid()});
  } catch (const std::exception& e) {
    throw HarnessError("cannot start " + name_ + " (" + program_.string() + "): " + e.what());
  }
}

ChildProcess::~ChildProcess() { stop(); }

pid_t ChildProcess::pid() const { return state_->child.id(); }

bool ChildProcess::running() {
  if (state_->exit_code) return false;
  std::error_code ec;
  bool alive = state_->child.running(ec);
  if (!alive) exitCode();
  return alive;
}

std::optional<int> ChildProcess::exitCode() {
  if (state_->exit_code) return state_->exit_code;
  std::error_code ec;
  if (state_->child.running(ec)) return std::nullopt;
  int native = state_->child.native_exit_code();
  state_->exit_code = WIFSIGNALED(native) ? 128 + WTERMSIG(native) : WEXITSTATUS(native);
  return state_->exit_code;
}

std::string ChildProcess::commandLine() const {
  std::string line = program_.string();
  for (const auto& arg : args_) line += " '" + arg + "'";
  return line;
}

std::string ChildProcess::lastLogLine() const {
  std::string text = readFile(log_).substr(start_offset_);
  std::istringstream lines(text);
  std::string line;
  std::string last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string ChildProcess::awaitLine(const std::string& prefix,
                                    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::istringstream lines(readFile(log_).substr(start_offset_));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    if (!running()) {
      throw HarnessError(name_ + " exited with code " + std::to_string(exitCode().value_or(-1)) +
                         " before it printed '" + prefix + "': " + lastLogLine() +
                         " (log: " + log_.string() + ")");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw HarnessError(name_ + " did not print '" + prefix + "' within " +
                         std::to_string(timeout.count()) + "ms (log: " + log_.string() + ")");
    }
    // Polling interval of the log, not a synchronisation: the loop ends on
    // the line, the exit or the deadline.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!state_ || !running()) return;
  ::kill(pid(), SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::error_code ec;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid(), SIGKILL);
      state_->child.wait(ec);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  exitCode();
}

void ChildProcess::kill() {
  if (!state_ || !running()) return;
  ::kill(pid(), SIGKILL);
  std::error_code ec;
  state_->child.wait(ec);
  exitCode();
}

}  // namespace svh::harness
