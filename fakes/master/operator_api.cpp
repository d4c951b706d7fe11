// Operator side: the form endpoints (/master/reserve, /unreserve,
// /create-volumes, /destroy-volumes; PROTOCOL.md 4.1) and the v1 operator API
// (POST /api/v1; 4.2). Both run the same code per operation, so their
// 400/403/409/202 answers agree (SV-HTTP-1..4, PV-DESTROY-4). Also the
// authentication and authorization both APIs share with ACCEPT.

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "fakes/common/resource_format.hpp"
#include "fakes/master/call_extensions.hpp"
#include "fakes/master/core/conversions.hpp"
#include "fakes/master/core/validation.hpp"
#include "fakes/master/master.hpp"
#include "fakes/master/core/operation_resources.hpp"
#include "harness/http/media_type.hpp"
#include "harness/util/log.hpp"
#include "harness/wire/evolve.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/operator_json.hpp"

namespace svh::master {

using http::bhttp::status;
using Operation = mesos::v1::Offer::Operation;
namespace v1master = mesos::v1::master;

namespace {

constexpr std::string_view kJson = http::kJsonMediaType;
constexpr std::string_view kProtobuf = http::kProtobufMediaType;

// application/x-www-form-urlencoded as libprocess decodes it: pairs split on
// '&' and ';', '+' is a space, %XX escapes.
Result<std::map<std::string, std::string>> decodeQuery(std::string_view body) {
  auto decode = [](std::string_view text) -> Result<std::string> {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '+') {
        out.push_back(' ');
      } else if (c == '%') {
        auto hex = [](char h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          if (h >= 'a' && h <= 'f') return h - 'a' + 10;
          if (h >= 'A' && h <= 'F') return h - 'A' + 10;
          return -1;
        };
        if (i + 2 >= text.size()) {
          return Error{"Malformed % escape in '" + std::string(text) + "'"};
        }
        int high = hex(text[i + 1]);
        int low = hex(text[i + 2]);
        if (high < 0 || low < 0) return Error{"Malformed % escape in '" + std::string(text) + "'"};
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
      } else {
        out.push_back(c);
      }
    }
    return out;
  };
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find_first_of("&;", start);
    auto pair = body.substr(start, end == std::string_view::npos ? end : end - start);
    if (!pair.empty()) {
      auto equals = pair.find('=');
      auto key = decode(pair.substr(0, equals));
      if (!key) return Error{key.error()};
      std::string value;
      if (equals != std::string_view::npos) {
        auto decoded = decode(pair.substr(equals + 1));
        if (!decoded) return Error{decoded.error()};
        value = *decoded;
      }
      values[*key] = value;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return values;
}

// A JSON array of (v0) Resource objects as an operator sends them.
Result<ResourceList> parseResourceArray(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return Error{"syntax error at line 1 near: " + text.substr(0, 40)};
  if (!json.is_array()) return Error{"Expecting a JSON array"};
  ResourceList list;
  for (const auto& element : json) {
    mesos::Resource v0;
    if (auto error = wire::fromJson(element, &v0)) return Error{*error};
    *list.Add() = wire::evolve<mesos::v1::Resource>(v0);
  }
  return list;
}

std::string stringify(const AgentRecord& agent) {
  return agent.id + " at " + agent.pid.str() + " (" + agent.info.hostname() + ")";
}

}  // namespace

std::optional<std::string> Master::authenticate(const std::shared_ptr<http::Exchange>& exchange,
                                                const char* realm, bool enabled, bool* refused) {
  *refused = false;
  if (!enabled) return std::nullopt;
  std::optional<std::string> authorization;
  if (auto it = exchange->request().find(http::bhttp::field::authorization);
      it != exchange->request().end()) {
    authorization = std::string(it->value());
  }
  auto principal = basicPrincipal(authorization, flags_.credentials);
  if (!principal) {
    *refused = true;
    auto response = http::makeResponse(status::unauthorized);
    response.set(http::bhttp::field::www_authenticate,
                 std::string("Basic realm=\"") + realm + "\"");
    exchange->respond(std::move(response));
  }
  return principal;
}

std::optional<authorization::ActionObject> Master::unauthorized(
    const std::optional<std::string>& principal, const Operation& operation) {
  if (!authorizer_) return std::nullopt;
  auto objects = authorization::actionObjects(operation);
  for (const auto& object : objects) {
    log::info("Authorizing ", principal ? "principal '" + *principal + "'" : "ANY principal",
              " to ", object.describe());
  }
  return authorizer_->firstRefused(principal, objects);
}

void Master::formEndpoint(std::shared_ptr<http::Exchange> exchange, const std::string& name) {
  const auto& request = exchange->request();
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  bool refused = false;
  auto principal =
      authenticate(exchange, kReadWriteRealm, flags_.authenticate_http_readwrite, &refused);
  if (refused) return;
  if (request.method() != http::bhttp::verb::post) {
    auto response = http::makeResponse(
        status::method_not_allowed,
        "Expecting one of { 'POST' }, but received '" + std::string(request.method_string()) + "'");
    response.set(http::bhttp::field::allow, "POST");
    return exchange->respond(std::move(response));
  }
  auto values = decodeQuery(request.body());
  if (!values)
    return reply(status::bad_request, "Unable to decode query string: " + values.error());
  auto slave = values->find("slaveId");
  if (slave == values->end()) {
    return reply(status::bad_request, "Missing 'slaveId' query parameter in the request body");
  }
  std::string key = (name == "reserve" || name == "unreserve") ? "resources" : "volumes";
  auto param = values->find(key);
  if (param == values->end()) {
    return reply(status::bad_request, "Missing '" + key + "' query parameter in the request body");
  }
  auto list = parseResourceArray(param->second);
  if (!list) {
    return reply(status::bad_request, "Error in parsing '" + key +
                                          "' query parameter in the request body: " + list.error());
  }
  ResourceList source;
  if (name == "reserve") {
    if (auto it = values->find("source"); it != values->end()) {
      auto parsed = parseResourceArray(it->second);
      if (!parsed) {
        return reply(
            status::bad_request,
            "Error in parsing 'source' query parameter in the request body: " + parsed.error());
      }
      source = *parsed;
    }
  }
  Operation operation;
  if (name == "reserve") {
    operation.set_type(Operation::RESERVE);
    *operation.mutable_reserve()->mutable_resources() = *list;
    *operation.mutable_reserve()->mutable_source() = source;
  } else if (name == "unreserve") {
    operation.set_type(Operation::UNRESERVE);
    *operation.mutable_unreserve()->mutable_resources() = *list;
  } else if (name == "create-volumes") {
    operation.set_type(Operation::CREATE);
    *operation.mutable_create()->mutable_volumes() = *list;
  } else {
    operation.set_type(Operation::DESTROY);
    *operation.mutable_destroy()->mutable_volumes() = *list;
  }
  operatorOperation(exchange, slave->second, std::move(operation), principal);
}

void Master::operatorOperation(std::shared_ptr<http::Exchange> exchange,
                               const std::string& agent_id, Operation operation,
                               const std::optional<std::string>& principal) {
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  AgentRecord* agent = findAgent(agent_id);
  if (!agent) return reply(status::bad_request, "No agent found with specified ID");
  if (auto problem = fakes::validateAndUpgradeResources(&operation))
    return reply(status::bad_request, *problem);

  Problem problem;
  std::string prefix;
  switch (operation.type()) {
    case Operation::RESERVE:
      problem =
          validation::validateReserve(operation.reserve(), principal, agent->capabilities, nullptr);
      prefix = "Invalid RESERVE operation on agent " + stringify(*agent) + ": ";
      break;
    case Operation::UNRESERVE:
      problem = validation::validateUnreserve(operation.unreserve(), nullptr, flags_.faults);
      prefix = "Invalid UNRESERVE operation: ";
      break;
    case Operation::CREATE:
      problem = validation::validateCreate(operation.create(), agent->checkpointed, principal,
                                           agent->capabilities, nullptr, true, flags_.faults);
      prefix = "Invalid CREATE operation on agent " + stringify(*agent) + ": ";
      break;
    case Operation::DESTROY: {
      auto used = usedByFramework(resourceUses(*agent), flags_.faults);
      if (flags_.faults.has(fakes::Fault::kEndpointDestroyIgnoresUse)) used.clear();
      problem = validation::validateDestroy(operation.destroy(), agent->checkpointed, used, nullptr);
      prefix = "Invalid DESTROY operation: ";
      break;
    }
    case Operation::GROW_VOLUME:
      problem = validation::validateGrowVolume(operation.grow_volume(), agent->capabilities);
      prefix = "Invalid GROW_VOLUME operation on agent " + stringify(*agent) + ": ";
      break;
    case Operation::SHRINK_VOLUME:
      problem = validation::validateShrinkVolume(operation.shrink_volume(), agent->capabilities);
      prefix = "Invalid SHRINK_VOLUME operation on agent " + stringify(*agent) + ": ";
      break;
    default:
      return reply(status::bad_request, "Unsupported operation");
  }
  if (problem) return reply(status::bad_request, prefix + *problem);
  // PV-DESTROY-4, SV-HTTP-1: refused by --acls.
  if (unauthorized(principal, operation)) return reply(status::forbidden);

  // Http::_operation.
  auto conversions = conversionsFor(operation);
  if (!conversions) {
    return reply(status::bad_request, "Invalid " + Operation::Type_Name(operation.type()) +
                                          " operation: " + conversions.error());
  }
  Resources required;
  for (const auto& conversion : *conversions) required += conversion.consumed;

  // Rescind offers, one at a time, until what they held covers the
  // operation; their frameworks get a default (5 s) refusal filter.
  Resources recovered;
  for (const auto& offer_id : std::set<std::string>(agent->offers)) {
    Resources offered = offers_.at(offer_id).resources.unallocate();
    if (required - offered == required) continue;
    recovered += offered;
    required -= offered;
    auto& offer = offers_.at(offer_id);
    if (FrameworkRecord* framework = findFramework(offer.framework_id)) {
      addFilter(*framework, offer.role, agent->id, offer.resources, 5.0);
    }
    rescindOffer(offer_id);
    if (applyConversions(recovered, *conversions)) break;
  }

  // Allocator::updateAvailable: the operation must apply to what the agent
  // has available (SV-HTTP-3 says what that is per profile).
  auto applied = applyConversions(availableToOperator(view(), *agent), *conversions);
  if (!applied) {
    if (operation.type() == Operation::DESTROY && profile_.destroy_conflict_says_does_not_exist) {
      return reply(status::conflict, "Invalid DESTROY Operation: Persistent volume does not exist");
    }
    return reply(status::conflict, applied.error());
  }
  applyToAgent(*agent, operation);
  log::info("applied ", Operation::Type_Name(operation.type()), " from the operator API on agent ",
            agent->id);
  reply(status::accepted);
}

void Master::operatorApi(std::shared_ptr<http::Exchange> exchange) {
  const auto& request = exchange->request();
  auto reply = [&](status code, std::string body = {}) {
    exchange->respond(http::makeResponse(code, std::move(body)));
  };
  auto decoded = decodeApiRequest<v1master::Call>(exchange, kReadWriteRealm,
                                                  flags_.authenticate_http_readwrite);
  if (!decoded) return;
  v1master::Call& call = decoded->call;
  const auto& principal = decoded->principal;
  const bool json_request = decoded->json;
  const std::string body_text = json_request ? std::string(request.body()) : std::string();
  OperatorRequest extensions{call, body_text, json_request};
  auto has_field = [&](int number) {
    static const std::map<int, const char*> keys = {{3, "set_logging_level"},
                                                    {4, "list_files"},
                                                    {5, "read_file"},
                                                    {6, "update_weights"},
                                                    {11, "update_maintenance_schedule"},
                                                    {12, "start_maintenance"},
                                                    {13, "stop_maintenance"},
                                                    {14, "set_quota"},
                                                    {15, "remove_quota"},
                                                    {20, "update_quota"},
                                                    {21, "drain_agent"}};
    auto it = keys.find(number);
    return it != keys.end() && hasCallField(extensions, number, it->second);
  };
  if (auto error = validation::validateOperatorCall(call, has_field)) {
    return reply(status::bad_request, "Failed to validate master::Call: " + *error);
  }
  std::optional<std::string_view> accept_header;
  if (auto it = request.find("Accept"); it != request.end()) accept_header = it->value();
  bool json = http::acceptsMediaType(accept_header, kJson);
  bool protobuf = !json && http::acceptsMediaType(accept_header, kProtobuf);
  if (!json && !protobuf) {
    return reply(status::not_acceptable,
                 "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  }
  auto respond = [&](const v1master::Response& response, bool hand_written = false) {
    // GET_STATE and friends are written by hand in Mesos: empty top-level
    // lists appear, elements go through the v0 types (wire/operator_json).
    std::string body = protobuf ? response.SerializeAsString()
                       : hand_written
                           ? wire::toJsonString(response, wire::operatorResponseJsonOptions())
                           : wire::toJsonString(response);
    exchange->respond(
        http::makeResponse(status::ok, std::move(body), std::string(protobuf ? kProtobuf : kJson)));
  };

  Operation operation;
  std::string agent_id;
  switch (call.type()) {
    case v1master::Call::UNKNOWN:
      return reply(status::not_implemented);
    case v1master::Call::GET_HEALTH: {
      v1master::Response response;
      response.set_type(v1master::Response::GET_HEALTH);
      response.mutable_get_health()->set_healthy(true);
      return respond(response);
    }
    case v1master::Call::GET_VERSION: {
      v1master::Response response;
      response.set_type(v1master::Response::GET_VERSION);
      response.mutable_get_version()->mutable_version_info()->set_version("1.12.0");
      return respond(response);
    }
    case v1master::Call::GET_FLAGS: {
      v1master::Response response;
      response.set_type(v1master::Response::GET_FLAGS);
      auto flags = nlohmann::json::parse(flagsJson())["flags"];
      for (auto it = flags.begin(); it != flags.end(); ++it) {
        auto* flag = response.mutable_get_flags()->add_flags();
        flag->set_name(it.key());
        flag->set_value(it.value().get<std::string>());
      }
      return respond(response);
    }
    case v1master::Call::GET_METRICS: {
      v1master::Response response;
      response.set_type(v1master::Response::GET_METRICS);
      auto metrics = nlohmann::json::parse(metricsJson());
      for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        auto* metric = response.mutable_get_metrics()->add_metrics();
        metric->set_name(it.key());
        metric->set_value(it.value().get<double>());
      }
      return respond(response);
    }
    case v1master::Call::GET_MASTER: {
      v1master::Response response;
      response.set_type(v1master::Response::GET_MASTER);
      auto* info = response.mutable_get_master()->mutable_master_info();
      info->set_id(id_);
      info->set_ip(inet_addr(flags_.ip.c_str()));
      info->set_port(process_.port());
      info->set_pid(process_.self().str());
      info->set_hostname(flags_.hostname);
      info->set_version("1.12.0");
      info->mutable_address()->set_hostname(flags_.hostname);
      info->mutable_address()->set_ip(flags_.ip);
      info->mutable_address()->set_port(process_.port());
      for (auto type : {mesos::v1::MasterInfo::Capability::AGENT_UPDATE,
                        mesos::v1::MasterInfo::Capability::AGENT_DRAINING,
                        mesos::v1::MasterInfo::Capability::QUOTA_V2}) {
        info->add_capabilities()->set_type(type);
      }
      response.mutable_get_master()->set_start_time(start_time_);
      response.mutable_get_master()->set_elected_time(start_time_);
      return respond(response);
    }
    case v1master::Call::GET_OPERATIONS: {
      // No operation with feedback is ever kept (see accept.cpp).
      v1master::Response response;
      response.set_type(v1master::Response::GET_OPERATIONS);
      response.mutable_get_operations();
      return respond(response);
    }
    case v1master::Call::GET_STATE:
    case v1master::Call::GET_AGENTS:
    case v1master::Call::GET_FRAMEWORKS:
    case v1master::Call::GET_EXECUTORS:
    case v1master::Call::GET_TASKS:
      return respond(stateResponse(call.type()), true);
    case v1master::Call::GET_QUOTA:
    case v1master::Call::UPDATE_QUOTA:
    case v1master::Call::SET_QUOTA:
    case v1master::Call::REMOVE_QUOTA:
      return quotaCall(exchange, call, body_text, json_request, protobuf);
    case v1master::Call::RESERVE_RESOURCES:
      agent_id = call.reserve_resources().agent_id().value();
      operation.set_type(Operation::RESERVE);
      *operation.mutable_reserve()->mutable_resources() = call.reserve_resources().resources();
      *operation.mutable_reserve()->mutable_source() = call.reserve_resources().source();
      break;
    case v1master::Call::UNRESERVE_RESOURCES:
      agent_id = call.unreserve_resources().agent_id().value();
      operation.set_type(Operation::UNRESERVE);
      *operation.mutable_unreserve()->mutable_resources() = call.unreserve_resources().resources();
      break;
    case v1master::Call::CREATE_VOLUMES:
      agent_id = call.create_volumes().agent_id().value();
      operation.set_type(Operation::CREATE);
      *operation.mutable_create()->mutable_volumes() = call.create_volumes().volumes();
      break;
    case v1master::Call::DESTROY_VOLUMES:
      agent_id = call.destroy_volumes().agent_id().value();
      operation.set_type(Operation::DESTROY);
      *operation.mutable_destroy()->mutable_volumes() = call.destroy_volumes().volumes();
      break;
    case v1master::Call::GROW_VOLUME:
      agent_id = call.grow_volume().agent_id().value();
      operation.set_type(Operation::GROW_VOLUME);
      *operation.mutable_grow_volume()->mutable_volume() = call.grow_volume().volume();
      *operation.mutable_grow_volume()->mutable_addition() = call.grow_volume().addition();
      break;
    case v1master::Call::SHRINK_VOLUME:
      agent_id = call.shrink_volume().agent_id().value();
      operation.set_type(Operation::SHRINK_VOLUME);
      *operation.mutable_shrink_volume()->mutable_volume() = call.shrink_volume().volume();
      *operation.mutable_shrink_volume()->mutable_subtract() = call.shrink_volume().subtract();
      break;
    case v1master::Call::TEARDOWN: {
      FrameworkRecord* framework = findFramework(call.teardown().framework_id().value());
      if (!framework) return reply(status::bad_request, "No framework found with specified ID");
      reply(status::ok);
      return teardown(*framework);
    }
    case v1master::Call::DEACTIVATE_AGENT:
    case v1master::Call::REACTIVATE_AGENT: {
      bool deactivate = call.type() == v1master::Call::DEACTIVATE_AGENT;
      const auto& id = deactivate ? call.deactivate_agent().agent_id().value()
                                  : call.reactivate_agent().agent_id().value();
      AgentRecord* agent = findAgent(id);
      if (!agent) return reply(status::bad_request, "Agent '" + id + "' not found");
      agent->active = !deactivate;
      if (deactivate) {
        for (const auto& offer_id : std::set<std::string>(agent->offers)) rescindOffer(offer_id);
      } else {
        allocateSoon();
      }
      return reply(status::ok);
    }
    default:
      return reply(status::not_implemented,
                   "Call " + v1master::Call::Type_Name(call.type()) + " is not implemented");
  }
  operatorOperation(exchange, agent_id, std::move(operation), principal);
}

}  // namespace svh::master
