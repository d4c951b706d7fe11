#include "fakes/master/master.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "fakes/common/resource_format.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master {

using mesos::v1::FrameworkInfo;
using mesos::v1::TaskState;
using mesos::v1::TaskStatus;
namespace scheduler = mesos::v1::scheduler;

Master::Master(asio::io_context& io, MasterFlags flags, std::unique_ptr<Allocator> allocator)
    : io_(io),
      flags_(std::move(flags)),
      allocator_(std::move(allocator)),
      id_(wire::randomUuidString()),
      start_time_(now()),
      process_(io, flags_.ip, flags_.port, "master"),
      allocation_timer_(io),
      ping_timer_(io) {
  auto profile = Profile::named(flags_.profile);
  if (!profile) throw std::invalid_argument("unknown profile '" + flags_.profile + "'");
  profile_ = *profile;
  if (flags_.acls) authorizer_.emplace(*flags_.acls);
  std::string error;
  auto minimum = parseMinAllocatable(flags_.min_allocatable_resources, &error);
  if (!minimum) throw std::invalid_argument(error);
  min_allocatable_ = *minimum;
  if (flags_.hostname.empty()) flags_.hostname = flags_.ip;
  process_.onHttp([this](std::shared_ptr<http::Exchange> exchange) { handleHttp(exchange); });
  process_.onExited([this](const std::string& address) { agentExited(address); });
  installAgentHandlers();
  scheduleAllocation();
  pingAgents();
}

Master::~Master() {
  stop();
}

void Master::stop() {
  if (stopped_) return;
  stopped_ = true;
  allocation_timer_.cancel();
  ping_timer_.cancel();
  for (auto& [key, timer] : timers_) timer->cancel();
  for (auto& [id, framework] : frameworks_) {
    if (framework.stream) framework.stream->close();
  }
  process_.stop();
}

double Master::now() const {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

FrameworkRecord* Master::findFramework(const std::string& id) {
  auto it = frameworks_.find(id);
  return it == frameworks_.end() ? nullptr : &it->second;
}

AgentRecord* Master::findAgent(const std::string& id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

void Master::handleHttp(std::shared_ptr<http::Exchange> exchange) {
  std::string_view target = exchange->request().target();
  std::string path(target.substr(0, target.find('?')));
  if (path == "/api/v1/scheduler" || path == "/master/api/v1/scheduler") {
    return schedulerApi(exchange);
  }
  if (path == "/api/v1" || path == "/master/api/v1") return operatorApi(exchange);
  for (const char* name : {"reserve", "unreserve", "create-volumes", "destroy-volumes"}) {
    if (path == std::string("/master/") + name || path == std::string("/") + name) {
      return formEndpoint(exchange, name);
    }
  }
  auto json = [&](std::string body) {
    bool refused = false;
    authenticate(exchange, kReadOnlyRealm, flags_.authenticate_http_readonly, &refused);
    if (refused) return;
    exchange->respond(
        http::makeResponse(http::bhttp::status::ok, std::move(body), "application/json"));
  };
  if (path == "/master/state" || path == "/state" || path == "/master/state.json" ||
      path == "/state.json") {
    return json(stateJson());
  }
  if (path == "/master/slaves" || path == "/slaves") return json(slavesJson());
  if (path == "/metrics/snapshot") return json(metricsJson());
  if (path == "/master/flags" || path == "/flags") return json(flagsJson());
  if (path == "/master/health" || path == "/health") {
    return exchange->respond(http::makeResponse(http::bhttp::status::ok));
  }
  exchange->respond(http::makeResponse(http::bhttp::status::not_found));
}

std::string Master::frameworkMetric(const FrameworkRecord& framework, const std::string& suffix) {
  std::string name;
  for (unsigned char c : framework.info.name()) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      name.push_back(static_cast<char>(c));
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      name += escaped;
    }
  }
  return "master/frameworks/" + name + "/" + framework.id + "/" + suffix;
}

// ---------------------------------------------------------------- allocation

ClusterView Master::view() const {
  return ClusterView{agents_, frameworks_, offers_, min_allocatable_, Clock::now(),
                     quotas_, profile_,     flags_.faults};
}

void Master::scheduleAllocation() {
  allocation_timer_.expires_after(flags_.allocation_interval);
  allocation_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    allocate();
    scheduleAllocation();
  });
}

// An extra allocation run as soon as the current event is handled (a new
// framework or agent, REVIVE), coalesced when several ask at once.
void Master::allocateSoon() {
  if (allocation_pending_) return;
  allocation_pending_ = true;
  asio::post(io_, [this] {
    allocation_pending_ = false;
    if (!stopped_) allocate();
  });
}

void Master::allocate() {
  auto now = Clock::now();
  for (auto& [id, framework] : frameworks_) {
    auto& filters = framework.filters;
    filters.erase(std::remove_if(filters.begin(), filters.end(),
                                 [&](const RefusalFilter& f) { return f.expires <= now; }),
                  filters.end());
  }
  count("allocator/mesos/allocation_runs");
  makeOffers(allocator_->allocate(view()));
}

void Master::makeOffers(const std::vector<Allocation>& allocations) {
  // One OFFERS event per framework per cycle, as Mesos sends them.
  std::map<std::string, scheduler::Event> events;
  for (const auto& allocation : allocations) {
    FrameworkRecord* framework = findFramework(allocation.framework_id);
    AgentRecord* agent = findAgent(allocation.agent_id);
    if (!framework || !agent || allocation.resources.empty()) continue;
    OfferRecord offer;
    offer.id = newOfferId();
    offer.framework_id = framework->id;
    offer.agent_id = agent->id;
    offer.role = allocation.role;
    offer.resources = allocation.resources.allocate(allocation.role);
    offer.created = Clock::now();

    mesos::v1::Offer proto;
    proto.mutable_id()->set_value(offer.id);
    proto.mutable_framework_id()->set_value(framework->id);
    proto.mutable_agent_id()->set_value(agent->id);
    proto.set_hostname(agent->info.hostname());
    auto* url = proto.mutable_url();
    url->set_scheme("http");
    url->mutable_address()->set_hostname(agent->info.hostname());
    url->mutable_address()->set_ip(agent->pid.host);
    url->mutable_address()->set_port(agent->pid.port);
    url->set_path("/" + agent->pid.id);
    bool multi_role = framework->hasCapability(FrameworkInfo::Capability::MULTI_ROLE);
    bool refinement = framework->hasCapability(FrameworkInfo::Capability::RESERVATION_REFINEMENT);
    for (auto resource : offer.resources.toVector()) {
      if (resource.name() == "ephemeral_ports") continue;
      if (!multi_role) resource.clear_allocation_info();
      bool downgrade = !refinement && !flags_.faults.has(fakes::Fault::kPreRefinementOffersNotDowngraded);
      if (downgrade) fakes::downgradeResource(&resource);
      *proto.add_resources() = resource;
    }
    *proto.mutable_attributes() = agent->info.attributes();
    // The framework's executors running on this agent.
    auto executors = agent->executors.find(framework->id);
    if (executors != agent->executors.end()) {
      for (const auto& [executor_id, executor] : executors->second) {
        proto.add_executor_ids()->set_value(executor_id);
      }
    }
    if (agent->info.has_domain()) *proto.mutable_domain() = agent->info.domain();
    if (multi_role) proto.mutable_allocation_info()->set_role(allocation.role);

    auto& event = events[framework->id];
    event.set_type(scheduler::Event::OFFERS);
    *event.mutable_offers()->add_offers() = proto;

    framework->offers.insert(offer.id);
    agent->offers.insert(offer.id);
    log::info("offer ", offer.id, " to framework ", framework->id, " role ", offer.role, ": ",
              offer.resources.str());
    std::string offer_id = offer.id;
    offers_.emplace(offer_id, std::move(offer));
    count(frameworkMetric(*framework, "offers/sent"));

    if (flags_.offer_timeout) {
      auto timer = std::make_unique<asio::steady_timer>(io_, *flags_.offer_timeout);
      timer->async_wait([this, offer_id](const boost::system::error_code& ec) {
        if (ec || stopped_ || !offers_.count(offer_id)) return;
        log::info("offer ", offer_id, " timed out");
        rescindOffer(offer_id);
      });
      timers_["offer:" + offer_id] = std::move(timer);
    }
  }
  for (auto& [framework_id, event] : events) sendEvent(frameworks_.at(framework_id), event);
}

void Master::removeOffer(const std::string& offer_id) {
  auto it = offers_.find(offer_id);
  if (it == offers_.end()) return;
  if (auto* framework = findFramework(it->second.framework_id)) framework->offers.erase(offer_id);
  if (auto* agent = findAgent(it->second.agent_id)) agent->offers.erase(offer_id);
  timers_.erase("offer:" + offer_id);
  offers_.erase(it);
}

void Master::rescindOffer(const std::string& offer_id) {
  auto it = offers_.find(offer_id);
  if (it == offers_.end()) return;
  if (auto* framework = findFramework(it->second.framework_id)) {
    scheduler::Event event;
    event.set_type(scheduler::Event::RESCIND);
    event.mutable_rescind()->mutable_offer_id()->set_value(offer_id);
    sendEvent(*framework, event);
    count(frameworkMetric(*framework, "offers/rescinded"));
  }
  removeOffer(offer_id);
}

void Master::addFilter(FrameworkRecord& framework, const std::string& role,
                       const std::string& agent_id, const Resources& resources,
                       double refuse_seconds) {
  // Mesos: a negative or unusable timeout means the default 5 s; more than
  // a year is a year; zero means no filter; a filter lasts at least one
  // allocation interval (MESOS-4302).
  constexpr double kYear = 365.0 * 24 * 3600;
  if (!(refuse_seconds >= 0) || !std::isfinite(refuse_seconds)) refuse_seconds = 5.0;
  if (refuse_seconds > kYear) refuse_seconds = kYear;
  if (refuse_seconds == 0 || resources.empty()) return;
  auto duration =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(refuse_seconds));
  duration =
      std::max(duration, std::chrono::duration_cast<Clock::duration>(flags_.allocation_interval));
  framework.filters.push_back({role, agent_id, resources.unallocate(), Clock::now() + duration});
}

// --------------------------------------------------------------------- tasks

std::vector<ResourceUse> Master::resourceUses(const AgentRecord& agent) const {
  std::vector<ResourceUse> uses;
  for (const auto& [framework_id, tasks] : agent.tasks) {
    for (const auto& [task_id, task] : tasks) {
      uses.push_back({framework_id, task.task.state(), task.resources});
    }
  }
  for (const auto& [framework_id, executors] : agent.executors) {
    for (const auto& [executor_id, executor] : executors) {
      uses.push_back({framework_id, std::nullopt, executor.resources});
    }
  }
  return uses;
}

std::map<std::string, Resources> Master::usedResourcesByFramework(const AgentRecord& agent) const {
  return usedByFramework(resourceUses(agent));
}

Resources Master::usedResources(const AgentRecord& agent) const {
  Resources used;
  for (const auto& [framework_id, resources] : usedResourcesByFramework(agent)) used += resources;
  return used;
}

Resources Master::offeredResources(const AgentRecord& agent) const {
  Resources offered;
  for (const auto& offer_id : agent.offers) {
    auto it = offers_.find(offer_id);
    if (it != offers_.end()) offered += it->second.resources;
  }
  return offered;
}

std::map<std::string, mesos::v1::ExecutorInfo> Master::knownExecutors(
    const AgentRecord& agent, const std::string& framework_id) const {
  std::map<std::string, mesos::v1::ExecutorInfo> known;
  auto it = agent.executors.find(framework_id);
  if (it == agent.executors.end()) return known;
  for (const auto& [executor_id, executor] : it->second) known[executor_id] = executor.info;
  return known;
}

TaskRecord& Master::addTask(FrameworkRecord& framework, AgentRecord& agent,
                            const mesos::v1::TaskInfo& info, const std::string& role) {
  TaskRecord record;
  auto& task = record.task;
  task.set_name(info.name());
  *task.mutable_task_id() = info.task_id();
  task.mutable_framework_id()->set_value(framework.id);
  if (info.has_executor()) *task.mutable_executor_id() = info.executor().executor_id();
  task.mutable_agent_id()->set_value(agent.id);
  task.set_state(mesos::v1::TASK_STAGING);
  *task.mutable_resources() = info.resources();
  if (info.has_labels()) *task.mutable_labels() = info.labels();
  if (info.has_discovery()) *task.mutable_discovery() = info.discovery();
  if (info.has_container()) *task.mutable_container() = info.container();
  if (info.has_health_check()) *task.mutable_health_check() = info.health_check();
  if (info.has_kill_policy()) *task.mutable_kill_policy() = info.kill_policy();
  if (info.has_command() && info.command().has_user()) {
    task.set_user(info.command().user());
  } else if (framework.info.has_user()) {
    task.set_user(framework.info.user());
  }
  record.resources = Resources(info.resources());
  record.role = role;
  auto& slot = agent.tasks[framework.id][info.task_id().value()];
  slot = std::move(record);
  return slot;
}

TaskRecord* Master::findTask(const std::string& framework_id, const std::string& task_id,
                             AgentRecord** agent_out) {
  for (auto& [agent_id, agent] : agents_) {
    auto fw = agent.tasks.find(framework_id);
    if (fw == agent.tasks.end()) continue;
    auto task = fw->second.find(task_id);
    if (task == fw->second.end()) continue;
    if (agent_out) *agent_out = &agent;
    return &task->second;
  }
  return nullptr;
}

void Master::removeTask(AgentRecord& agent, const std::string& framework_id,
                        const std::string& task_id) {
  auto fw = agent.tasks.find(framework_id);
  if (fw == agent.tasks.end()) return;
  fw->second.erase(task_id);
  if (fw->second.empty()) agent.tasks.erase(fw);
}

void Master::completeTask(FrameworkRecord* framework, const mesos::v1::Task& task) {
  if (!framework) return;
  framework->completed_tasks.push_back(task);
  if (framework->completed_tasks.size() > flags_.max_completed_tasks_per_framework) {
    framework->completed_tasks.erase(framework->completed_tasks.begin());
  }
}

void Master::addExecutor(FrameworkRecord& framework, AgentRecord& agent,
                         const mesos::v1::ExecutorInfo& executor, const std::string& role) {
  ExecutorRecord record;
  record.info = executor;
  if (!record.info.has_framework_id()) record.info.mutable_framework_id()->set_value(framework.id);
  record.resources = Resources(executor.resources());
  record.role = role;
  agent.executors[framework.id][executor.executor_id().value()] = std::move(record);
}

void Master::removeExecutor(AgentRecord& agent, const std::string& framework_id,
                            const std::string& executor_id) {
  auto fw = agent.executors.find(framework_id);
  if (fw == agent.executors.end()) return;
  fw->second.erase(executor_id);
  if (fw->second.empty()) agent.executors.erase(fw);
}

TaskStatus Master::masterStatus(const std::string& task_id, const std::string& agent_id,
                                TaskState state, TaskStatus::Reason reason,
                                const std::string& message) const {
  TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  status.set_source(TaskStatus::SOURCE_MASTER);
  status.set_reason(reason);
  if (!message.empty()) status.set_message(message);
  if (!agent_id.empty()) status.mutable_agent_id()->set_value(agent_id);
  status.set_timestamp(now());
  return status;
}

void Master::sendMasterUpdate(FrameworkRecord& framework, const TaskStatus& status) {
  scheduler::Event event;
  event.set_type(scheduler::Event::UPDATE);
  *event.mutable_update()->mutable_status() = status;
  sendEvent(framework, event);
}

}  // namespace svh::master
