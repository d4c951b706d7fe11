#include "fakes/master/call_extensions.hpp"

#include <google/protobuf/unknown_field_set.h>

#include <nlohmann/json.hpp>

#include "harness/wire/json_codec.hpp"

namespace svh::master {

namespace {

std::optional<nlohmann::json> jsonField(const OperatorRequest& request, const char* key) {
  auto json = nlohmann::json::parse(request.json_body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains(key) || json[key].is_null()) {
    return std::nullopt;
  }
  return json[key];
}

}  // namespace

bool hasCallField(const OperatorRequest& request, int number, const char* key) {
  if (request.json) return jsonField(request, key).has_value();
  const auto& unknown = request.call.GetReflection()->GetUnknownFields(request.call);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == number) return true;
  }
  return false;
}

Problem readCallField(const OperatorRequest& request, int number, const char* key,
                      google::protobuf::Message* out) {
  out->Clear();
  if (request.json) {
    auto value = jsonField(request, key);
    if (!value) return std::string("Expecting '") + key + "' to be present";
    return wire::fromJson(*value, out);
  }
  const auto& unknown = request.call.GetReflection()->GetUnknownFields(request.call);
  bool found = false;
  for (int i = 0; i < unknown.field_count(); ++i) {
    const auto& field = unknown.field(i);
    if (field.number() != number) continue;
    if (field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED ||
        !out->MergeFromString(field.length_delimited())) {
      return std::string("Failed to parse '") + key + "'";
    }
    found = true;
  }
  if (!found) return std::string("Expecting '") + key + "' to be present";
  if (!out->IsInitialized()) return "Not initialized: " + out->InitializationErrorString();
  return std::nullopt;
}

std::string encodeResponse(const mesos::v1::master::Response& response, int number, const char* key,
                           const google::protobuf::Message& message, bool protobuf) {
  if (protobuf) {
    mesos::v1::master::Response copy = response;
    copy.GetReflection()->MutableUnknownFields(&copy)->AddLengthDelimited(
        number, message.SerializeAsString());
    return copy.SerializeAsString();
  }
  auto json = wire::toJson(response);
  json[key] = wire::toJson(message);
  return json.dump();
}

}  // namespace svh::master
