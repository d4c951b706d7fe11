// The v1 scheduler API: the HTTP-level checks in Mesos's order (PROTOCOL.md
// 1.2), SUBSCRIBE with its RecordIO event stream, and the other calls
// (1.4), answered as Master::Http::scheduler and the Master's handlers do.

#include <arpa/inet.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "fakes/master/core/validation.hpp"
#include "fakes/master/master.hpp"
#include "harness/http/media_type.hpp"
#include "harness/util/log.hpp"
#include "harness/util/text.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/recordio.hpp"
#include "harness/wire/uuid.hpp"

namespace svh::master {

using http::bhttp::status;
using mesos::v1::FrameworkInfo;
using mesos::v1::TaskStatus;
namespace scheduler = mesos::v1::scheduler;

namespace {

constexpr std::string_view kJson = http::kJsonMediaType;
constexpr std::string_view kProtobuf = http::kProtobufMediaType;

std::optional<std::string_view> header(const http::Request& request, std::string_view name) {
  auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return it->value();
}


// stout stringify(set<string>): "{ a, b }".
std::string formatSet(const std::set<std::string>& values) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& value : values) {
    if (!first) out += ", ";
    first = false;
    out += value;
  }
  return out + " }";
}

// Clears Resource.shared wherever `message` holds a resource: what the
// encoding faults (json-drops-empty-shared, protobuf-offers-drop-shared) lose.
void clearSharedInfo(google::protobuf::Message* message) {
  if (auto* resource = dynamic_cast<mesos::v1::Resource*>(message)) resource->clear_shared();
  const auto* reflection = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!field->is_repeated()) {
      clearSharedInfo(reflection->MutableMessage(message, field));
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
      clearSharedInfo(reflection->MutableRepeatedMessage(message, field, i));
    }
  }
}

scheduler::Event withoutSharedInfo(scheduler::Event event) {
  clearSharedInfo(&event);
  return event;
}

}  // namespace

void Master::schedulerApi(std::shared_ptr<http::Exchange> exchange) {
  const auto& request = exchange->request();
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  auto decoded = decodeApiRequest<scheduler::Call>(exchange, kSchedulerRealm,
                                                   flags_.authenticate_http_frameworks);
  if (!decoded) return;
  scheduler::Call& call = decoded->call;
  const auto& principal = decoded->principal;
  if (decoded->json && flags_.faults.has(fakes::Fault::kJsonDropsEmptySharedInfo)) {
    clearSharedInfo(&call);
  }

  if (auto error = validation::validateSchedulerCall(call, principal)) {
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
      return subscribe(exchange, std::move(call), protobuf, principal);
    }
  }

  FrameworkRecord* framework = findFramework(call.framework_id().value());
  if (!framework) return reply(status::bad_request, "Framework cannot be found");
  std::string call_name = util::lowercase(scheduler::Call::Type_Name(call.type()));
  count(frameworkMetric(*framework, "calls"));
  count(frameworkMetric(*framework, "calls/") + call_name);
  if (principal && *principal != framework->info.principal()) {
    return reply(status::bad_request, "Authenticated principal '" + *principal +
                                          "' does not match principal '" +
                                          framework->info.principal() + "' set in `FrameworkInfo`");
  }
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
    case scheduler::Call::SHUTDOWN:
      reply(status::accepted);
      return shutdown(*framework, call.shutdown());
    case scheduler::Call::ACKNOWLEDGE:
      reply(status::accepted);
      return acknowledge(*framework, call.acknowledge());
    case scheduler::Call::ACKNOWLEDGE_OPERATION_STATUS:
      reply(status::accepted);
      return acknowledgeOperationStatus(*framework, call.acknowledge_operation_status());
    case scheduler::Call::RECONCILE:
      reply(status::accepted);
      return reconcile(*framework, call.reconcile());
    case scheduler::Call::RECONCILE_OPERATIONS:
      reply(status::accepted);
      return reconcileOperations(*framework, call.reconcile_operations());
    case scheduler::Call::MESSAGE:
      reply(status::accepted);
      return message(*framework, call.message());
    case scheduler::Call::REQUEST:
      // Passed to the allocator, which ignores it (as Mesos's does).
      count("master/messages_resource_request");
      return reply(status::accepted);
    case scheduler::Call::ACCEPT_INVERSE_OFFERS:
    case scheduler::Call::DECLINE_INVERSE_OFFERS:
      // This master sends no inverse offers (no maintenance), so every id
      // is unknown; Mesos ignores those.
      return reply(status::accepted);
    case scheduler::Call::UPDATE_FRAMEWORK: {
      auto [code, body] = updateFramework(*framework, std::move(*call.mutable_update_framework()));
      return reply(code, std::move(body));
    }
    default:
      return reply(status::not_implemented);
  }
}

void Master::subscribe(std::shared_ptr<http::Exchange> exchange, scheduler::Call call,
                       bool protobuf, const std::optional<std::string>& principal) {
  FrameworkInfo info = call.subscribe().framework_info();
  // An authenticated framework without a principal gets the one it
  // authenticated with.
  if (principal && !info.has_principal()) info.set_principal(*principal);
  bool reregistering = info.has_id() && !info.id().value().empty();
  count(reregistering ? "master/messages_reregister_framework"
                      : "master/messages_register_framework");

  std::string stream_id = wire::randomUuidString();
  auto response = http::makeResponse(status::ok, {}, std::string(protobuf ? kProtobuf : kJson));
  response.set("Mesos-Stream-Id", stream_id);
  response.body().clear();
  response.erase(http::bhttp::field::content_length);
  auto stream = exchange->stream(std::move(response));

  auto refuse = [&](const std::string& message) {
    log::info("Refusing subscription of framework '", info.name(), "': ", message);
    scheduler::Event event;
    event.set_type(scheduler::Event::ERROR);
    event.mutable_error()->set_message(message);
    auto bytes = protobuf ? event.SerializeAsString() : wire::toJsonString(event);
    stream->write(wire::encodeRecord(bytes));
    stream->close();
  };

  // Master::validateFramework.
  if (auto error = validation::validateFrameworkInfo(info)) return refuse(*error);
  std::set<std::string> roles = validation::frameworkRoles(info);
  if (flags_.roles) {
    std::set<std::string> invalid;
    for (const auto& role : roles) {
      if (!flags_.roles->count(role)) invalid.insert(role);
    }
    if (!invalid.empty()) {
      return refuse("Roles " + formatSet(invalid) + " are not present in the master's --roles");
    }
  }
  if (reregistering && completed_frameworks_.count(info.id().value())) {
    return refuse("Framework has been removed");
  }
  std::set<std::string> suppressed(call.subscribe().suppressed_roles().begin(),
                                   call.subscribe().suppressed_roles().end());
  if (auto error = validation::validateSuppressedRoles(roles, suppressed)) return refuse(*error);

  FrameworkRecord* framework = nullptr;
  if (reregistering) {
    framework = findFramework(info.id().value());
    if (framework) {
      // Fields that cannot change keep their old values; a new principal
      // is refused.
      info.set_user(framework->info.user());
      info.set_checkpoint(framework->info.checkpoint());
      if (auto error = validation::validateFrameworkUpdate(framework->info, info)) {
        return refuse(*error);
      }
      // Failover: the previous subscription ends and its offers go back.
      if (framework->stream && !framework->stream->closed()) {
        sendError(*framework, "Framework failed over");
      }
      for (const auto& offer_id : std::set<std::string>(framework->offers)) removeOffer(offer_id);
      framework->reregistered_time = now();
    }
  }
  if (!framework) {
    // A new framework, or one unknown to this master (after a master
    // failover): it keeps the id it asks for.
    std::string id = reregistering ? info.id().value() : [&] {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "%04d", next_framework_++);
      return id_ + "-" + suffix;
    }();
    info.mutable_id()->set_value(id);
    framework = &frameworks_[id];
    framework->id = id;
    framework->registered_time = now();
  }
  applyFrameworkInfo(*framework, info, suppressed);
  framework->connected = true;
  framework->active = true;
  framework->stream = stream;
  framework->stream_id = stream_id;
  framework->protobuf_stream = protobuf;
  framework->disconnected_at.reset();
  framework->unregistered_time.reset();
  timers_.erase("failover:" + framework->id);
  log::info("framework ", framework->id, " '", info.name(), "' subscribed");
  count(frameworkMetric(*framework, "calls/subscribe"));

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
  // Mesos 1.12 sends the first HEARTBEAT right after SUBSCRIBED (recorded;
  // PROTOCOL.md 1.3 says 15 s later, the recording wins).
  heartbeat(id, stream_id);
  if (reregistering) sendFrameworkUpdates(*framework);
  // A new framework is offered resources without waiting for the next cycle.
  allocateSoon();
}

void Master::applyFrameworkInfo(FrameworkRecord& framework, const FrameworkInfo& info,
                                const std::set<std::string>& suppressed_roles) {
  std::set<std::string> roles = validation::frameworkRoles(info);
  // Offers made to roles the framework left are rescinded.
  for (const auto& offer_id : std::set<std::string>(framework.offers)) {
    auto it = offers_.find(offer_id);
    if (it != offers_.end() && !roles.count(it->second.role)) rescindOffer(offer_id);
  }
  // Filters of roles it left go with them.
  auto& filters = framework.filters;
  filters.erase(std::remove_if(filters.begin(), filters.end(),
                               [&](const RefusalFilter& f) { return !roles.count(f.role); }),
                filters.end());
  framework.info = info;
  framework.roles = roles;
  framework.suppressed_roles = suppressed_roles;
}

std::pair<status, std::string> Master::updateFramework(FrameworkRecord& framework,
                                                       scheduler::Call::UpdateFramework update) {
  FrameworkInfo info = update.framework_info();
  if (auto error = validation::validateFrameworkInfo(info)) {
    return {status::bad_request, "Supplied FrameworkInfo is not valid: " + *error};
  }
  std::set<std::string> roles = validation::frameworkRoles(info);
  if (flags_.roles) {
    std::set<std::string> invalid;
    for (const auto& role : roles) {
      if (!flags_.roles->count(role)) invalid.insert(role);
    }
    if (!invalid.empty()) {
      return {status::bad_request, "Supplied FrameworkInfo is not valid: Roles " +
                                       formatSet(invalid) +
                                       " are not present in the master's --roles"};
    }
  }
  if (auto error = validation::validateFrameworkUpdate(framework.info, info)) {
    return {status::bad_request, "FrameworkInfo update is not valid: " + *error};
  }
  std::set<std::string> suppressed(update.suppressed_roles().begin(),
                                   update.suppressed_roles().end());
  if (auto error = validation::validateSuppressedRoles(roles, suppressed)) {
    return {status::bad_request, "'UpdateFramework' call is not valid: " + *error};
  }
  if (flags_.faults.has(fakes::Fault::kUpdateFrameworkKeepsCapabilities)) {
    *info.mutable_capabilities() = framework.info.capabilities();
  }
  bool changed = framework.info.SerializeAsString() != info.SerializeAsString();
  applyFrameworkInfo(framework, info, suppressed);
  log::info("framework ", framework.id, " updated");
  if (changed) sendFrameworkUpdates(framework);
  allocateSoon();
  return {status::ok, ""};
}

void Master::sendFrameworkUpdates(const FrameworkRecord& framework) {
  for (auto& [agent_id, agent] : agents_) {
    if (!agent.connected) continue;
    mesos::internal::UpdateFrameworkMessage message;
    message.mutable_framework_id()->set_value(framework.id);
    message.set_pid(wire::Upid{}.str());
    *message.mutable_framework_info() = wire::evolve<mesos::FrameworkInfo>(framework.info);
    process_.send(agent.pid, message);
  }
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
  std::string bytes;
  if (!framework.protobuf_stream) {
    bytes = wire::toJsonString(event);
  } else if (flags_.faults.has(fakes::Fault::kProtobufOffersDropShared)) {
    bytes = withoutSharedInfo(event).SerializeAsString();
  } else {
    bytes = event.SerializeAsString();
  }
  framework.stream->write(wire::encodeRecord(bytes));
  std::string type = util::lowercase(scheduler::Event::Type_Name(event.type()));
  count(frameworkMetric(framework, "events"));
  count(frameworkMetric(framework, "events/") + type);
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
    bool has_tasks = agent.tasks.count(id) > 0;
    bool has_executors = agent.executors.count(id) > 0;
    if (!has_tasks && !has_executors) continue;
    mesos::internal::ShutdownFrameworkMessage message;
    message.mutable_framework_id()->set_value(id);
    if (agent.connected) process_.send(agent.pid, message);
    // Its tasks end as killed in the completed list (Mesos removeFramework).
    if (has_tasks) {
      for (auto& [task_id, task] : agent.tasks.at(id)) {
        mesos::v1::Task done = task.task;
        if (!isTerminalState(done.state())) done.set_state(mesos::v1::TASK_KILLED);
        completeTask(&framework, done);
      }
    }
    agent.tasks.erase(id);
    agent.executors.erase(id);
  }
  timers_.erase("hb:" + id);
  timers_.erase("failover:" + id);
  auto stream = framework.stream;
  FrameworkRecord completed = std::move(framework);
  frameworks_.erase(id);
  completed.connected = false;
  completed.active = false;
  completed.stream.reset();
  completed.offers.clear();
  completed.unregistered_time = now();
  completed_frameworks_[id] = std::move(completed);
  if (stream) stream->close();
}

void Master::decline(FrameworkRecord& framework, const scheduler::Call::Decline& decline) {
  double refuse = decline.has_filters() ? decline.filters().refuse_seconds() : 5.0;
  count("master/messages_decline_offers");
  for (const auto& offer_id : decline.offer_ids()) {
    auto it = offers_.find(offer_id.value());
    if (it == offers_.end() || it->second.framework_id != framework.id) continue;
    addFilter(framework, it->second.role, it->second.agent_id, it->second.resources, refuse);
    count(frameworkMetric(framework, "offers/declined"));
    removeOffer(offer_id.value());
  }
}

void Master::revive(FrameworkRecord& framework, const scheduler::Call::Revive& revive) {
  std::set<std::string> roles(revive.roles().begin(), revive.roles().end());
  if (roles.empty()) roles = framework.roles;
  count("master/messages_revive_offers");
  for (const auto& role : roles) {
    if (!framework.roles.count(role)) {
      log::warning("Dropping REVIVE call from framework ", framework.id,
                   ": Role '" + role + "' is not one of the framework's roles");
      return;
    }
  }
  for (const auto& role : roles) framework.suppressed_roles.erase(role);
  auto& filters = framework.filters;
  filters.erase(std::remove_if(filters.begin(), filters.end(),
                               [&](const RefusalFilter& f) { return roles.count(f.role) > 0; }),
                filters.end());
  allocateSoon();
}

void Master::suppress(FrameworkRecord& framework, const scheduler::Call::Suppress& suppress) {
  std::set<std::string> roles(suppress.roles().begin(), suppress.roles().end());
  if (roles.empty()) roles = framework.roles;
  count("master/messages_suppress_offers");
  for (const auto& role : roles) {
    if (!framework.roles.count(role)) {
      log::warning("Dropping SUPPRESS call from framework ", framework.id,
                   ": Role '" + role + "' is not one of the framework's roles");
      return;
    }
  }
  framework.suppressed_roles.insert(roles.begin(), roles.end());
}

void Master::kill(FrameworkRecord& framework, const scheduler::Call::Kill& kill) {
  count("master/messages_kill_task");
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
    *message.mutable_kill_policy() = wire::evolve<mesos::KillPolicy>(kill.kill_policy());
  }
  process_.send(agent->pid, message);
}

void Master::shutdown(FrameworkRecord& framework, const scheduler::Call::Shutdown& shutdown) {
  AgentRecord* agent = findAgent(shutdown.agent_id().value());
  if (!agent || !agent->connected) {
    log::warning("Cannot shut down executor '", shutdown.executor_id().value(), "' of framework ",
                 framework.id, " on agent ", shutdown.agent_id().value(),
                 ": the agent is not connected");
    return;
  }
  mesos::internal::ShutdownExecutorMessage message;
  message.mutable_executor_id()->set_value(shutdown.executor_id().value());
  message.mutable_framework_id()->set_value(framework.id);
  process_.send(agent->pid, message);
}

void Master::message(FrameworkRecord& framework, const scheduler::Call::Message& call) {
  count("master/messages_framework_to_executor");
  AgentRecord* agent = findAgent(call.agent_id().value());
  if (!agent || !agent->connected) {
    log::warning("Cannot send framework message for framework ", framework.id, " to agent ",
                 call.agent_id().value(), ": the agent is not connected");
    count("master/invalid_framework_to_executor_messages");
    return;
  }
  mesos::internal::FrameworkToExecutorMessage message;
  message.mutable_slave_id()->set_value(agent->id);
  message.mutable_framework_id()->set_value(framework.id);
  message.mutable_executor_id()->set_value(call.executor_id().value());
  message.set_data(call.data());
  process_.send(agent->pid, message);
}

void Master::acknowledge(FrameworkRecord& framework,
                         const scheduler::Call::Acknowledge& acknowledge) {
  count("master/messages_status_update_acknowledgement");
  AgentRecord* agent = findAgent(acknowledge.agent_id().value());
  if (!agent) {
    count("master/invalid_status_update_acknowledgements");
    return;
  }
  auto fw = agent->tasks.find(framework.id);
  TaskRecord* task = nullptr;
  if (fw != agent->tasks.end()) {
    auto it = fw->second.find(acknowledge.task_id().value());
    if (it != fw->second.end()) task = &it->second;
  }
  if (!agent->connected) {
    count("master/invalid_status_update_acknowledgements");
    return;  // the agent retries the update later
  }
  mesos::internal::StatusUpdateAcknowledgementMessage message;
  message.mutable_slave_id()->set_value(agent->id);
  message.mutable_framework_id()->set_value(framework.id);
  message.mutable_task_id()->set_value(acknowledge.task_id().value());
  message.set_uuid(acknowledge.uuid());
  process_.send(agent->pid, message);
  if (task && isTerminalState(task->task.status_update_state()) &&
      task->task.status_update_uuid() == acknowledge.uuid()) {
    completeTask(&framework, task->task);
    removeTask(*agent, framework.id, acknowledge.task_id().value());
  }
}

void Master::acknowledgeOperationStatus(
    FrameworkRecord& framework, const scheduler::Call::AcknowledgeOperationStatus& acknowledge) {
  // Mesos forwards the acknowledgement only to connected agents that
  // report operation feedback for the resources concerned.
  count("master/messages_operation_status_update_acknowledgement");
  AgentRecord* agent = findAgent(acknowledge.agent_id().value());
  bool usable =
      agent && agent->connected &&
      (acknowledge.has_resource_provider_id() ? agent->capabilities.resource_provider
                                              : agent->capabilities.agent_operation_feedback);
  if (!usable) {
    log::warning("Cannot send operation status update acknowledgement for operation '",
                 acknowledge.operation_id().value(), "' of framework ", framework.id, " to agent ",
                 acknowledge.agent_id().value());
    count("master/invalid_operation_status_update_acknowledgements");
    return;
  }
  // This master never sends operations with feedback to agents (it sends
  // CheckpointResourcesMessage), so no operation can be waiting for this
  // acknowledgement.
  log::warning("Ignoring acknowledgement of unknown operation '",
               acknowledge.operation_id().value(), "' of framework ", framework.id);
  count("master/invalid_operation_status_update_acknowledgements");
}

void Master::reconcile(FrameworkRecord& framework, const scheduler::Call::Reconcile& reconcile) {
  count("master/messages_reconcile_tasks");
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

void Master::reconcileOperations(FrameworkRecord& framework,
                                 const scheduler::Call::ReconcileOperations& reconcile) {
  // This master keeps no operations with feedback (see accept.cpp), so an
  // implicit reconciliation has nothing to report and every explicit one
  // is about an unknown operation (Master::reconcileOperations cases 3, 6
  // and 7).
  count("master/messages_reconcile_operations");
  for (const auto& operation : reconcile.operations()) {
    scheduler::Event event;
    event.set_type(scheduler::Event::UPDATE_OPERATION_STATUS);
    auto* status = event.mutable_update_operation_status()->mutable_status();
    *status->mutable_operation_id() = operation.operation_id();
    status->set_state(mesos::v1::OPERATION_UNKNOWN);
    if (!operation.has_agent_id()) {
      status->set_message("Reconciliation: Operation is unknown and no 'agent_id' was provided");
    } else if (findAgent(operation.agent_id().value())) {
      status->set_message("Reconciliation: Operation is unknown");
    } else {
      status->set_message("Reconciliation: Both operation and agent are unknown");
    }
    if (operation.has_agent_id()) *status->mutable_agent_id() = operation.agent_id();
    if (operation.has_resource_provider_id()) {
      *status->mutable_resource_provider_id() = operation.resource_provider_id();
    }
    sendEvent(framework, event);
  }
}

}  // namespace svh::master
