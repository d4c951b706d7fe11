// JSON input rules (PROTOCOL.md section 2): what a real Mesos accepts and
// rejects, and that errors name the field.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/wire/json_codec.hpp"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::wire {
namespace {

namespace v1 = mesos::v1;
using v1::scheduler::Call;

// Parses `text` into a fresh T; the error (if any) lands in *error.
template <class T>
T parsed(const std::string& text, std::optional<std::string>* error) {
  T message;
  *error = parseJson(text, &message);
  return message;
}

::testing::AssertionResult failsWith(const std::optional<std::string>& error,
                                     const std::string& expected) {
  if (!error) return ::testing::AssertionFailure() << "parsed, expected error: " << expected;
  if (error->find(expected) == std::string::npos) {
    return ::testing::AssertionFailure() << "error '" << *error << "' lacks '" << expected << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST(JsonInput, SubscribeExampleFromProtocol) {
  std::optional<std::string> error;
  Call call = parsed<Call>(
      R"({"type":"SUBSCRIBE",
          "subscribe":{"framework_info":{"user":"foo","name":"fw","roles":["r1"],
                       "capabilities":[{"type":"MULTI_ROLE"},{"type":"RESERVATION_REFINEMENT"}],
                       "failover_timeout":3600},
                       "suppressed_roles":[]}})",
      &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(call.type(), Call::SUBSCRIBE);
  const v1::FrameworkInfo& info = call.subscribe().framework_info();
  EXPECT_EQ(info.roles_size(), 1);
  EXPECT_EQ(info.capabilities(1).type(), v1::FrameworkInfo::Capability::RESERVATION_REFINEMENT);
  EXPECT_DOUBLE_EQ(info.failover_timeout(), 3600.0);
  EXPECT_TRUE(info.has_failover_timeout());
  EXPECT_FALSE(info.has_role());
}

TEST(JsonInput, NullMeansUnset) {
  std::optional<std::string> error;
  Call call = parsed<Call>(R"({"type":"REVIVE","framework_id":null,"revive":null})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_FALSE(call.has_framework_id());
  EXPECT_FALSE(call.has_revive());

  // Even for a required field: it is then reported missing.
  v1::FrameworkInfo info;
  EXPECT_TRUE(
      failsWith(parseJson(R"({"user":"u","name":null})", &info), "Missing required fields: name"));
}

TEST(JsonInput, UnknownAndCamelCaseKeysAreIgnored) {
  std::optional<std::string> error;
  Call call = parsed<Call>(
      R"({"type":"KILL","frameworkId":{"value":"x"},"bogus":[1,{"a":null}],
          "kill":{"task_id":{"value":"t"},"taskId":"ignored"}})",
      &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_FALSE(call.has_framework_id());
  EXPECT_EQ(call.kill().task_id().value(), "t");
}

TEST(JsonInput, PresentEmptyMessageIsSet) {
  std::optional<std::string> error;
  v1::Resource r = parsed<v1::Resource>(
      R"({"name":"disk","type":"SCALAR","scalar":{"value":1},"shared":{}})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_TRUE(r.has_shared());
  EXPECT_FALSE(r.has_revocable());
}

TEST(JsonInput, SingleValueForRepeatedFieldIsOneElement) {
  std::optional<std::string> error;
  v1::FrameworkInfo info = parsed<v1::FrameworkInfo>(R"({"user":"u","name":"n","roles":"eng",
                                    "capabilities":{"type":"MULTI_ROLE"}})",
                                                     &error);
  ASSERT_EQ(error, std::nullopt);
  ASSERT_EQ(info.roles_size(), 1);
  EXPECT_EQ(info.roles(0), "eng");
  ASSERT_EQ(info.capabilities_size(), 1);
  EXPECT_EQ(info.capabilities(0).type(), v1::FrameworkInfo::Capability::MULTI_ROLE);
}

TEST(JsonInput, ArrayForSingularFieldIsAnError) {
  Call call;
  EXPECT_TRUE(failsWith(parseJson(R"({"framework_id":[{"value":"x"}]})", &call),
                        "Not expecting a JSON array for field 'framework_id'"));
}

TEST(JsonInput, WrongJsonTypesNameTheField) {
  Call call;
  EXPECT_TRUE(failsWith(parseJson(R"({"framework_id":"x"})", &call),
                        "Not expecting a JSON string for field 'framework_id'"));
  v1::Offer offer;
  EXPECT_TRUE(failsWith(parseJson(R"({"hostname":{}})", &offer),
                        "Not expecting a JSON object for field 'hostname'"));
  v1::FrameworkInfo info;
  EXPECT_TRUE(failsWith(parseJson(R"({"user":true})", &info),
                        "Not expecting a JSON boolean for field 'user'"));
  EXPECT_TRUE(
      failsWith(parseJson(R"({"user":5})", &info), "Not expecting a JSON number for field 'user'"));
}

TEST(JsonInput, EnumsMustBeNames) {
  Call call;
  EXPECT_TRUE(
      failsWith(parseJson(R"({"type":8})", &call), "Not expecting a JSON number for field 'type'"));

  // An unknown name for an optional enum is dropped: the call then has no
  // type (which Mesos reports as "Expecting 'type' to be present").
  std::optional<std::string> error;
  call = parsed<Call>(R"({"type":"NOT_A_CALL"})", &error);
  EXPECT_EQ(error, std::nullopt);
  EXPECT_FALSE(call.has_type());

  // For a required enum it is an error.
  v1::Resource r;
  EXPECT_TRUE(failsWith(parseJson(R"({"name":"cpus","type":"SCALER"})", &r),
                        "Failed to find enum for 'SCALER'"));
}

TEST(JsonInput, NumbersFromStrings) {
  std::optional<std::string> error;
  v1::TimeInfo t = parsed<v1::TimeInfo>(R"({"nanoseconds":"1795602752693015040"})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(t.nanoseconds(), 1795602752693015040);

  v1::Value::Range range = parsed<v1::Value::Range>(R"({"begin":"31000","end":32000})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(range.begin(), 31000u);

  v1::Value::Scalar scalar = parsed<v1::Value::Scalar>(R"({"value":"1.5"})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_DOUBLE_EQ(scalar.value(), 1.5);

  scalar = parsed<v1::Value::Scalar>(R"({"value":"Infinity"})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_TRUE(std::isinf(scalar.value()) && scalar.value() > 0);
  scalar = parsed<v1::Value::Scalar>(R"({"value":"-Infinity"})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_TRUE(std::isinf(scalar.value()) && scalar.value() < 0);

  // Integral fields take a float in range (truncated, as a C++ cast).
  t = parsed<v1::TimeInfo>(R"({"nanoseconds":1e3})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(t.nanoseconds(), 1000);

  EXPECT_TRUE(failsWith(parseJson(R"({"nanoseconds":"12x"})", &t),
                        "Failed to parse '12x' as a JSON number for field 'nanoseconds'"));
  EXPECT_TRUE(failsWith(parseJson(R"({"nanoseconds":1e300})", &t),
                        "Value out of range for field 'nanoseconds'"));
  EXPECT_TRUE(failsWith(parseJson(R"({"value":"NaN"})", &scalar), "field 'value'"));
}

TEST(JsonInput, BoolsFromStrings) {
  std::optional<std::string> error;
  v1::FrameworkInfo info =
      parsed<v1::FrameworkInfo>(R"({"user":"u","name":"n","checkpoint":"true"})", &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_TRUE(info.checkpoint());
  EXPECT_TRUE(failsWith(parseJson(R"({"user":"u","name":"n","checkpoint":"yes"})", &info),
                        "Failed to parse 'yes' as a JSON boolean for field 'checkpoint'"));
  EXPECT_TRUE(failsWith(parseJson(R"({"user":"u","name":"n","checkpoint":1})", &info),
                        "Not expecting a JSON number for field 'checkpoint'"));
}

TEST(JsonInput, BytesAreBase64) {
  std::optional<std::string> error;
  Call::Acknowledge ack = parsed<Call::Acknowledge>(
      R"({"agent_id":{"value":"a"},"task_id":{"value":"t"},
          "uuid":"AAECAwQF BgcICQoL\nDA0ODw"})",  // whitespace, no padding
      &error);
  ASSERT_EQ(error, std::nullopt);
  ASSERT_EQ(ack.uuid().size(), 16u);
  EXPECT_EQ(ack.uuid()[15], '\x0f');

  EXPECT_TRUE(failsWith(parseJson(R"({"agent_id":{"value":"a"},"task_id":{"value":"t"},
                                      "uuid":"not base64!"})",
                                  &ack),
                        "Failed to base64 decode bytes field 'uuid'"));
}

TEST(JsonInput, MissingRequiredFieldsAreListed) {
  Call call;
  EXPECT_TRUE(failsWith(
      parseJson(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u"}}})", &call),
      "Missing required fields: subscribe.framework_info.name"));

  EXPECT_TRUE(failsWith(parseJson(R"({"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},
                   "task_id":{"value":"t"}}})",
                                  &call),
                        "Missing required fields: acknowledge.uuid"));

  v1::Resource r;
  EXPECT_TRUE(failsWith(parseJson(R"({"name":"disk"})", &r), "Missing required fields: type"));
}

TEST(JsonInput, MapsFromObjects) {
  std::optional<std::string> error;
  v1::FrameworkInfo info = parsed<v1::FrameworkInfo>(
      R"({"user":"u","name":"n","offer_filters":{"eng":{"min_allocatable_resources":
          {"quantities":[{"quantities":{"cpus":{"value":1},"mem":{"value":"32"}}}]}}}})",
      &error);
  ASSERT_EQ(error, std::nullopt);
  ASSERT_EQ(info.offer_filters().count("eng"), 1u);
  const auto& q = info.offer_filters().at("eng").min_allocatable_resources().quantities(0);
  EXPECT_DOUBLE_EQ(q.quantities().at("mem").value(), 32.0);
}

TEST(JsonInput, OneofMembers) {
  std::optional<std::string> error;
  v1::scheduler::AttributeConstraint c = parsed<v1::scheduler::AttributeConstraint>(
      R"({"selector":{"attribute_name":"rack"},"predicate":{"text_equals":{"value":"r1"}}})",
      &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(c.selector().attribute_name(), "rack");
  EXPECT_EQ(c.predicate().text_equals().value(), "r1");
}

TEST(JsonInput, TopLevelMustBeAnObject) {
  Call call;
  for (const char* text : {"[]", "\"x\"", "5", "null", "true"}) {
    EXPECT_TRUE(failsWith(parseJson(text, &call), "Expecting a JSON object")) << text;
  }
}

TEST(JsonInput, StrictSyntax) {
  Call call;
  for (const char* text :
       {R"({"type":"REVIVE"} x)", R"({"type":"REVIVE",})", R"({/*c*/"type":"REVIVE"})",
        R"({"a":NaN})", R"({"a":Infinity})", "", "{", R"({"type":"REVIVE"}{})"}) {
    EXPECT_TRUE(parseJson(text, &call).has_value()) << text;
  }
}

TEST(JsonInput, ReplacesPreviousContents) {
  Call call;
  call.mutable_framework_id()->set_value("old");
  ASSERT_EQ(parseJson(R"({"type":"REVIVE"})", &call), std::nullopt);
  EXPECT_FALSE(call.has_framework_id());
}

// Nested ContainerID.parent objects: the top-level object is level 1.
std::string nestedContainerId(int levels) {
  std::string text;
  for (int i = 1; i < levels; ++i) text += R"({"value":"c","parent":)";
  text += R"({"value":"c"})";
  text += std::string(levels - 1, '}');
  return text;
}

TEST(JsonInput, NestingLimitIs200) {
  v1::ContainerID id;
  EXPECT_EQ(parseJson(nestedContainerId(kMaxJsonDepth), &id), std::nullopt);
  EXPECT_TRUE(failsWith(parseJson(nestedContainerId(kMaxJsonDepth + 1), &id), "deeper than 200"));

  // Arrays count too, even under keys we ignore, and however deep.
  const std::string deep =
      R"({"bogus":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(failsWith(parseJson(deep, &id), "deeper than 200"));

  // The same limit holds for an already parsed JSON value.
  nlohmann::json value = nlohmann::json::parse(nestedContainerId(kMaxJsonDepth + 1));
  EXPECT_TRUE(failsWith(fromJson(value, &id), "deeper than 200"));
}

TEST(JsonInput, OperatorCall) {
  std::optional<std::string> error;
  v1::master::Call call = parsed<v1::master::Call>(
      R"({"type":"CREATE_VOLUMES","create_volumes":{"agent_id":{"value":"M-S0"},"volumes":[
          {"name":"disk","type":"SCALAR","scalar":{"value":512},
           "reservations":[{"type":"DYNAMIC","role":"ads","principal":"ops"}],
           "disk":{"persistence":{"id":"v1","principal":"ops"},
                   "volume":{"mode":"RW","container_path":"data"}}}]}})",
      &error);
  ASSERT_EQ(error, std::nullopt);
  EXPECT_EQ(call.type(), v1::master::Call::CREATE_VOLUMES);
  EXPECT_EQ(call.create_volumes().volumes(0).disk().persistence().id(), "v1");
  EXPECT_EQ(call.create_volumes().volumes(0).reservations(0).type(),
            v1::Resource::ReservationInfo::DYNAMIC);
}

}  // namespace
}  // namespace svh::wire
