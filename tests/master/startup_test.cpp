// svh-master at start-up: bad flags end it with a one-line error and exit
// code 2 (never a crash); without --ip it listens on 127.0.0.1 only.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/master/e2e_support.hpp"

namespace svh::master::test {
namespace {

// A directory for logs and flag files, removed afterwards.
class Scratch {
 public:
  Scratch() {
    char pattern[] = "/tmp/svh-master-startup-XXXXXX";
    char* made = mkdtemp(pattern);
    if (!made) throw std::runtime_error("cannot create a temporary directory");
    dir_ = made;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

 private:
  std::filesystem::path dir_;
};

struct Ended {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs svh-master with `args` until it exits (15 s at most).
Ended runToExit(const std::vector<std::string>& args) {
  Scratch scratch;
  auto log = scratch.path("master.log");
  harness::ChildProcess master("svh-master", binary("svh-master"), args, log);
  Ended ended;
  if (!eventually([&] { return master.exitCode().has_value(); })) {
    ADD_FAILURE() << "svh-master " << master.commandLine() << " did not exit";
    return ended;
  }
  ended.code = *master.exitCode();
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  ended.output = text.str();
  return ended;
}

void expectUsageError(const std::vector<std::string>& args, const std::string& mentions) {
  auto ended = runToExit(args);
  EXPECT_EQ(2, ended.code) << ended.output;
  EXPECT_EQ(1, std::count(ended.output.begin(), ended.output.end(), '\n')) << ended.output;
  EXPECT_NE(std::string::npos, ended.output.find(mentions)) << ended.output;
}

TEST(Startup, MalformedAclsAreAUsageError) {
  clauses("PV-DESTROY-4");
  expectUsageError({"--port=0", "--acls={\"create_volumes\": ["}, "--acls: not valid JSON");
  expectUsageError({"--port=0", R"(--acls={"run_tasks": []})"},
                   "--acls: 'run_tasks' ACLs are not enforced by svh-master");
  expectUsageError({"--port=0", R"(--acls={"create_volumes": [{"principals": {"type": "ANY"}}]})"},
                   "--acls: create_volumes[0] needs 'roles'");
  expectUsageError({"--port=0", "--acls=file:///no/such/acls.json"},
                   "--acls: cannot read ACLs file '/no/such/acls.json'");
  Scratch scratch;
  auto file = scratch.path("acls.json");
  std::ofstream(file) << R"({"permissive": "maybe"})";
  expectUsageError({"--port=0", "--acls=" + file.string()},
                   "--acls: ACLs file '" + file.string() + "': 'permissive' must be true or false");
}

TEST(Startup, UnknownAllocatorIsAUsageError) {
  expectUsageError({"--port=0", "--allocator=fifo"},
                   "unknown allocator 'fifo' (available: hierarchical)");
}

// The sockets listening on `port` in `table` (/proc/net/tcp or tcp6), as
// "address:port" in the kernel's hex ("0100007F:1F90").
std::vector<std::string> listeners(const std::string& table, int port) {
  std::ifstream in(table);
  std::vector<std::string> found;
  std::string line;
  std::getline(in, line);  // header
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, "%04X", port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.substr(local.find(':') + 1) == wanted) found.push_back(local);
  }
  return found;
}

TEST(Startup, ListensOnLoopbackUnlessToldOtherwise) {
  Scratch scratch;
  harness::ChildProcess master("svh-master", binary("svh-master"), {"--port=0"},
                               scratch.path("master.log"));
  auto rest = master.awaitLine("svh-master ready at ", std::chrono::seconds(30));
  auto url = http::Url::parse(rest.substr(0, rest.find(' ')));
  ASSERT_TRUE(url) << rest;
  EXPECT_EQ("127.0.0.1", url->host);
  // The kernel's view: one listener on the port, bound to 127.0.0.1 (hex,
  // little-endian), not to 0.0.0.0 or an IPv6 address.
  char expected[16];
  std::snprintf(expected, sizeof expected, "0100007F:%04X", url->port);
  EXPECT_EQ(std::vector<std::string>{expected}, listeners("/proc/net/tcp", url->port));
  EXPECT_TRUE(listeners("/proc/net/tcp6", url->port).empty());
  http::Client client(url->host, url->port);
  EXPECT_EQ(200, client.get("/master/health").result_int());
  master.stop();
}

}  // namespace
}  // namespace svh::master::test
