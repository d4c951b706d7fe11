// Bad input on the Foundation path ends with a one-line error naming the
// problem and a distinct exit code (2 usage, 3 environment), never a hang or
// a crash.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace svh::test {
namespace {

void expectOneLineError(const Outcome& outcome, int code, const std::string& mentions) {
  EXPECT_EQ(outcome.exit_code, code) << "stderr: " << outcome.err;
  EXPECT_EQ(lineCount(outcome.err), 1u) << "stderr: " << outcome.err;
  EXPECT_NE(outcome.err.find(mentions), std::string::npos) << "stderr: " << outcome.err;
}

TEST(BadInput, UnknownFlagIsAUsageError) {
  expectOneLineError(run(binary("svharness"), {"--no-such-flag"}), 2, "--no-such-flag");
  expectOneLineError(run(binary("svh-master"), {"--no_such_flag=1"}), 2, "no_such_flag");
  expectOneLineError(
      run(binary("svh-agent"), {"--master=127.0.0.1:1", "--work_dir=/tmp/x", "--bogus"}), 2,
      "bogus");
}

TEST(BadInput, BadFlagValuesAreUsageErrors) {
  expectOneLineError(run(binary("svharness"), {"--content-type", "xml"}), 2, "content-type");
  expectOneLineError(run(binary("svh-master"), {"--allocation_interval=soon"}), 2,
                     "allocation_interval");
  expectOneLineError(run(binary("svh-master"), {"--min_allocatable_resources=cpus"}), 2,
                     "min_allocatable_resources");
  TempDir dir;
  expectOneLineError(run(binary("svh-agent"), {"--master=127.0.0.1:5050",
                                               "--work_dir=" + dir.path().string(),
                                               "--resources=cpus:lots"}),
                     2, "resources");
  expectOneLineError(run(binary("svh-agent"), {"--master=nowhere",
                                               "--work_dir=" + dir.path().string()}),
                     2, "--master");
  expectOneLineError(run(binary("svh-agent"), {"--master=127.0.0.1:5050"}), 2, "work_dir");
}

// Every value svharness takes is checked before anything starts: one line,
// exit 2, nothing run (an unknown --gtest_* flag would otherwise make
// googletest print its help and exit 0).
TEST(BadInput, EverySvharnessFlagValueIsChecked) {
  TempDir dir;
  auto file = dir.path() / "a-file";
  std::ofstream(file) << "x";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--report-dir", ""}, "--report-dir"},
      {{"--report-dir", file.string()}, "not a directory"},
      {{"--report-dir", (file / "below").string()}, "--report-dir"},
      {{"--allocation-interval", "soon"}, "--allocation-interval"},
      {{"--fault", "no-such-fault"}, "no-such-fault"},
      {{"--gtest_no_such_flag"}, "--gtest_no_such_flag"},
      {{"--gtest_repeat=abc"}, "--gtest_repeat"},
      {{"--gtest_output=xml:elsewhere.xml"}, "--report-dir"},
      {{"--agents", "0"}, "--agents"},
      {{"--agents", "external"}, "--master"},
      {{"--master", "ftp://127.0.0.1:5050"}, "--master"},
      {{"--profile", "mesos-2"}, "--profile"},
  };
  for (const auto& [args, mentions] : cases) {
    SCOPED_TRACE(args.front() + (args.size() > 1 ? " " + args[1] : ""));
    expectOneLineError(run(binary("svharness"), args), 2, mentions);
  }
}

// A master that is not there is an environment error (exit 3), and no check
// gets a verdict: each is skipped with the reason, none is a failure.
// A scenario's evidence is its steps' "asserts": a clause no step asserts,
// a step asserting a clause the scenario does not name, and "asserts" on a
// step that only acts are each refused before anything starts.
TEST(BadInput, AScenarioMustAssertEachClauseItNamesThroughItsSteps) {
  const std::string head = R"({"name": "S", "clauses": ["H-DATA-1"],
    "frameworks": {"fw": {"role": "eng"}}, "volumes": {"v": {"size": 32}},
    "steps": [{"create": {"framework": "fw", "volumes": ["v")";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "]}}]}", "$.clauses: no step asserts clause 'H-DATA-1'"},
      {head + R"(], "asserts": ["H-DATA-2"]}}]})",
       "$.steps[0].create.asserts[0]: clause 'H-DATA-2' is not one of the scenario's $.clauses"},
      {head + R"(], "asserts": ["H-DATA-1"]}},
        {"teardown": {"framework": "fw", "asserts": ["H-DATA-1"]}}]})",
       "$.steps[1].teardown.asserts: a teardown step observes nothing, so it asserts nothing"},
  };
  for (const auto& [text, says] : cases) {
    TempDir dir;
    std::ofstream(dir.path() / "s.json") << text;
    expectOneLineError(run(binary("svharness"), {"--scenarios", dir.path().string(), "--list"}), 2,
                       says);
  }
}

TEST(BadInput, AnUnreachableMasterFailsNoCheck) {
  TempDir dir;
  auto outcome = run(binary("svharness"), {"--master", "http://127.0.0.1:1", "--report-dir",
                                           dir.path().string()});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.err;
  EXPECT_EQ(lineCount(outcome.err), 1u) << outcome.err;
  EXPECT_NE(outcome.err.find("127.0.0.1:1"), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.out.find("FAIL"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("SKIP"), std::string::npos) << outcome.out;
  auto junit = readFile(dir.path() / "junit.xml");
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
}

TEST(BadInput, MasterPortInUseIsAnEnvironmentError) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  expectOneLineError(run(binary("svh-master"), {"--port=" + std::to_string(port)}), 3,
                     "cannot listen");
  close(fd);
}

// A /dev without fuse: an empty tmpfs with only /dev/null, in a private
// mount namespace. The agent must refuse to start and say that FUSE is
// missing.
const char* kNoFuse = "mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && exec ";
TEST(BadInput, AgentWithoutDevFuseRefusesToStart) {
  TempDir dir;
  std::string agent = binary("svh-agent").string();
  auto outcome = run("/usr/bin/unshare",
                     {"--mount", "--propagation", "private", "sh", "-c",
                      kNoFuse + agent +
                          " --master=127.0.0.1:5050 --port=0 --work_dir=" + dir.path().string()});
  expectOneLineError(outcome, 3, "/dev/fuse");
}

TEST(BadInput, SvharnessWithoutFuseIsAnInfrastructureError) {
  TempDir dir;
  std::string svharness = binary("svharness").string();
  auto outcome = run("/usr/bin/unshare",
                     {"--mount", "--propagation", "private", "sh", "-c",
                      kNoFuse + svharness + " --report-dir " +
                          dir.path().string() + " 2>&1"});
  EXPECT_EQ(outcome.exit_code, 3) << outcome.out;
  EXPECT_NE(outcome.out.find("/dev/fuse"), std::string::npos) << outcome.out;
}

}  // namespace
}  // namespace svh::test
