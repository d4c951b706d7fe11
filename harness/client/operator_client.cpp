#include "harness/client/operator_client.hpp"

#include <cstdio>

#include "harness/wire/json_codec.hpp"

namespace svh::harness {

OperatorClient::OperatorClient(http::Url master)
    : master_(std::move(master)), client_(master_.host, master_.port) {}

nlohmann::json OperatorClient::getJson(const std::string& path) {
  auto response = client_.get(path);
  if (response.result() != http::bhttp::status::ok) {
    throw HarnessError("GET " + path + " answered " + std::to_string(response.result_int()));
  }
  auto json = nlohmann::json::parse(response.body(), nullptr, false);
  if (json.is_discarded()) throw HarnessError("GET " + path + " did not return JSON");
  return json;
}

std::string urlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

http::Response OperatorClient::form(const std::string& path,
                                    const std::map<std::string, std::string>& fields) {
  std::string body;
  for (const auto& [key, value] : fields) {
    if (!body.empty()) body += "&";
    body += urlEncode(key) + "=" + urlEncode(value);
  }
  return client_.post(path, "application/x-www-form-urlencoded", body);
}

namespace {

std::string jsonArray(const std::vector<mesos::v1::Resource>& resources) {
  std::string out = "[";
  for (const auto& r : resources) out += (out.size() > 1 ? "," : "") + wire::toJsonString(r);
  return out + "]";
}

}  // namespace

http::Response OperatorClient::reserve(const std::string& agent_id,
                                       const std::vector<mesos::v1::Resource>& resources) {
  return form("/master/reserve", {{"slaveId", agent_id}, {"resources", jsonArray(resources)}});
}

http::Response OperatorClient::unreserve(const std::string& agent_id,
                                         const std::vector<mesos::v1::Resource>& resources) {
  return form("/master/unreserve", {{"slaveId", agent_id}, {"resources", jsonArray(resources)}});
}

http::Response OperatorClient::createVolumes(const std::string& agent_id,
                                             const std::vector<mesos::v1::Resource>& volumes) {
  return form("/master/create-volumes", {{"slaveId", agent_id}, {"volumes", jsonArray(volumes)}});
}

http::Response OperatorClient::destroyVolumes(const std::string& agent_id,
                                              const std::vector<mesos::v1::Resource>& volumes) {
  return form("/master/destroy-volumes", {{"slaveId", agent_id}, {"volumes", jsonArray(volumes)}});
}

http::Response OperatorClient::v1(const mesos::v1::master::Call& call, ContentType type) {
  bool protobuf = type == ContentType::kProtobuf;
  const char* media = protobuf ? "application/x-protobuf" : "application/json";
  http::Request request{http::bhttp::verb::post, "/api/v1", 11};
  request.set(http::bhttp::field::content_type, media);
  request.set(http::bhttp::field::accept, media);
  request.body() = protobuf ? call.SerializeAsString() : wire::toJsonString(call);
  return client_.send(std::move(request));
}

mesos::v1::master::Response OperatorClient::v1Response(const mesos::v1::master::Call& call,
                                                       ContentType type) {
  auto answer = v1(call, type);
  if (answer.result() != http::bhttp::status::ok) {
    throw HarnessError("v1 " + mesos::v1::master::Call::Type_Name(call.type()) + " answered " +
                       std::to_string(answer.result_int()) + ": " + answer.body());
  }
  mesos::v1::master::Response response;
  if (type == ContentType::kProtobuf) {
    if (!response.ParseFromString(answer.body())) {
      throw HarnessError("v1 answer is not a valid Response protobuf");
    }
  } else if (auto error = wire::parseJson(answer.body(), &response)) {
    throw HarnessError("v1 answer does not parse: " + *error);
  }
  return response;
}

}  // namespace svh::harness
