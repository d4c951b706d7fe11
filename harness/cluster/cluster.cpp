#include "harness/cluster/cluster.hpp"

#include <sys/mount.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/client/scheduler_client.hpp"
#include "harness/cluster/janitor.hpp"
#include "harness/util/eventually.hpp"

namespace svh::harness {

namespace {

// mountinfo escapes spaces and the like as \ooo.
std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<std::filesystem::path> mountsUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::string prefix = dir.string();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    auto path = unescape(mount_point);
    if (path == prefix || path.rfind(prefix + "/", 0) == 0) found.emplace_back(path);
  }
  return found;
}

namespace {

nlohmann::json getAgentJson(const AgentHandle& agent, const std::string& path) {
  auto at = agent.upid.find('@');
  auto colon = agent.upid.rfind(':');
  if (at == std::string::npos || colon == std::string::npos) {
    throw HarnessError("agent has no address: " + agent.upid);
  }
  http::Client client(agent.upid.substr(at + 1, colon - at - 1),
                      static_cast<std::uint16_t>(std::stoi(agent.upid.substr(colon + 1))));
  auto response = client.get(path);
  auto json = nlohmann::json::parse(response.body(), nullptr, false);
  if (response.result() != http::bhttp::status::ok || json.is_discarded()) {
    throw HarnessError("agent " + agent.id + " " + path + " answered " +
                       std::to_string(response.result_int()));
  }
  return json;
}

}  // namespace

nlohmann::json AgentHandle::state() const {
  return getAgentJson(*this, "/state");
}

nlohmann::json AgentHandle::flags() const {
  return getAgentJson(*this, "/flags");
}

std::filesystem::path AgentHandle::sandboxOf(const std::string& task_id) const {
  auto agent_state = state();
  for (const char* list : {"tasks", "completed_tasks"}) {
    for (const auto& task : agent_state.value(list, nlohmann::json::array())) {
      if (task.value("id", "") == task_id) return task.value("sandbox", "");
    }
  }
  throw HarnessError("agent " + id + " has no task " + task_id);
}

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {}

std::unique_ptr<Cluster> Cluster::start(ClusterOptions options) {
  std::unique_ptr<Cluster> cluster(new Cluster(std::move(options)));
  std::string pattern = (std::filesystem::temp_directory_path() / "svharness-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw HarnessError("cannot create a temp dir under /tmp");
  cluster->run_dir_ = pattern;
  janitorWatch(cluster->run_dir_);
  try {
    if (cluster->options_.master_url) {
      cluster->master_url_ = *cluster->options_.master_url;
      // Whoever's master it is, it must answer before anything else is tried.
      http::Client probe(cluster->master_url_.host, cluster->master_url_.port);
      try {
        probe.get("/master/state", std::chrono::seconds(10));
      } catch (const http::HttpError& e) {
        throw HarnessError("master " + cluster->master_url_.str() +
                           " is not reachable: " + e.what());
      }
    } else {
      cluster->startMaster(0);
    }
    if (cluster->options_.external_agents) {
      cluster->adoptExternalAgents();
    } else {
      for (int i = 0; i < cluster->options_.agents; ++i) {
        AgentHandle agent;
        agent.work_dir = cluster->run_dir_ / ("agent-" + std::to_string(i));
        cluster->agents_.push_back(std::move(agent));
        cluster->startAgent(cluster->agents_.back());
      }
    }
  } catch (...) {
    cluster->stop();
    throw;
  }
  return cluster;
}

Cluster::~Cluster() {
  stop();
}

std::vector<std::string> Cluster::runEnvironment() const {
  return {std::string(kRunDirEnv) + "=" + run_dir_.string()};
}

void Cluster::startMaster(std::uint16_t port) {
  std::vector<std::string> args = {"--ip=127.0.0.1", "--port=" + std::to_string(port),
                                   "--allocation_interval=" + options_.allocation_interval,
                                   "--verbose"};
  args.insert(args.end(), options_.master_args.begin(), options_.master_args.end());
  master_ = std::make_unique<ChildProcess>("svh-master", options_.bin_dir / "svh-master", args,
                                           options_.log_dir / "master.log", runEnvironment());
  auto rest = master_->awaitLine("svh-master ready at ", options_.start_timeout);
  auto url = http::Url::parse(rest.substr(0, rest.find(' ')));
  if (!url) throw HarnessError("svh-master printed an unreadable address: " + rest);
  master_url_ = *url;
}

void Cluster::startAgent(AgentHandle& agent) {
  std::size_t index = static_cast<std::size_t>(&agent - agents_.data());
  if (agent.args.empty()) {
    agent.args = {"--master=" + master_url_.host + ":" + std::to_string(master_url_.port),
                  "--ip=127.0.0.1",
                  "--port=0",
                  "--work_dir=" + agent.work_dir.string(),
                  "--resources=" + options_.agent_resources,
                  "--registration_backoff_factor=100ms",
                  "--status_update_retry_interval=2secs",
                  "--executor_shutdown_grace_period=2secs",
                  "--gc_delay=" + options_.gc_delay,
                  "--verbose"};
    agent.args.insert(agent.args.end(), options_.agent_args.begin(), options_.agent_args.end());
  }
  std::string name = "svh-agent-" + std::to_string(index);
  agent.process = std::make_unique<ChildProcess>(
      name, options_.bin_dir / "svh-agent", agent.args,
      options_.log_dir / ("agent-" + std::to_string(index) + ".log"), runEnvironment());
  auto ready = agent.process->awaitLine("svh-agent ready at ", options_.start_timeout);
  agent.upid = ready.substr(0, ready.find(' '));
  agent.id = agent.process->awaitLine("svh-agent registered id=", options_.start_timeout);
}

void Cluster::adoptExternalAgents() {
  http::Client client(master_url_.host, master_url_.port);
  auto response = client.get("/master/state");
  auto state = nlohmann::json::parse(response.body(), nullptr, false);
  if (state.is_discarded()) throw HarnessError("master /master/state did not return JSON");
  for (const auto& slave : state.value("slaves", nlohmann::json::array())) {
    if (!slave.value("active", false)) continue;
    AgentHandle agent;
    agent.id = slave.value("id", "");
    agent.upid = slave.value("pid", "");
    agents_.push_back(std::move(agent));
  }
  if (agents_.empty()) {
    throw HarnessError("--agents external: master " + master_url_.str() + " has no active agents");
  }
}

std::optional<std::string> Cluster::deadProcess(bool thorough) {
  if (stopped_) return std::nullopt;
  auto died = [](ChildProcess& process) -> std::optional<std::string> {
    if (process.running()) return std::nullopt;
    return process.name() + " exited with code " + std::to_string(process.exitCode().value_or(-1)) +
           " (its log: " + process.log().string() + ")";
  };
  if (master_) {
    if (auto death = died(*master_)) return death;
  } else if (auto now = std::chrono::steady_clock::now(); thorough || now >= next_master_look_) {
    next_master_look_ = now + std::chrono::milliseconds(250);
    try {
      http::Client(master_url_.host, master_url_.port).get("/health", std::chrono::seconds(2));
    } catch (const http::HttpError& e) {
      const std::string why = e.what();
      if (why.find("refused") != std::string::npos) {
        return "the master at " + master_url_.str() + " is not there (" + why + ")";
      }
    }
  }
  for (auto& agent : agents_) {
    if (!agent.process) continue;
    if (auto death = died(*agent.process)) return death;
  }
  return std::nullopt;
}

void Cluster::restartAgent(std::size_t index, bool crash) {
  auto& agent = agents_.at(index);
  if (!agent.local()) throw HarnessError("cannot restart external agent " + agent.id);
  if (crash) {
    agent.process->kill();
  } else {
    agent.process->stop();
  }
  agent.process.reset();
  // A killed agent's FUSE mount goes away with it (its mount guard detaches
  // it a moment after the death). One that stays is a leak of the
  // agent's: reported, not cleaned up here, or the run would hide it (the
  // run's teardown still removes it).
  if (!util::eventually([&] { return mountsUnder(agent.work_dir).empty(); },
                        options_.start_timeout)) {
    throw HarnessError("agent " + std::to_string(index) + " left its FUSE mount " +
                       mountsUnder(agent.work_dir).front().string() + " behind after it " +
                       (crash ? "was killed" : "stopped"));
  }
  startAgent(agent);
}

void Cluster::restartMaster(bool crash) {
  if (!master_) throw HarnessError("cannot restart a master this harness did not start");
  if (crash) {
    master_->kill();
  } else {
    master_->stop();
  }
  startMaster(master_url_.port);
}

std::vector<std::string> Cluster::stop() {
  std::vector<std::string> forced;
  if (stopped_) return forced;
  stopped_ = true;
  for (auto& agent : agents_) {
    if (!agent.process) continue;
    agent.process->stop();
    auto code = agent.process->exitCode();
    if (code && *code != 0 && *code != 128 + SIGTERM) {
      forced.push_back(agent.process->name() + " exited with code " + std::to_string(*code) + ": " +
                       agent.process->lastLogLine());
    }
  }
  if (master_) master_->stop();
  if (!run_dir_.empty()) {
    for (const auto& mount : mountsUnder(run_dir_)) {
      forced.push_back("mount left behind: " + mount.string());
      umount2(mount.c_str(), MNT_DETACH);
    }
    std::error_code ec;
    std::filesystem::remove_all(run_dir_, ec);
    if (ec) forced.push_back("cannot remove " + run_dir_.string() + ": " + ec.message());
  }
  return forced;
}

void Cluster::killAll() {
  for (auto& agent : agents_) {
    if (agent.process) agent.process->kill();
  }
  if (master_) master_->kill();
}

}  // namespace svh::harness
