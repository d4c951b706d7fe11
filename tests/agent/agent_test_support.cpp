#include "tests/agent/agent_test_support.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/cluster/cluster.hpp"
#include "harness/cluster/janitor.hpp"
#include "harness/http/client.hpp"
#include "harness/util/eventually.hpp"

namespace svh::agent::test {

namespace internal = mesos::internal;

fs::path binary(const std::string& name) {
  return fs::path(SVH_BIN_DIR) / name;
}

AgentProcess::AgentProcess(const ScriptedMaster& master, const fs::path& work_dir,
                           std::vector<std::string> extra_args, const std::string& mark,
                           const fs::path& log)
    : work_dir_(work_dir) {
  std::vector<std::string> args = {"--master=" + master.address(),
                                   "--ip=127.0.0.1",
                                   "--port=0",
                                   "--work_dir=" + work_dir.string(),
                                   "--registration_backoff_factor=50ms",
                                   "--status_update_retry_interval=500ms",
                                   "--executor_shutdown_grace_period=1secs",
                                   "--verbose"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<harness::ChildProcess>("svh-agent", binary("svh-agent"), args, log,
                                                     std::vector<std::string>{mark});
  auto ready = process_->awaitLine("svh-agent ready at ", 20s);
  auto upid = ready.substr(0, ready.find(' '));
  auto at = upid.find('@');
  auto colon = upid.rfind(':');
  host_ = upid.substr(at + 1, colon - at - 1);
  port_ = static_cast<std::uint16_t>(std::stoi(upid.substr(colon + 1)));
  process_->awaitLine("svh-agent registered id=", 20s);
}

AgentProcess::~AgentProcess() {
  if (process_) process_->stop(std::chrono::seconds(10));
}

nlohmann::json AgentProcess::get(const std::string& path) const {
  http::Client client(host_, port_);
  auto response = client.get(path);
  auto json = nlohmann::json::parse(response.body(), nullptr, false);
  if (json.is_discarded()) throw std::runtime_error("agent " + path + " is not JSON");
  return json;
}

fs::path AgentProcess::sandboxOf(const std::string& task_id) const {
  auto state = get("/state");
  for (const char* list : {"tasks", "completed_tasks"}) {
    for (const auto& task : state.value(list, nlohmann::json::array())) {
      if (task.value("id", "") == task_id) return task.value("sandbox", "");
    }
  }
  throw std::runtime_error("the agent has no task " + task_id);
}

void AgentTest::SetUp() {
  char pattern[] = "/tmp/svh-agent-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  dir_ = pattern;
  mark_ = "SVH_AGENT_TEST=" + dir_.string();
  master_ = std::make_unique<ScriptedMaster>();
}

void AgentTest::TearDown() {
  if (agent_) stopAgent();
  master_.reset();
  // Nothing may outlive the agent: report leaks, then clean them up.
  bool gone = eventually([&] { return processesMarked().empty(); }, 10s);
  EXPECT_TRUE(gone) << processesMarked().size() << " processes of the test outlived the agent";
  for (pid_t pid : processesMarked()) ::kill(pid, SIGKILL);
  auto mounts = mountsUnderDir();
  EXPECT_TRUE(mounts.empty()) << "a mount outlived the agent: " << mounts.front().string();
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
  // SVH_KEEP_TEST_DIR=1 keeps the agent's logs and work dir to look at.
  if (HasFailure() && std::getenv("SVH_KEEP_TEST_DIR")) {
    std::printf("kept %s\n", dir_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

AgentProcess& AgentTest::startAgent(std::vector<std::string> extra_args,
                                    const std::string& resources) {
  extra_args.push_back("--resources=" + resources);
  auto log = dir_ / ("agent-" + std::to_string(agent_starts_++) + ".log");
  try {
    agent_ = std::make_unique<AgentProcess>(*master_, dir_ / "work", extra_args, mark_, log);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "svh-agent did not start: " << e.what() << "\n" << readFile(log);
    throw;
  }
  return *agent_;
}

void AgentTest::stopAgent() {
  if (!agent_) return;
  agent_->process().stop(std::chrono::seconds(10));
  agent_.reset();
}

void AgentTest::crashAgent() {
  if (!agent_) return;
  agent_->process().kill();
  agent_.reset();
}

mesos::FrameworkInfo AgentTest::framework(const std::string& id, bool partition_aware) {
  mesos::FrameworkInfo info;
  info.set_user("root");
  info.set_name("agent-test");
  info.mutable_id()->set_value(id);
  info.set_principal("ops");
  info.add_roles(kRole);
  info.add_capabilities()->set_type(mesos::FrameworkInfo::Capability::MULTI_ROLE);
  info.add_capabilities()->set_type(mesos::FrameworkInfo::Capability::SHARED_RESOURCES);
  if (partition_aware) {
    info.add_capabilities()->set_type(mesos::FrameworkInfo::Capability::PARTITION_AWARE);
  }
  return info;
}

mesos::Resource AgentTest::volume(const std::string& id, double megabytes, mesos::Volume::Mode mode,
                                  const std::string& container_path) {
  mesos::Resource resource;
  resource.set_name("disk");
  resource.set_type(mesos::Value::SCALAR);
  resource.mutable_scalar()->set_value(megabytes);
  auto* reservation = resource.add_reservations();
  reservation->set_type(mesos::Resource::ReservationInfo::DYNAMIC);
  reservation->set_role(kRole);
  reservation->set_principal("ops");
  resource.mutable_disk()->mutable_persistence()->set_id(id);
  resource.mutable_disk()->mutable_persistence()->set_principal("ops");
  resource.mutable_disk()->mutable_volume()->set_container_path(container_path);
  resource.mutable_disk()->mutable_volume()->set_mode(mode);
  resource.mutable_shared();
  return resource;
}

mesos::TaskInfo AgentTest::commandTask(const std::string& id, const std::string& command,
                                       const std::vector<mesos::Resource>& volumes) const {
  mesos::TaskInfo task;
  task.set_name(id);
  task.mutable_task_id()->set_value(id);
  task.mutable_slave_id()->set_value(master_->agentId());
  task.mutable_command()->set_value(command);
  auto* variable = task.mutable_command()->mutable_environment()->add_variables();
  variable->set_name(mark_.substr(0, mark_.find('=')));
  variable->set_value(mark_.substr(mark_.find('=') + 1));
  auto* cpus = task.add_resources();
  cpus->set_name("cpus");
  cpus->set_type(mesos::Value::SCALAR);
  cpus->mutable_scalar()->set_value(0.1);
  for (auto resource : volumes) {
    resource.mutable_allocation_info()->set_role(kRole);
    *task.add_resources() = resource;
  }
  return task;
}

void AgentTest::checkpoint(const std::vector<mesos::Resource>& volumes) {
  internal::CheckpointResourcesMessage message;
  for (auto resource : volumes) {
    // The checkpoint names volumes as created: RW, no allocation.
    resource.mutable_disk()->mutable_volume()->set_mode(mesos::Volume::RW);
    *message.add_resources() = resource;
  }
  master_->send(message);
}

void AgentTest::run(const mesos::FrameworkInfo& framework, const mesos::TaskInfo& task) {
  internal::RunTaskMessage message;
  *message.mutable_framework() = framework;
  *message.mutable_task() = task;
  message.set_pid("@0.0.0.0:0");
  message.set_launch_executor(true);
  master_->send(message);
}

void AgentTest::kill(const std::string& framework_id, const std::string& task_id,
                     std::optional<std::chrono::milliseconds> grace) {
  internal::KillTaskMessage message;
  message.mutable_framework_id()->set_value(framework_id);
  message.mutable_task_id()->set_value(task_id);
  if (grace) {
    message.mutable_kill_policy()->mutable_grace_period()->set_nanoseconds(
        std::chrono::duration_cast<std::chrono::nanoseconds>(*grace).count());
  }
  master_->send(message);
}

internal::StatusUpdate AgentTest::awaitTerminal(const std::string& task_id) {
  while (true) {
    auto update = master_->awaitUpdate(task_id);
    switch (update.status().state()) {
      case mesos::TASK_STAGING:
      case mesos::TASK_STARTING:
      case mesos::TASK_RUNNING:
      case mesos::TASK_KILLING:
        continue;
      default:
        return update;
    }
  }
}

fs::path AgentTest::volumeDir(const std::string& id) const {
  return dir_ / "work" / "disk" / "volumes" / "roles" / kRole / id;
}

std::vector<pid_t> AgentTest::processesWith(const std::string& wanted) {
  return harness::processesWithEnvironment(wanted);
}

std::vector<fs::path> AgentTest::mountsUnderDir() const {
  return harness::mountsUnder(dir_);
}

bool AgentTest::eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return util::eventually(done, timeout);
}

std::string AgentTest::readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string AgentTest::awaitFile(const fs::path& path, std::chrono::milliseconds timeout) {
  std::string content;
  eventually(
      [&] {
        content = readFile(path);
        return !content.empty();
      },
      timeout);
  return content;
}

}  // namespace svh::agent::test
