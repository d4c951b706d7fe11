// svh-agent: the FUSE-backed agent. Takes Mesos's flag names; prints one line
// when ready (listening, disk mounted) and one when registered; exits
// non-zero with a one-line reason when it cannot start (2: bad flags,
// 3: environment, e.g. no /dev/fuse).

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "fakes/agent/agent.hpp"
#include "harness/util/log.hpp"

int main(int argc, char** argv) {
  svh::log::setComponent("agent");
  svh::agent::AgentFlags flags;
  std::string registration_backoff = "1secs";
  std::string retry_interval = "10secs";
  std::string grace = "3secs";
  std::string gc_delay = "1weeks";
  std::string work_dir;
  std::string faults;
  bool verbose = false;
  int port = 5051;

  CLI::App app{"svh-agent: the svharness Mesos agent with a FUSE-backed disk", "svh-agent"};
  app.option_defaults()->always_capture_default();
  app.add_option("--master", flags.master, "Master to register with, host:port")->required();
  app.add_option("--work_dir", work_dir, "Directory for the disk, sandboxes and checkpoints")
      ->required();
  app.add_option("--ip", flags.ip, "IP address to listen on");
  app.add_option("--port", port, "Port to listen on (0 picks a free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--hostname", flags.hostname, "Hostname to advertise (default: --ip)");
  app.add_option("--resources", flags.resources,
                 "Resources in Mesos syntax, e.g. cpus:4;mem:4096;disk(eng):2048");
  app.add_option("--disk", flags.disk,
                 "fuse: volumes served through FUSE with RO enforced; plain: no FUSE, RO not "
                 "enforced")
      ->check(CLI::IsMember({"fuse", "plain"}));
  app.add_option("--registration_backoff_factor", registration_backoff,
                 "Initial registration retry delay (Mesos duration)");
  app.add_option("--status_update_retry_interval", retry_interval,
                 "Resend an unacknowledged status update after this long");
  app.add_option("--executor_shutdown_grace_period", grace,
                 "Time between SIGTERM and SIGKILL when a task is killed");
  app.add_option("--gc_delay", gc_delay,
                 "How long the sandbox of an ended task stays before it is removed (Mesos "
                 "duration, e.g. 3days, 2weeks)");
  app.add_option("--fault", faults, "Seeded faults, comma-separated (for the harness's tests)");
  app.add_flag("--verbose", verbose, "Log every event");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "svh-agent: " << e.what() << " (see --help)" << std::endl;
    return 2;
  }
  if (verbose) svh::log::setLevel(svh::log::Level::kInfo);
  flags.port = static_cast<std::uint16_t>(port);
  flags.work_dir = std::filesystem::absolute(work_dir);
  for (auto [name, text, out] :
       {std::tuple{"registration_backoff_factor", &registration_backoff,
                   &flags.registration_backoff_factor},
        std::tuple{"status_update_retry_interval", &retry_interval,
                   &flags.status_update_retry_interval},
        std::tuple{"executor_shutdown_grace_period", &grace,
                   &flags.executor_shutdown_grace_period},
        std::tuple{"gc_delay", &gc_delay, &flags.gc_delay}}) {
    std::string error;
    auto parsed = svh::fakes::parseDuration(*text, &error);
    if (!parsed) {
      std::cerr << "svh-agent: --" << name << ": " << error << std::endl;
      return 2;
    }
    *out = *parsed;
  }
  if (auto parsed = svh::fakes::Faults::parse(faults, svh::fakes::FaultSite::kAgent)) {
    flags.faults = *parsed;
  } else {
    std::cerr << "svh-agent: --fault: " << parsed.error() << std::endl;
    return 2;
  }

  svh::http::asio::io_context io;
  std::unique_ptr<svh::agent::Agent> agent;
  try {
    agent = std::make_unique<svh::agent::Agent>(io, flags);
  } catch (const svh::agent::AgentStartError& e) {
    std::cerr << "svh-agent: " << e.what() << std::endl;
    return e.exit_code;
  } catch (const boost::system::system_error& e) {
    std::cerr << "svh-agent: cannot listen on " << flags.ip << ":" << flags.port << ": "
              << e.code().message() << std::endl;
    return 3;
  }
  svh::http::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    agent->stop();
    io.stop();
  });
  agent->start();
  std::printf("svh-agent ready at %s work_dir=%s\n", agent->self().str().c_str(),
              flags.work_dir.c_str());
  std::fflush(stdout);
  io.run();
  agent->stop();
  return 0;
}
