// svh-master: the bundled reference master. Takes Mesos's flag names; prints
// one line when ready; exits non-zero with a one-line reason when it cannot
// start (2: bad flags, 3: cannot bind).

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "fakes/common/duration.hpp"
#include "fakes/master/master.hpp"
#include "harness/util/log.hpp"

namespace {

int usageError(const std::string& message) {
  std::cerr << "svh-master: " << message << " (see --help)" << std::endl;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using svh::fakes::parseDuration;
  svh::log::setComponent("master");
  svh::master::MasterFlags flags;
  std::string allocation_interval = "1secs";
  std::string offer_timeout;
  std::string heartbeat_interval = "15secs";
  std::string agent_ping_timeout = "15secs";
  std::string agent_reregister_timeout = "10mins";
  std::string credentials;
  std::string acls;
  std::string roles;
  std::string faults;
  bool verbose = false;
  int port = 5050;

  CLI::App app{"svh-master: the svharness reference Mesos master (shared persistent volumes)",
               "svh-master"};
  app.option_defaults()->always_capture_default();
  app.add_option("--ip", flags.ip, "IP address to listen on");
  app.add_option("--port", port, "Port to listen on (0 picks a free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--hostname", flags.hostname, "Hostname to advertise (default: --ip)");
  app.add_option("--allocation_interval", allocation_interval,
                 "Time between allocation cycles (Mesos duration, e.g. 100ms)");
  app.add_option("--offer_timeout", offer_timeout, "Rescind offers not answered within this");
  app.add_option("--min_allocatable_resources", flags.min_allocatable_resources,
                 "Smallest offer, e.g. cpus:0.01|mem:32");
  app.add_option("--roles", roles, "Comma-separated role whitelist (deprecated in Mesos)");
  app.add_option("--heartbeat_interval", heartbeat_interval,
                 "Interval of HEARTBEAT events (Mesos fixes it at 15secs)");
  app.add_option("--agent_ping_timeout", agent_ping_timeout, "Interval of agent pings");
  app.add_option("--max_agent_ping_timeouts", flags.max_agent_ping_timeouts,
                 "Missed pings before an agent is unreachable")
      ->check(CLI::PositiveNumber);
  app.add_option("--agent_reregister_timeout", agent_reregister_timeout,
                 "How long a disconnected agent may take to re-register");
  app.add_option("--max_completed_tasks_per_framework", flags.max_completed_tasks_per_framework,
                 "Completed tasks kept per framework");
  app.add_option("--credentials", credentials,
                 "File of principals and secrets (JSON or 'principal secret' lines)");
  app.add_option("--acls", acls,
                 "ACLs for reserve/unreserve/create/destroy/resize of volumes, as Mesos's "
                 "--acls: JSON text, or a file given as file:///path or /path");
  app.add_flag("--authenticate_http_readwrite", flags.authenticate_http_readwrite,
               "Require HTTP basic authentication on read-write operator endpoints");
  app.add_flag("--authenticate_http_readonly", flags.authenticate_http_readonly,
               "Require HTTP basic authentication on read-only endpoints");
  app.add_flag("--authenticate_http_frameworks", flags.authenticate_http_frameworks,
               "Require HTTP basic authentication on the scheduler API");
  app.add_option("--profile", flags.profile, "SPEC profile: mesos-1.12 or mesos-1.1")
      ->check(CLI::IsMember({"mesos-1.12", "mesos-1.1"}));
  app.add_option("--allocator", flags.allocator, "Allocator: hierarchical");
  app.add_option("--fault", faults, "Seeded faults, comma-separated (for the harness's tests)");
  app.add_flag("--verbose", verbose, "Log every event");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usageError(e.what());
  }
  if (verbose) svh::log::setLevel(svh::log::Level::kInfo);
  flags.port = static_cast<std::uint16_t>(port);

  std::string error;
  auto duration = [&](const std::string& name, const std::string& text, svh::fakes::Duration* out) {
    auto parsed = parseDuration(text, &error);
    if (!parsed) {
      error = "--" + name + ": " + error;
      return false;
    }
    *out = *parsed;
    return true;
  };
  if (!duration("allocation_interval", allocation_interval, &flags.allocation_interval) ||
      !duration("heartbeat_interval", heartbeat_interval, &flags.heartbeat_interval) ||
      !duration("agent_ping_timeout", agent_ping_timeout, &flags.agent_ping_timeout) ||
      !duration("agent_reregister_timeout", agent_reregister_timeout,
                &flags.agent_reregister_timeout)) {
    return usageError(error);
  }
  if (flags.allocation_interval.count() <= 0) {
    return usageError("--allocation_interval must be positive");
  }
  if (!offer_timeout.empty()) {
    svh::fakes::Duration timeout;
    if (!duration("offer_timeout", offer_timeout, &timeout)) return usageError(error);
    flags.offer_timeout = timeout;
  }
  if (!roles.empty()) {
    std::set<std::string> list;
    std::stringstream in(roles);
    std::string role;
    while (std::getline(in, role, ',')) list.insert(role);
    flags.roles = list;
  }
  if (auto parsed = svh::fakes::Faults::parse(faults, svh::fakes::FaultSite::kMaster)) {
    flags.faults = *parsed;
  } else {
    return usageError("--fault: " + parsed.error());
  }
  if (!credentials.empty()) {
    auto read = svh::master::readCredentials(credentials);
    if (!read) return usageError("--credentials: " + read.error());
    flags.credentials = *read;
  }
  if (!acls.empty()) {
    auto read = svh::master::authorization::readAcls(acls);
    if (!read) return usageError("--acls: " + read.error());
    flags.acls = *read;
  }
  if ((flags.authenticate_http_readwrite || flags.authenticate_http_readonly ||
       flags.authenticate_http_frameworks) &&
      credentials.empty()) {
    return usageError(
        "No credentials provided for the default 'basic' HTTP authenticator (use --credentials)");
  }
  if (!svh::master::parseMinAllocatable(flags.min_allocatable_resources, &error)) {
    return usageError(error);
  }
  auto allocator = svh::master::makeAllocator(flags.allocator, &error);
  if (!allocator) return usageError(error);

  svh::http::asio::io_context io;
  std::unique_ptr<svh::master::Master> master;
  try {
    master = std::make_unique<svh::master::Master>(io, flags, std::move(allocator));
  } catch (const boost::system::system_error& e) {
    std::cerr << "svh-master: cannot listen on " << flags.ip << ":" << flags.port << ": "
              << e.code().message() << std::endl;
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "svh-master: " << e.what() << std::endl;
    return 3;
  }
  svh::http::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    master->stop();
    io.stop();
  });
  std::printf("svh-master ready at http://%s:%u id=%s\n", flags.ip.c_str(), master->port(),
              master->id().c_str());
  std::fflush(stdout);
  io.run();
  return 0;
}
