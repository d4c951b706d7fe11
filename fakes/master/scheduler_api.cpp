// The v1 scheduler API: the HTTP-level checks in Mesos's order (PROTOCOL.md
// 1.2), SUBSCRIBE with its RecordIO event stream, and the other calls.

#include <arpa/inet.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "fakes/master/core/validation.hpp"
#include "fakes/master/master.hpp"
#include "harness/http/media_type.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/recordio.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master {

using http::bhttp::status;
using mesos::v1::FrameworkInfo;
using mesos::v1::TaskStatus;
namespace scheduler = mesos::v1::scheduler;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProtobuf = "application/x-protobuf";

std::optional<std::string_view> header(const http::Request& request, std::string_view name) {
  auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return it->value();
}

}  // namespace

void Master::schedulerApi(std::shared_ptr<http::Exchange> exchange) {
  const auto& request = exchange->request();
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  if (request.method() != http::bhttp::verb::post) {
    auto response = http::makeResponse(
        status::method_not_allowed,
        "Expecting one of { 'POST' }, but received '" + std::string(request.method_string()) + "'");
    response.set(http::bhttp::field::allow, "POST");
    return exchange->respond(std::move(response));
  }
  auto content_type = header(request, "Content-Type");
  if (!content_type) return reply(status::bad_request, "Expecting 'Content-Type' to be present");

  scheduler::Call call;
  if (*content_type == kProtobuf) {
    if (!call.ParseFromString(request.body())) {
      return reply(status::bad_request, "Failed to parse body into Call protobuf");
    }
  } else if (*content_type == kJson) {
    if (!nlohmann::json::accept(request.body())) {
      return reply(status::bad_request, "Failed to parse body into JSON: syntax error");
    }
    if (auto error = wire::parseJson(request.body(), &call)) {
      return reply(status::bad_request, "Failed to convert JSON into Call protobuf: " + *error);
    }
  } else {
    return reply(status::unsupported_media_type,
                 "Expecting 'Content-Type' of application/json or application/x-protobuf");
  }

  if (auto error = validation::validateSchedulerCall(call)) {
    return reply(status::bad_request, "Failed to validate scheduler::Call: " + *error);
  }

  if (call.type() == scheduler::Call::SUBSCRIBE ||
      call.type() == scheduler::Call::RECONCILE_OPERATIONS) {
    auto accept = header(request, "Accept");
    bool json = http::acceptsMediaType(accept, kJson);
    bool protobuf = !json && http::acceptsMediaType(accept, kProtobuf);
    if (!json && !protobuf) {
      return reply(status::not_acceptable,
                   "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    }
    if (call.type() == scheduler::Call::SUBSCRIBE) {
      if (header(request, "Mesos-Stream-Id")) {
        return reply(status::bad_request,
                     "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      }
      return subscribe(exchange, std::move(call), protobuf);
    }
  }

  FrameworkRecord* framework = findFramework(call.framework_id().value());
  if (!framework) return reply(status::bad_request, "Framework cannot be found");
  if (!framework->connected) return reply(status::forbidden, "Framework is not subscribed");
  auto stream_id = header(request, "Mesos-Stream-Id");
  if (!stream_id) {
    return reply(status::bad_request,
                 "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  }
  if (*stream_id != framework->stream_id) {
    return reply(status::bad_request,
                 "The stream ID '" + std::string(*stream_id) +
                     "' included in this request didn't match the stream ID currently "
                     "associated with framework ID " +
                     framework->id);
  }

  switch (call.type()) {
    case scheduler::Call::TEARDOWN:
      reply(status::accepted);
      return teardown(*framework);
    case scheduler::Call::ACCEPT:
      reply(status::accepted);
      return accept(*framework, std::move(*call.mutable_accept()));
    case scheduler::Call::DECLINE:
      reply(status::accepted);
      return decline(*framework, call.decline());
    case scheduler::Call::REVIVE:
      reply(status::accepted);
      return revive(*framework, call.revive());
    case scheduler::Call::SUPPRESS:
      reply(status::accepted);
      return suppress(*framework, call.suppress());
    case scheduler::Call::KILL:
      reply(status::accepted);
      return kill(*framework, call.kill());
    case scheduler::Call::ACKNOWLEDGE:
      reply(status::accepted);
      return acknowledge(*framework, call.acknowledge());
    case scheduler::Call::RECONCILE:
      reply(status::accepted);
      return reconcile(*framework, call.reconcile());
    case scheduler::Call::SHUTDOWN:
    case scheduler::Call::MESSAGE:
    case scheduler::Call::REQUEST:
    case scheduler::Call::ACCEPT_INVERSE_OFFERS:
    case scheduler::Call::DECLINE_INVERSE_OFFERS:
    case scheduler::Call::ACKNOWLEDGE_OPERATION_STATUS:
    case scheduler::Call::RECONCILE_OPERATIONS:
      return reply(status::accepted);
    case scheduler::Call::UPDATE_FRAMEWORK:
      return reply(status::ok);
    default:
      return reply(status::not_implemented, "Received an unexpected call type");
  }
}

void Master::subscribe(std::shared_ptr<http::Exchange> exchange, scheduler::Call call,
                       bool protobuf) {
  FrameworkInfo info = call.subscribe().framework_info();
  std::string stream_id = wire::randomUuidString();
  auto response = http::makeResponse(status::ok, {}, std::string(protobuf ? kProtobuf : kJson));
  response.set("Mesos-Stream-Id", stream_id);
  response.body().clear();
  response.erase(http::bhttp::field::content_length);
  auto stream = exchange->stream(std::move(response));

  auto refuse = [&](const std::string& message) {
    log::info("refusing subscription of framework '", info.name(), "': ", message);
    scheduler::Event event;
    event.set_type(scheduler::Event::ERROR);
    event.mutable_error()->set_message(message);
    auto bytes = protobuf ? event.SerializeAsString() : wire::toJsonString(event);
    stream->write(wire::encodeRecord(bytes));
    stream->close();
  };
  if (auto error = validation::validateFrameworkInfo(info)) return refuse(*error);
  std::set<std::string> roles;
  if (info.capabilities_size() > 0 &&
      std::any_of(info.capabilities().begin(), info.capabilities().end(), [](const auto& c) {
        return c.type() == FrameworkInfo::Capability::MULTI_ROLE;
      })) {
    roles.insert(info.roles().begin(), info.roles().end());
  } else {
    roles.insert(info.has_role() ? info.role() : "*");
  }
  if (flags_.roles) {
    for (const auto& role : roles) {
      if (!flags_.roles->count(role)) {
        return refuse("Role '" + role + "' is not present in the master's --roles");
      }
    }
  }

  FrameworkRecord* framework = nullptr;
  if (info.has_id() && !info.id().value().empty()) {
    if (completed_frameworks_.count(info.id().value())) {
      return refuse("Framework has been removed");
    }
    framework = findFramework(info.id().value());
    if (framework) {
      // Failover: the previous subscription ends.
      if (framework->stream && !framework->stream->closed()) {
        sendError(*framework, "Framework failed over");
      }
      framework->reregistered_time = now();
    }
  }
  if (!framework) {
    std::string id = info.has_id() && !info.id().value().empty() ? info.id().value() : [&] {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%04d", next_framework_++);
      return id_ + "-" + suffix;
    }();
    info.mutable_id()->set_value(id);
    framework = &frameworks_[id];
    framework->id = id;
    framework->registered_time = now();
  }
  framework->info = info;
  framework->roles = roles;
  framework->connected = true;
  framework->active = true;
  framework->stream = stream;
  framework->stream_id = stream_id;
  framework->protobuf_stream = protobuf;
  framework->disconnected_at.reset();
  framework->suppressed_roles = {call.subscribe().suppressed_roles().begin(),
                                 call.subscribe().suppressed_roles().end()};
  timers_.erase("failover:" + framework->id);
  log::info("framework ", framework->id, " '", info.name(), "' subscribed");

  std::string id = framework->id;
  stream->onClose([this, id, stream_id] { disconnectFramework(id, stream_id); });

  scheduler::Event subscribed;
  subscribed.set_type(scheduler::Event::SUBSCRIBED);
  auto* body = subscribed.mutable_subscribed();
  body->mutable_framework_id()->set_value(id);
  body->set_heartbeat_interval_seconds(fakes::toSeconds(flags_.heartbeat_interval));
  auto* master_info = body->mutable_master_info();
  master_info->set_id(id_);
  master_info->set_ip(inet_addr(flags_.ip.c_str()));
  master_info->set_port(process_.port());
  master_info->set_pid(process_.self().str());
  master_info->set_hostname(flags_.hostname);
  master_info->set_version("1.12.0");
  master_info->mutable_address()->set_hostname(flags_.hostname);
  master_info->mutable_address()->set_ip(flags_.ip);
  master_info->mutable_address()->set_port(process_.port());
  for (auto type : {mesos::v1::MasterInfo::Capability::AGENT_UPDATE,
                    mesos::v1::MasterInfo::Capability::AGENT_DRAINING,
                    mesos::v1::MasterInfo::Capability::QUOTA_V2}) {
    master_info->add_capabilities()->set_type(type);
  }
  sendEvent(*framework, subscribed);
  // Mesos 1.12 sends the first HEARTBEAT right after SUBSCRIBED (recorded).
  heartbeat(id, stream_id);
  // A new framework is offered resources without waiting for the next cycle.
  asio::post(io_, [this] {
    if (!stopped_) allocate();
  });
}

void Master::heartbeat(const std::string& framework_id, const std::string& stream_id) {
  FrameworkRecord* framework = findFramework(framework_id);
  if (!framework || framework->stream_id != stream_id || !framework->connected) return;
  scheduler::Event event;
  event.set_type(scheduler::Event::HEARTBEAT);
  sendEvent(*framework, event);
  auto timer = std::make_unique<asio::steady_timer>(io_, flags_.heartbeat_interval);
  timer->async_wait([this, framework_id, stream_id](const boost::system::error_code& ec) {
    if (!ec && !stopped_) heartbeat(framework_id, stream_id);
  });
  timers_["hb:" + framework_id] = std::move(timer);
}

void Master::sendEvent(FrameworkRecord& framework, const scheduler::Event& event) {
  if (!framework.stream || framework.stream->closed()) return;
  auto bytes = framework.protobuf_stream ? event.SerializeAsString() : wire::toJsonString(event);
  framework.stream->write(wire::encodeRecord(bytes));
}

void Master::sendError(FrameworkRecord& framework, const std::string& message) {
  scheduler::Event event;
  event.set_type(scheduler::Event::ERROR);
  event.mutable_error()->set_message(message);
  auto stream = framework.stream;
  sendEvent(framework, event);
  framework.stream.reset();
  if (stream) stream->close();
}

void Master::disconnectFramework(const std::string& framework_id, const std::string& stream_id) {
  FrameworkRecord* framework = findFramework(framework_id);
  if (!framework || framework->stream_id != stream_id || !framework->connected) return;
  log::info("framework ", framework_id, " disconnected");
  framework->connected = false;
  framework->active = false;
  framework->stream.reset();
  framework->disconnected_at = Clock::now();
  framework->unregistered_time = now();
  timers_.erase("hb:" + framework_id);
  // Its offers go back to the pool.
  for (const auto& offer_id : std::set<std::string>(framework->offers)) removeOffer(offer_id);
  auto timeout = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(framework->info.failover_timeout()));
  auto timer = std::make_unique<asio::steady_timer>(io_, timeout);
  timer->async_wait([this, framework_id, stream_id](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    FrameworkRecord* framework = findFramework(framework_id);
    if (framework && !framework->connected && framework->stream_id == stream_id) {
      log::info("framework ", framework_id, " failover timeout elapsed");
      teardown(*framework);
    }
  });
  timers_["failover:" + framework_id] = std::move(timer);
}

void Master::teardown(FrameworkRecord& framework) {
  std::string id = framework.id;
  log::info("removing framework ", id);
  for (const auto& offer_id : std::set<std::string>(framework.offers)) removeOffer(offer_id);
  for (auto& [agent_id, agent] : agents_) {
    if (!agent.tasks.count(id)) continue;
    mesos::internal::ShutdownFrameworkMessage message;
    message.mutable_framework_id()->set_value(id);
    if (agent.connected) process_.send(agent.pid, message);
    agent.tasks.erase(id);
  }
  timers_.erase("hb:" + id);
  timers_.erase("failover:" + id);
  auto stream = framework.stream;
  FrameworkRecord completed = std::move(framework);
  frameworks_.erase(id);
  completed.connected = false;
  completed.active = false;
  completed.stream.reset();
  completed.unregistered_time = now();
  completed_frameworks_[id] = std::move(completed);
  if (stream) stream->close();
}

void Master::decline(FrameworkRecord& framework, const scheduler::Call::Decline& decline) {
  double refuse = decline.has_filters() ? decline.filters().refuse_seconds() : 5.0;
  for (const auto& offer_id : decline.offer_ids()) {
    auto it = offers_.find(offer_id.value());
    if (it == offers_.end() || it->second.framework_id != framework.id) continue;
    addFilter(framework, it->second.agent_id, it->second.resources, refuse);
    removeOffer(offer_id.value());
  }
}

void Master::revive(FrameworkRecord& framework, const scheduler::Call::Revive& revive) {
  std::set<std::string> roles(revive.roles().begin(), revive.roles().end());
  if (roles.empty()) roles = framework.roles;
  for (const auto& role : roles) framework.suppressed_roles.erase(role);
  framework.filters.clear();
  asio::post(io_, [this] {
    if (!stopped_) allocate();
  });
}

void Master::suppress(FrameworkRecord& framework, const scheduler::Call::Suppress& suppress) {
  std::set<std::string> roles(suppress.roles().begin(), suppress.roles().end());
  if (roles.empty()) roles = framework.roles;
  framework.suppressed_roles.insert(roles.begin(), roles.end());
}

void Master::kill(FrameworkRecord& framework, const scheduler::Call::Kill& kill) {
  AgentRecord* agent = nullptr;
  TaskRecord* task = findTask(framework.id, kill.task_id().value(), &agent);
  if (!task) {
    // Unknown task: answered like an explicit reconciliation.
    scheduler::Call::Reconcile reconcile;
    auto* entry = reconcile.add_tasks();
    *entry->mutable_task_id() = kill.task_id();
    if (kill.has_agent_id()) *entry->mutable_agent_id() = kill.agent_id();
    return Master::reconcile(framework, reconcile);
  }
  if (!agent->connected) return;
  mesos::internal::KillTaskMessage message;
  message.mutable_framework_id()->set_value(framework.id);
  message.mutable_task_id()->set_value(kill.task_id().value());
  if (kill.has_kill_policy()) {
    message.mutable_kill_policy()->ParseFromString(kill.kill_policy().SerializeAsString());
  }
  process_.send(agent->pid, message);
}

void Master::acknowledge(FrameworkRecord& framework,
                         const scheduler::Call::Acknowledge& acknowledge) {
  AgentRecord* agent = findAgent(acknowledge.agent_id().value());
  if (!agent) return;
  auto fw = agent->tasks.find(framework.id);
  TaskRecord* task = nullptr;
  if (fw != agent->tasks.end()) {
    auto it = fw->second.find(acknowledge.task_id().value());
    if (it != fw->second.end()) task = &it->second;
  }
  if (!agent->connected) return;  // the agent retries the update later
  mesos::internal::StatusUpdateAcknowledgementMessage message;
  message.mutable_slave_id()->set_value(agent->id);
  message.mutable_framework_id()->set_value(framework.id);
  message.mutable_task_id()->set_value(acknowledge.task_id().value());
  message.set_uuid(acknowledge.uuid());
  process_.send(agent->pid, message);
  if (task && isTerminal(task->task.status_update_state()) &&
      task->task.status_update_uuid() == acknowledge.uuid()) {
    framework.completed_tasks.push_back(task->task);
    if (framework.completed_tasks.size() > 1000) {
      framework.completed_tasks.erase(framework.completed_tasks.begin());
    }
    removeTask(*agent, framework.id, acknowledge.task_id().value());
  }
}

void Master::reconcile(FrameworkRecord& framework, const scheduler::Call::Reconcile& reconcile) {
  bool partition_aware = framework.hasCapability(FrameworkInfo::Capability::PARTITION_AWARE);
  auto send = [&](const TaskRecord& task) {
    auto status =
        masterStatus(task.task.task_id().value(), task.task.agent_id().value(), task.task.state(),
                     TaskStatus::REASON_RECONCILIATION, "Reconciliation: Latest task state");
    sendMasterUpdate(framework, status);
  };
  if (reconcile.tasks_size() == 0) {
    for (const auto& [agent_id, agent] : agents_) {
      auto fw = agent.tasks.find(framework.id);
      if (fw == agent.tasks.end()) continue;
      for (const auto& [task_id, task] : fw->second) send(task);
    }
    return;
  }
  for (const auto& entry : reconcile.tasks()) {
    AgentRecord* agent = nullptr;
    if (TaskRecord* task = findTask(framework.id, entry.task_id().value(), &agent)) {
      send(*task);
      continue;
    }
    std::string agent_id = entry.has_agent_id() ? entry.agent_id().value() : "";
    bool agent_known = !agent_id.empty() && findAgent(agent_id);
    auto state = partition_aware ? (agent_known ? mesos::v1::TASK_GONE : mesos::v1::TASK_UNKNOWN)
                                 : mesos::v1::TASK_LOST;
    auto status = masterStatus(
        entry.task_id().value(), agent_id, state, TaskStatus::REASON_RECONCILIATION,
        "Reconciliation: Task is unknown" + std::string(agent_known ? "" : " to the agent"));
    sendMasterUpdate(framework, status);
  }
}

}  // namespace svh::master
