#include "run_support.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

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

}  // namespace svh::test
