// The preamble the v1 scheduler and operator APIs share (Mesos
// Master::Http::scheduler and Master::Http::api): authenticate, POST only,
// a Content-Type of JSON or protobuf, and a body that decodes into the
// API's Call, each refused with Mesos's status and text.

#include <nlohmann/json.hpp>

#include "fakes/master/master.hpp"
#include "harness/http/media_type.hpp"
#include "harness/wire/json_codec.hpp"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::master {

using http::bhttp::status;

template <typename Call>
std::optional<ApiRequest<Call>> Master::decodeApiRequest(
    const std::shared_ptr<http::Exchange>& exchange, const char* realm, bool authenticate_http) {
  const auto& request = exchange->request();
  auto reply = [&](status code, std::string body) {
    exchange->respond(http::makeResponse(code, std::move(body)));
    return std::nullopt;
  };
  ApiRequest<Call> decoded;
  bool refused = false;
  decoded.principal = authenticate(exchange, realm, authenticate_http, &refused);
  if (refused) return std::nullopt;
  if (request.method() != http::bhttp::verb::post) {
    auto response = http::makeResponse(
        status::method_not_allowed,
        "Expecting one of { 'POST' }, but received '" + std::string(request.method_string()) + "'");
    response.set(http::bhttp::field::allow, "POST");
    exchange->respond(std::move(response));
    return std::nullopt;
  }
  auto content_type = request.find("Content-Type");
  if (content_type == request.end()) {
    return reply(status::bad_request, "Expecting 'Content-Type' to be present");
  }
  if (content_type->value() == http::kProtobufMediaType) {
    if (!decoded.call.ParseFromString(request.body())) {
      return reply(status::bad_request, "Failed to parse body into Call protobuf");
    }
  } else if (content_type->value() == http::kJsonMediaType) {
    decoded.json = true;
    if (!nlohmann::json::accept(request.body())) {
      return reply(status::bad_request, "Failed to parse body into JSON: syntax error");
    }
    if (auto error = wire::parseJson(request.body(), &decoded.call)) {
      return reply(status::bad_request, "Failed to convert JSON into Call protobuf: " + *error);
    }
  } else {
    return reply(status::unsupported_media_type,
                 "Expecting 'Content-Type' of application/json or application/x-protobuf");
  }
  return decoded;
}

template std::optional<ApiRequest<mesos::v1::scheduler::Call>> Master::decodeApiRequest(
    const std::shared_ptr<http::Exchange>&, const char*, bool);
template std::optional<ApiRequest<mesos::v1::master::Call>> Master::decodeApiRequest(
    const std::shared_ptr<http::Exchange>&, const char*, bool);

}  // namespace svh::master
