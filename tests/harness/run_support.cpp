#include "run_support.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "harness/cluster/cluster.hpp"
#include "harness/cluster/janitor.hpp"

namespace svh::test {

namespace bp = boost::process;

TempDir::TempDir() {
  std::string pattern = "/tmp/svh-test-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::size_t lineCount(const std::string& text) {
  std::size_t lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ++lines;
  }
  return lines;
}

Outcome run(const std::filesystem::path& program, const std::vector<std::string>& args,
            std::chrono::milliseconds timeout) {
  TempDir dir;
  auto out = dir.path() / "out";
  auto err = dir.path() / "err";
  bp::child child(program.string(), bp::args(args), bp::std_out > out.string(),
                  bp::std_err > err.string(), bp::std_in < bp::null);
  Outcome outcome;
  // Polled: Boost 1.74's wait_for can sleep through its whole timeout when
  // SIGCHLD is not delivered the way it expects (seen under ctest).
  std::error_code ec;
  if (!eventually([&] { return !child.running(ec); }, timeout)) {
    child.terminate(ec);
    outcome.exit_code = -1;
  } else {
    outcome.exit_code = child.exit_code();
  }
  outcome.out = readFile(out);
  outcome.err = readFile(err);
  return outcome;
}

Running::Running(const std::filesystem::path& program, const std::vector<std::string>& args,
                 const std::filesystem::path& output)
    : output_(output),
      child_(program.string(), bp::args(args), (bp::std_out & bp::std_err) > output.string(),
             bp::std_in < bp::null) {}

Running::~Running() {
  std::error_code ec;
  if (child_.running(ec)) {
    child_.terminate(ec);
  }
}

bool Running::awaitOutput(const std::string& text, std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        std::error_code ec;
        return readFile(output_).find(text) != std::string::npos || !child_.running(ec);
      },
      timeout) &&
         readFile(output_).find(text) != std::string::npos;
}

std::optional<int> Running::awaitExit(std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (!eventually([&] { return !child_.running(ec); }, timeout)) return std::nullopt;
  int native = child_.native_exit_code();
  return WIFSIGNALED(native) ? 128 + WTERMSIG(native) : WEXITSTATUS(native);
}

void Running::signal(int sig) { ::kill(child_.id(), sig); }

pid_t Running::pid() { return child_.id(); }

std::filesystem::path runDirOf(const std::filesystem::path& report_dir) {
  std::regex pattern("work_dir=(\\S+)/agent-0");
  std::smatch match;
  std::string log = readFile(report_dir / "logs" / "agent-0.log");
  if (!std::regex_search(log, match, pattern)) return {};
  return match[1].str();
}

pid_t pidOfRun(const std::filesystem::path& run_dir, const std::string& program) {
  for (int pid : harness::processesOfRun(run_dir)) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (!ec && exe.filename() == program) return pid;
  }
  return -1;
}

void expectNothingLeft(const std::filesystem::path& run_dir) {
  using namespace std::chrono_literals;
  ASSERT_FALSE(run_dir.empty());
  EXPECT_TRUE(eventually([&] { return harness::processesOfRun(run_dir).empty(); }, 30s))
      << "processes of " << run_dir << " still running";
  EXPECT_TRUE(eventually([&] { return harness::mountsUnder(run_dir).empty(); }, 30s))
      << "mounts left under " << run_dir;
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(run_dir); }, 30s))
      << run_dir << " was not removed";
}

}  // namespace svh::test
